package com.cps.dcs.bench.sync;

import com.cps.dcs.testsupport.BranchAgent;
import com.cps.dcs.testsupport.Kafka;
import com.cps.dcs.testsupport.Postgres;
import com.cps.dcs.testsupport.RegionCluster;
import com.cps.dcs.testsupport.TempDirs;
import java.nio.file.Path;
import java.time.Duration;
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
 * branch's pending count reaching zero. Usage: {@code SyncConvergence [events] [runs] [syncIntervalSeconds]}, from
 * the repository root after {@code ./mvnw -DskipTests package}; PostgreSQL from {@code DCS_PG_URL} or embedded. A
 * warm-up run (run 0, printed as such) comes before the measured ones.
 */
public final class SyncConvergence {
  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int interval = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    String tenant = "tenant-bench";
    String pgUrl = Postgres.shared().createDatabase("sync_bench");
    String topic = "dcs.events.bench." + UUID.randomUUID().toString().substring(0, 8);
    Kafka.shared().createTopic(topic, 4);
    Path dir = TempDirs.create("sync-bench");
    try (RegionCluster region = new RegionCluster(Path.of("regional-agent", "target", "regional-agent.jar"), 3,
        tenant, "region-bench", pgUrl, Kafka.shared().bootstrapServers(), topic, dir, 10_000)) {
      region.startAll();
      region.awaitLeader(Duration.ofSeconds(60));
      // Run 0 warms the region up (its JIT, class loading, the Kafka producer of its outbox relay: a region serves
      // many branches and is warm when one comes back) and is printed but not one of the measured runs.
      for (int run = 0; run <= runs; run++) {
        String branchId = "bench-" + run;
        try (BranchAgent b = new BranchAgent(Path.of("local-agent", "target", "local-agent.jar"), branchId, tenant,
            dir.resolve(branchId), region.keyDir, region.logDir, region.grpcAddressList(), interval)) {
          b.env("DCS_SAMPLE_DATA", "false");
          b.start();
          b.disconnect();
          sellOffline(b, events);
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
          long t0 = System.nanoTime();
          b.reconnect();
          long first = -1;
          long stored = -1;
          long done = -1;
          while (done < 0 && System.nanoTime() - t0 < 300_000_000_000L) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long pending = b.pending();
            if (first < 0 && pending >= 0 && pending < offline) {
              first = ms;
            }
            if (stored < 0 && region.eventsInRegion(branchId) >= offline) {
              stored = (System.nanoTime() - t0) / 1_000_000;
            }
            if (stored >= 0 && pending == 0) {
              done = (System.nanoTime() - t0) / 1_000_000;
            }
            Thread.sleep(10);
          }
          System.out.printf((run == 0 ? "warm-up " : "") + "run %d: %d offline events; first acknowledged after %d ms, all in PostgreSQL after %d ms,"
              + " nothing pending after %d ms%n", run, offline, first, stored, done);
        }
      }
    } finally {
      Postgres.shared().stop();
    }
    System.exit(0);
  }

  static void sellOffline(BranchAgent b, int events) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      done.add(pool.submit(() -> {
        int i;
        while ((i = next.getAndIncrement()) < events) {
          if (!b.sell(100 + i % 9000, b.branchId + "-sale-" + i).getSuccess()) {
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
