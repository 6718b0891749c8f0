package com.cps.dcs.suite;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.crdt.CrdtBundles;
import com.cps.dcs.proto.v4.BatchAckResponse;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.testsupport.Kafka;
import com.cps.dcs.testsupport.Postgres;
import com.cps.dcs.testsupport.RegionCluster;
import com.cps.dcs.testsupport.TempDirs;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Branches and their region as real processes on loopback: two local agents (two branches, each its own JVM and
 * SQLite file), three regional nodes (Ratis), PostgreSQL and a Kafka broker. Each scenario ends by checking the
 * exact final state: every event of each branch in PostgreSQL exactly once and byte for byte as the branch sealed
 * it, the CRDTs equal on the region and both branches, and every event in Kafka.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BranchRegionSyncIT {
  static final String TENANT = "tenant-sync";
  static final Path REGION_JAR = Path.of("..", "regional-agent", "target", "regional-agent.jar");

  String pgUrl;
  String topic;
  RegionCluster region;
  Branch b1;
  Branch b2;

  @BeforeAll
  void setUp() {
    pgUrl = Postgres.shared().createDatabase("sync_it");
    topic = "dcs.events.sync." + UUID.randomUUID().toString().substring(0, 8);
    Kafka.shared().createTopic(topic, 4);
    Path dir = TempDirs.create("sync-it");
    region = new RegionCluster(REGION_JAR, 3, TENANT, "region-sync", pgUrl, Kafka.shared().bootstrapServers(), topic,
        dir, 500);
    b1 = new Branch("branch-1", TENANT, dir.resolve("branch-1"), region.keyDir, region.logDir,
        region.grpcAddresses());
    b2 = new Branch("branch-2", TENANT, dir.resolve("branch-2"), region.keyDir, region.logDir,
        region.grpcAddresses());
  }

  @AfterAll
  void tearDown() {
    for (AutoCloseable c : new AutoCloseable[] {b1, b2, region}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // the others still stop
      }
    }
  }

  /** The branch's events in PostgreSQL: event id -> how many rows. */
  Map<String, Integer> inRegion(String branch) throws SQLException {
    Map<String, Integer> out = new HashMap<>();
    try (Connection c = DriverManager.getConnection(pgUrl)) {
      c.createStatement().execute("SELECT set_config('app.tenant_id', '" + TENANT + "', false)");
      try (PreparedStatement ps = c.prepareStatement("SELECT event_id FROM event_store WHERE branch_id = ?")) {
        ps.setString(1, branch);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.merge(rs.getString(1), 1, Integer::sum);
          }
        }
      }
    }
    return out;
  }

  SovereignFinancialEvent storedInRegion(String eventId) throws Exception {
    try (Connection c = DriverManager.getConnection(pgUrl)) {
      c.createStatement().execute("SELECT set_config('app.tenant_id', '" + TENANT + "', false)");
      try (PreparedStatement ps = c.prepareStatement("SELECT event_bytes FROM event_store WHERE event_id = ?")) {
        ps.setString(1, eventId);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return SovereignFinancialEvent.parseFrom(rs.getBytes(1));
        }
      }
    }
  }

  /** Waits until the region holds every event of the branch and the branch has nothing pending; returns the ms. */
  long awaitConverged(Branch b, Duration timeout) throws Exception {
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    int local = b.events().size();
    while (System.nanoTime() < deadline) {
      if (inRegion(b.branchId).size() >= local && b.metric("dcs_sync_pending") == 0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      }
      Thread.sleep(200);
    }
    throw new AssertionError(b.branchId + " did not converge within " + timeout + ": region has "
        + inRegion(b.branchId).size() + " of " + local + ", pending " + b.metric("dcs_sync_pending")
        + "; logs in " + region.logDir);
  }

  /** Every event of the branch in PostgreSQL exactly once, and as the branch sealed it (received_at aside). */
  void assertExactlyOnce(Branch b) throws Exception {
    List<SovereignFinancialEvent> local = b.events();
    Map<String, Integer> stored = inRegion(b.branchId);
    assertThat(stored.values()).as("rows per event of %s", b.branchId).allMatch(n -> n == 1);
    assertThat(stored.keySet()).isEqualTo(local.stream().map(SovereignFinancialEvent::getEventId)
        .collect(Collectors.toSet()));
    for (SovereignFinancialEvent e : List.of(local.get(0), local.get(local.size() / 2), local.get(local.size() - 1))) {
      SovereignFinancialEvent r = storedInRegion(e.getEventId());
      assertThat(r.getReceivedAt()).isPositive();
      // The causal context (HLC, parents), the chain link and the signature arrive untouched.
      assertThat(r.toBuilder().clearReceivedAt().build()).isEqualTo(e.toBuilder().clearReceivedAt().build());
    }
  }

  @Test
  @Order(1)
  void aBranchOfflineForAThousandSalesReconnectsAndEverySaleArrivesOnce() throws Exception {
    b1.start(); // the region is not running yet: the branch sells offline
    for (int i = 0; i < 1000; i++) {
      assertThat(b1.sell(100 + i).getSuccess()).isTrue();
    }
    assertThat(b1.metric("dcs_sync_pending")).isGreaterThanOrEqualTo(1000);
    assertThat(b1.metric("dcs_sync_region_reachable")).isZero();
    region.startAll();
    region.awaitLeader(Duration.ofSeconds(60));
    long ms = awaitConverged(b1, Duration.ofSeconds(120));
    System.out.printf("branch-1: %d offline events converged %d ms after the region had a leader%n",
        b1.events().size(), ms);
    assertExactlyOnce(b1);
  }

  @Test
  @Order(2)
  void theRegionalLeaderKilledDuringASyncLosesAndDuplicatesNothing() throws Exception {
    b2.start();
    for (int i = 0; i < 1500; i++) {
      b2.sell(250 + i);
      if (i == 700) {
        region.kill(region.awaitLeader(Duration.ofSeconds(30))); // while b2 syncs every second
      }
    }
    awaitConverged(b2, Duration.ofSeconds(120));
    assertExactlyOnce(b2);
    assertExactlyOnce(b1);
  }

  @Test
  @Order(3)
  void aLocalAgentKilledDuringASyncResumesAfterRestartWithNoGapAndNoDuplicate() throws Exception {
    for (int i = 0; i < 1500; i++) {
      b1.sell(300 + i);
    }
    // Kill -9 while the batches are going up (the sync round runs every second).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (b1.metric("dcs_sync_pending") >= 1500 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    b1.killHard();
    b1.start();
    awaitConverged(b1, Duration.ofSeconds(120));
    assertExactlyOnce(b1);
  }

  @Test
  @Order(4)
  void theSameBatchDeliveredThreeTimesIsStoredOnce() throws Exception {
    List<SovereignFinancialEvent> batch = b2.events().subList(0, 300);
    int before = inRegion("branch-2").size();
    for (String node : region.running()) {
      BatchAckResponse acks = region.stream(node, batch);
      assertThat(acks.getIndividualResponsesList()).allMatch(a -> a.getSuccess() && a.getIsDuplicate());
    }
    assertThat(inRegion("branch-2").size()).isEqualTo(before);
    assertExactlyOnce(b2);
  }

  @Test
  @Order(5)
  void crdtStateIsTheSameOnTheRegionAndBothBranchesAndKafkaHasEveryEvent() throws Exception {
    // Two more sync rounds each (every second) after the last change, then compare.
    Thread.sleep(3000);
    Map<String, Object> atRegion = values(regionCrdts());
    assertThat(atRegion).isNotEmpty();
    for (Branch b : List.of(b1, b2)) {
      Map<String, Object> atBranch = values(b.crdts());
      assertThat(atBranch).as("CRDTs at %s", b.branchId).isEqualTo(atRegion);
    }
    Set<String> all = new HashSet<>();
    all.addAll(inRegion("branch-1").keySet());
    all.addAll(inRegion("branch-2").keySet());
    Set<String> inKafka = new HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!inKafka.containsAll(all) && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : Kafka.shared().readAll(topic, Duration.ofSeconds(10), all.size())) {
        inKafka.add(SovereignFinancialEvent.parseFrom(r.value()).getEventId());
      }
    }
    assertThat(inKafka).containsAll(all);
  }

  static Map<String, Object> values(List<CRDTStateBundle> bundles) {
    Map<String, Object> out = new HashMap<>();
    for (CRDTStateBundle b : bundles) {
      out.put(b.getCrdtId(), CrdtBundles.fromBundle(b));
    }
    return out;
  }

  List<CRDTStateBundle> regionCrdts() throws Exception {
    List<CRDTStateBundle> out = new java.util.ArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<CRDTStateBundle> req = region.async(region.running().get(0)).syncCRDTState(
        new StreamObserver<>() {
          @Override
          public void onNext(CRDTStateBundle b) {
            synchronized (out) {
              out.add(b);
            }
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            done.complete(null);
          }
        });
    req.onCompleted();
    done.get(30, TimeUnit.SECONDS);
    return out;
  }
}
