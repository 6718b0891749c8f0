package com.cps.dcs.bench.sync;

import com.cps.dcs.bench.region.RegionLoad;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.testsupport.BranchAgent;
import com.cps.dcs.testsupport.BranchSigner;
import com.cps.dcs.testsupport.Kafka;
import com.cps.dcs.testsupport.Postgres;
import com.cps.dcs.testsupport.RegionCluster;
import com.cps.dcs.testsupport.TempDirs;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Time from reconnect to full convergence: a real branch (the packaged local agent) sells {@code events} sales while
 * its links to a real three-node region (packaged regional agents, PostgreSQL, Kafka) are down; once the branch has
 * found the region unreachable (a failed round), the links come back and the clock runs until the region holds
 * every event and the branch has nothing pending. Printed: the time
 * to the first acknowledged event (the branch noticing the region), to all events stored in PostgreSQL, and to the
 * branch's pending count reaching zero. Usage: {@code SyncConvergence [events] [runs] [syncIntervalSeconds]
 * [warmUpRuns] [regionWarmUpEvents]}, from the repository root after {@code ./mvnw -DskipTests package}; PostgreSQL
 * from {@code DCS_PG_URL} or embedded. The warm-up runs (default 3, printed as such and numbered up to 0) come before
 * the measured ones; before them, {@code regionWarmUpEvents} (default 0) sales of synthetic branches warm the region
 * ({@link #warmRegion}).
 */
public final class SyncConvergence {
  /**
   * The services' JVM options: a heap size, and otherwise what the JVM chooses, as deployed (G1 and both compiler
   * tiers), plus any in {@code DCS_BENCH_JVM_OPTIONS} (space-separated, for diagnostics such as
   * {@code -XX:+PrintCompilation}). The multi-service tests run the same jars C1-only with the serial collector, to
   * start fast.
   */
  static final List<String> DEPLOYED = deployedOptions(System.getenv("DCS_BENCH_JVM_OPTIONS"));

  static List<String> deployedOptions(String extra) {
    List<String> out = new ArrayList<>(List.of("-Xmx1g"));
    if (extra != null && !extra.isBlank()) {
      out.addAll(List.of(extra.trim().split("\\s+")));
    }
    return List.copyOf(out);
  }

  /** How often the harness looks (the resolution of the figures). */
  static final long POLL_MS = 20;

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int interval = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    int warmUps = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    int regionWarmUp = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    String tenant = "tenant-bench";
    String pgUrl = Postgres.shared().createDatabase("sync_bench");
    String topic = "dcs.events.bench." + UUID.randomUUID().toString().substring(0, 8);
    Kafka.shared().createTopic(topic, 4);
    Path dir = TempDirs.create("sync-bench");
    try (RegionCluster region = new RegionCluster(Path.of("regional-agent", "target", "regional-agent.jar"), 3,
        tenant, "region-bench", pgUrl, Kafka.shared().bootstrapServers(), topic, dir, 10_000)) {
      region.jvmOptions(DEPLOYED).startAll();
      region.awaitLeader(Duration.ofSeconds(60));
      warmRegion(region, tenant, regionWarmUp);
      // One branch for all runs, as a branch that synced before goes offline again: runs up to 0 warm both sides up
      // (JIT, class loading, the Kafka producer of the region's outbox relay) and are printed but not measured.
      // One was not enough with both compiler tiers: a profile of the next run found the C2 compiler threads using
      // 40 % of the leader's CPU, and a fresh branch JVM spending most of its CPU compiling its sync path.
      String branchId = "bench-branch";
      try (BranchAgent b = new BranchAgent(Path.of("local-agent", "target", "local-agent.jar"), branchId, tenant,
          dir.resolve(branchId), region.keyDir, region.logDir, region.grpcAddressList(), interval)) {
        b.env("DCS_SAMPLE_DATA", "false").jvmOptions(DEPLOYED);
        b.start();
        for (int run = 1 - warmUps; run <= runs; run++) {
          b.disconnect();
          // (a second early: the events of the run before are older than that, and clocks stamp in ms)
          Instant soldFrom = Instant.now().minusSeconds(1);
          sellOffline(b, events, "run" + run);
          long offline = b.pending();
          // As after a long outage: the branch has found the region unreachable (its next round after the cut
          // failed) and is retrying.
          long waitUntil = System.nanoTime() + (interval + 60) * 1_000_000_000L;
          while (b.metric("dcs_sync_region_reachable") != 0 && System.nanoTime() < waitUntil) {
            Thread.sleep(100);
          }
          // The outage goes on a little after the branch noticed it (its retries keep failing), as a real one does;
          // the benchmark times from the reconnect, not from here.
          Thread.sleep(2_000);
          long[] t = measure(b, region, branchId, offline, soldFrom);
          System.out.printf((run <= 0 ? "warm-up " : "") + "run %d: %d offline events; first acknowledged after %d ms,"
              + " all in PostgreSQL after %d ms, nothing pending after %d ms%n", run, offline, t[0], t[1], t[2]);
        }
      }
    } finally {
      Postgres.shared().stop();
    }
    System.exit(0);
  }

  /**
   * A region in service has been taking other branches' events for hours, and its JIT has long compiled that path:
   * {@code events} sales of synthetic branches (one per node, 1,000 per {@code StreamOfflineEvents} call), pushed
   * before the runs. With only the sync warm-ups, the C2 compiler threads still took 14 to 47 % of the nodes' CPU in
   * the measured runs; 60,000 events first did not change that much ({@code docs/benchmarks.md}).
   */
  static void warmRegion(RegionCluster region, String tenant, int events) throws Exception {
    if (events <= 0) {
      return;
    }
    List<ManagedChannel> channels = region.ids.stream().map(region::channel).toList();
    List<List<List<SovereignFinancialEvent>>> work = new ArrayList<>();
    for (String node : region.ids) {
      BranchSigner s = new BranchSigner(region.keyDir, tenant, "warm-" + node, "agent-warm-" + node);
      region.register(node, s.registration());
      List<List<SovereignFinancialEvent>> batches = new ArrayList<>();
      for (int done = 0; done < events / region.ids.size(); done += 1_000) {
        batches.add(s.nextSales(1_000));
      }
      work.add(batches);
    }
    long t0 = System.nanoTime();
    RegionLoad.ingest(channels, work);
    System.out.printf("region warm-up: %d events from %d synthetic branches in %d ms%n",
        work.stream().mapToLong(w -> w.stream().mapToLong(List::size).sum()).sum(), work.size(),
        (System.nanoTime() - t0) / 1_000_000);
  }

  /**
   * Reconnects the branch and times, in ms after that: the first acknowledgement (its pending count falling), all
   * {@code offline} events (those stamped from {@code soldFrom} on) in PostgreSQL, nothing pending. The harness
   * shares the two cores with what it measures, so it looks lightly: the branch (one meter over HTTP) only before
   * the first acknowledgement and after the region holds everything, PostgreSQL (one index range count over a kept
   * connection) in between, every POLL_MS. Polling a whole Prometheus page and opening a connection every 10 ms had
   * taken a good part of a core.
   */
  static long[] measure(BranchAgent b, RegionCluster region, String branchId, long offline,
      Instant soldFrom) throws Exception {
    try (Connection pg = region.tenantConnection()) {
      long t0 = System.nanoTime();
      b.reconnect();
      long first = -1;
      long stored = -1;
      long done = -1;
      while (done < 0 && System.nanoTime() - t0 < 300_000_000_000L) {
        if (first < 0) {
          long pending = b.pending();
          if (pending >= 0 && pending < offline) {
            first = (System.nanoTime() - t0) / 1_000_000;
          }
        } else if (stored < 0) {
          if (RegionCluster.eventsInRegion(pg, branchId, soldFrom) >= offline) {
            stored = (System.nanoTime() - t0) / 1_000_000;
          }
        }
        if (stored >= 0 && b.pending() == 0) {
          done = (System.nanoTime() - t0) / 1_000_000;
        }
        Thread.sleep(POLL_MS);
      }
      return new long[] {first, stored, done};
    }
  }

  static void sellOffline(BranchAgent b, int events, String keyPrefix) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      done.add(pool.submit(() -> {
        int i;
        while ((i = next.getAndIncrement()) < events) {
          if (!b.sell(100 + i % 9000, b.branchId + "-" + keyPrefix + "-sale-" + i).getSuccess()) {
            throw new IllegalStateException("sale " + i + " refused");
          }
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
  }
}
