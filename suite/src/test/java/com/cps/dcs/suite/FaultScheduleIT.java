package com.cps.dcs.suite;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.suite.FaultSchedule.CutMidStream;
import com.cps.dcs.suite.FaultSchedule.Disconnect;
import com.cps.dcs.suite.FaultSchedule.KillBranch;
import com.cps.dcs.suite.FaultSchedule.KillRegionNode;
import com.cps.dcs.suite.FaultSchedule.Pause;
import com.cps.dcs.suite.FaultSchedule.Reconnect;
import com.cps.dcs.suite.FaultSchedule.RestartBranch;
import com.cps.dcs.suite.FaultSchedule.RestartRegionNode;
import com.cps.dcs.suite.FaultSchedule.Sell;
import com.cps.dcs.suite.FaultSchedule.Stall;
import com.cps.dcs.suite.FaultSchedule.Step;
import com.cps.dcs.testsupport.BranchAgent;
import com.cps.dcs.testsupport.TcpProxy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The seeded fault-schedule runner. For each seed, {@link FaultSchedule} generates sales, link cuts and stalls,
 * kill -9s and restarts of branches and regional nodes; the runner plays them against two fresh branches (real
 * local agents behind their own proxies) and a shared three-node region, heals everything, and checks the
 * invariants: every sale the branch acknowledged is in its log, every event of the log in PostgreSQL exactly once
 * and as sealed, the CRDTs equal on every regional node and branch, every event in Kafka.
 *
 * <p>Seeds: {@code -Ddcs.fault.seeds=7,9} (the default, what CI runs), {@code 7} (replay one), {@code 1..50} (a
 * range); steps per seed {@code -Ddcs.fault.steps} (default 10). Each seed's schedule is printed first; each result
 * is appended to {@code target/fault-seeds.log}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultScheduleIT {
  /** What CI runs: two short seeds whose schedules between them hold every kind of step. */
  static final String CI_SEEDS = "7,9";
  static final String[] PRODUCTS = {"p-water", "p-pasta", "p-milk", "p-croissant", "p-banana"};

  SyncWorld world;

  @BeforeAll
  void setUp() throws Exception {
    world = new SyncWorld("faults");
    world.region.startAll();
    world.region.awaitLeader(Duration.ofSeconds(60));
  }

  @AfterAll
  void tearDown() {
    world.close();
  }

  static List<Long> seeds(String spec) {
    List<Long> out = new ArrayList<>();
    for (String part : spec.split(",")) {
      String p = part.trim();
      if (p.contains("..")) {
        long from = Long.parseLong(p.substring(0, p.indexOf("..")));
        long to = Long.parseLong(p.substring(p.indexOf("..") + 2));
        LongStream.rangeClosed(from, to).forEach(out::add);
      } else if (!p.isEmpty()) {
        out.add(Long.parseLong(p));
      }
    }
    return out;
  }

  @TestFactory
  Stream<DynamicTest> everySeedEndsWithEverySaleOnceAndTheSameStateEverywhere() {
    int steps = Integer.getInteger("dcs.fault.steps", 10);
    return seeds(System.getProperty("dcs.fault.seeds", CI_SEEDS)).stream()
        .map(seed -> DynamicTest.dynamicTest("seed " + seed, () -> run(FaultSchedule.generate(seed, steps))));
  }

  void run(FaultSchedule schedule) throws Exception {
    System.out.println(schedule);
    long t0 = System.nanoTime();
    String outcome = "FAILED";
    try {
      play(schedule);
      outcome = "passed";
    } finally {
      record(String.format("%s seed %d (%d steps): %s in %d s", Instant.now(), schedule.seed(),
          schedule.steps().size(), outcome, (System.nanoTime() - t0) / 1_000_000_000L));
    }
  }

  void play(FaultSchedule schedule) throws Exception {
    long seed = schedule.seed();
    BranchAgent[] b = {world.branch("s" + seed + "-b1", 1), world.branch("s" + seed + "-b2", 1)};
    List<Set<String>> acknowledged = List.of(new HashSet<>(), new HashSet<>());
    int[] sales = {0, 0};
    String downNode = null;
    long t0 = System.nanoTime();
    try {
      startAll(List.of(b));
      int n = 0;
      for (Step step : schedule.steps()) {
        System.out.printf("seed %d step %d (+%d ms): %s%n", seed, ++n, (System.nanoTime() - t0) / 1_000_000, step);
        switch (step) {
          case Sell s -> {
            BranchAgent x = b[s.branch()];
            for (int i = 0; i < s.count(); i++) {
              int k = sales[s.branch()]++;
              AckResponse a = x.sell(100 + (k * 37L) % 9_000, x.branchId + "-sale-" + k);
              assertThat(a.getSuccess()).as("sale %d at %s", k, x.branchId).isTrue();
              acknowledged.get(s.branch()).add(a.getEventId());
            }
            for (int i = 0; i < s.checkouts(); i++) {
              int k = sales[s.branch()]++;
              x.checkout(x.branchId + "-co-" + k, PRODUCTS[k % PRODUCTS.length], 1);
            }
          }
          case Disconnect d -> b[d.branch()].disconnect();
          case Reconnect r -> b[r.branch()].reconnect();
          case Stall s -> {
            b[s.branch()].stallLinks();
            Thread.sleep(s.millis());
            b[s.branch()].reconnect();
          }
          case CutMidStream c -> {
            for (TcpProxy link : b[c.branch()].links()) {
              link.cutAfterUpstreamBytes(c.bytes());
            }
          }
          case KillBranch k -> b[k.branch()].killHard();
          case RestartBranch r -> b[r.branch()].start();
          case KillRegionNode k -> {
            downNode = k.node() < 0 ? world.region.awaitLeader(Duration.ofSeconds(60))
                : world.region.ids.get(k.node());
            world.region.kill(downNode);
          }
          case RestartRegionNode r -> {
            world.region.restart(downNode);
            downNode = null;
          }
          case Pause p -> Thread.sleep(p.millis());
        }
      }
      // Heal: links back, everything running again.
      for (BranchAgent x : b) {
        x.reconnect();
      }
      startAll(Stream.of(b).filter(x -> !x.isRunning()).toList());
      if (downNode != null) {
        world.region.restart(downNode);
      }
      world.region.awaitLeader(Duration.ofSeconds(60));
      System.out.printf("seed %d healed (+%d ms)%n", seed, (System.nanoTime() - t0) / 1_000_000);
      for (int i = 0; i < b.length; i++) {
        world.awaitConverged(b[i], Duration.ofSeconds(180));
        Set<String> log = b[i].events().stream().map(SovereignFinancialEvent::getEventId)
            .collect(Collectors.toSet());
        assertThat(log).as("every acknowledged sale of %s is in its log", b[i].branchId)
            .containsAll(acknowledged.get(i));
        world.assertExactlyOnce(b[i]);
      }
      System.out.printf("seed %d converged (+%d ms)%n", seed, (System.nanoTime() - t0) / 1_000_000);
      world.awaitCrdtsEqual(Duration.ofSeconds(60));
      world.assertAllInKafka(List.of(b));
    } catch (Throwable t) {
      throw new AssertionError("seed " + seed + " failed (replay: -Ddcs.fault.seeds=" + seed + " -Ddcs.fault.steps="
          + schedule.steps().size() + "); logs in " + world.region.logDir.toAbsolutePath() + "\n" + schedule, t);
    } finally {
      for (BranchAgent x : b) {
        x.close();
      }
      world.branches.removeAll(List.of(b));
      if (downNode != null && !world.region.running().contains(downNode)) {
        world.region.restart(downNode);
      }
    }
  }

  /** Starts the agents side by side (each start is a JVM booting). */
  static void startAll(List<BranchAgent> agents) throws Exception {
    List<CompletableFuture<Void>> starts = agents.stream()
        .map(x -> CompletableFuture.runAsync(x::start, r -> Thread.ofPlatform().start(r))).toList();
    for (CompletableFuture<Void> f : starts) {
      try {
        f.get();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception x ? x : e;
      }
    }
  }

  static void record(String line) {
    System.out.println(line);
    try {
      Path log = Path.of("target", "fault-seeds.log");
      Files.createDirectories(log.getParent());
      Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.println("cannot record the seed's outcome: " + e);
    }
  }
}
