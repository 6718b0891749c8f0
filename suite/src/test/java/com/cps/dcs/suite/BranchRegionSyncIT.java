package com.cps.dcs.suite;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.crdt.Crdt;
import com.cps.dcs.kernel.crdt.CrdtBundles;
import com.cps.dcs.kernel.crdt.LwwRegister;
import com.cps.dcs.kernel.crdt.PnCounter;
import com.cps.dcs.proto.v4.BatchAckResponse;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.testsupport.BranchAgent;
import com.cps.dcs.testsupport.BranchSigner;
import com.cps.dcs.testsupport.RegionCluster;
import com.cps.dcs.testsupport.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Branches and their region as real processes on loopback: two local agents (two branches, each its own JVM and
 * SQLite file, each reaching every regional node through its own TCP proxy), three regional nodes (Ratis),
 * PostgreSQL and a Kafka broker. The scenarios share the processes and run in order; each ends by checking the
 * exact final state: every event of each branch in PostgreSQL exactly once and byte for byte as the branch sealed
 * it, and, at the end, the CRDTs equal on every regional node and both branches, and every event in Kafka.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BranchRegionSyncIT {
  SyncWorld world;
  RegionCluster region;
  BranchAgent b1;
  BranchAgent b2;

  @BeforeAll
  void setUp() {
    world = new SyncWorld("sync-it");
    region = world.region;
    b1 = world.branch("branch-1", 1);
    b2 = world.branch("branch-2", 1);
  }

  @AfterAll
  void tearDown() {
    world.close();
  }

  @Test
  @Order(1)
  void aBranchOfflineForAThousandSalesReconnectsAndEverySaleArrivesOnce() throws Exception {
    b1.start(); // the region is not running yet: the branch sells offline
    for (int i = 0; i < 1000; i++) {
      assertThat(b1.sell(100 + i).getSuccess()).isTrue();
    }
    for (int i = 0; i < 5; i++) { // and a few cashier checkouts: stock, reservations, the sales count (CRDTs)
      b1.checkout("b1-offline-" + i, "p-water", 2);
    }
    assertThat(b1.pending()).isGreaterThanOrEqualTo(1000);
    assertThat(b1.metric("dcs_sync_region_reachable")).isZero();
    region.startAll();
    region.awaitLeader(Duration.ofSeconds(60));
    long ms = world.awaitConverged(b1, Duration.ofSeconds(120));
    System.out.printf("branch-1: %d offline events converged %d ms after the region had a leader%n",
        b1.events().size(), ms);
    world.assertExactlyOnce(b1);
  }

  @Test
  @Order(2)
  void theRegionalLeaderKilledDuringASyncLosesAndDuplicatesNothing() throws Exception {
    b2.start();
    String killed = null;
    for (int i = 0; i < 1500; i++) {
      b2.sell(250 + i);
      if (i == 700) {
        killed = region.awaitLeader(Duration.ofSeconds(30)); // while b2 syncs every second
        region.kill(killed);
      }
    }
    b2.checkout("b2-after-kill", "p-bread", 1);
    world.awaitConverged(b2, Duration.ofSeconds(120));
    world.assertExactlyOnce(b2);
    world.assertExactlyOnce(b1);
    region.restart(killed); // catches up from its log and the others' snapshot; checked with the CRDTs at the end
  }

  @Test
  @Order(3)
  void aLocalAgentKilledDuringASyncResumesAfterRestartWithNoGapAndNoDuplicate() throws Exception {
    b1.disconnect();
    // Enough events for more batches than the sync keeps in flight (4 of 500), so acknowledgements come in over
    // several round trips and the kill below lands between the first and the last.
    int sales = 4000;
    for (int i = 0; i < sales; i++) {
      b1.sell(300 + i);
    }
    b1.reconnect();
    // Kill -9 while the batches are going up: after the first acknowledged batch, before the last.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    long pending;
    while ((pending = b1.pending()) >= sales && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    b1.killHard();
    System.out.printf("branch-1 killed with %d events pending%n", pending);
    assertThat(pending).as("killed in the middle of the sync").isBetween(1L, sales - 1L);
    b1.start();
    world.awaitConverged(b1, Duration.ofSeconds(120));
    world.assertExactlyOnce(b1);
  }

  @Test
  @Order(4)
  void aConnectionCutOrStalledInTheMiddleOfAStreamResumesFromTheLastAcknowledgedEvent() throws Exception {
    b2.disconnect();
    for (int i = 0; i < 1200; i++) {
      b2.sell(400 + i);
    }
    long before = world.countInRegion(b2.branchId);
    // Each link forwards about 300 KB more of the branch's stream (a batch is 500 sealed events), then breaks.
    for (TcpProxy link : b2.links()) {
      link.restore();
      link.cutAfterUpstreamBytes(300_000);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (b2.links().stream().noneMatch(TcpProxy::isCut) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(b2.links()).anyMatch(TcpProxy::isCut);
    long pendingAtCut = b2.pending();
    Thread.sleep(2000); // the branch retries against the other nodes, whose links are armed too
    b2.reconnect();
    // Now the link hangs in the middle of a stream: no byte moves, no connection drops, for 3 s.
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (b2.pending() >= pendingAtCut && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    b2.stallLinks();
    Thread.sleep(500); // an acknowledgement already past the proxy may still land
    long pendingAtStall = b2.pending();
    Thread.sleep(2500);
    assertThat(b2.pending()).as("nothing moves while the links hang").isEqualTo(pendingAtStall);
    b2.reconnect();
    world.awaitConverged(b2, Duration.ofSeconds(120));
    System.out.printf("branch-2: cut with %d pending, stalled with %d pending; %d new events stored%n", pendingAtCut,
        pendingAtStall, world.countInRegion(b2.branchId) - before);
    world.assertExactlyOnce(b2);
  }

  @Test
  @Order(5)
  void theSameBatchDeliveredThreeTimesOutOfOrderAndWithRepeatsIsStoredOnce() throws Exception {
    b2.disconnect();
    for (int i = 0; i < 300; i++) {
      b2.sell(500 + i);
    }
    List<SovereignFinancialEvent> all = b2.events();
    List<SovereignFinancialEvent> batch = all.subList(all.size() - 300, all.size());
    int before = world.countInRegion(b2.branchId);

    // First delivery, to one node, newest first: every event stored, none a duplicate.
    List<SovereignFinancialEvent> reversed = new ArrayList<>(batch);
    Collections.reverse(reversed);
    List<String> nodes = region.running();
    BatchAckResponse first = region.stream(nodes.get(0), reversed);
    assertThat(first.getIndividualResponsesList()).hasSize(300)
        .allMatch(a -> a.getSuccess() && !a.getIsDuplicate());
    // Second, to another node, shuffled, with a tenth of it repeated inside the same stream.
    List<SovereignFinancialEvent> shuffled = new ArrayList<>(batch);
    shuffled.addAll(batch.subList(0, 30));
    Collections.shuffle(shuffled, new Random(5));
    BatchAckResponse second = region.stream(nodes.get(1), shuffled);
    // Third, the batch as it was, to the third node.
    BatchAckResponse third = region.stream(nodes.get(2), batch);
    for (BatchAckResponse acks : List.of(second, third)) {
      assertThat(acks.getIndividualResponsesList()).allMatch(a -> a.getSuccess() && a.getIsDuplicate());
    }
    assertThat(world.countInRegion(b2.branchId)).isEqualTo(before + 300);

    // The branch itself sends them once more when it is back: acknowledged as duplicates, nothing pending after.
    b2.reconnect();
    world.awaitConverged(b2, Duration.ofSeconds(120));
    assertThat(world.countInRegion(b2.branchId)).isEqualTo(before + 300);
    world.assertExactlyOnce(b2);
  }

  @Test
  @Order(6)
  void aPriceChangedConcurrentlyAtTheRegionAndAtABranchEndsTheSameEverywhereByItsClock() throws Exception {
    b1.disconnect(); // the branch and the region do not see each other's change
    // Milk: the branch writes first, the region after (the region's write has the later clock and wins).
    b1.setPrice("p-milk", 150);
    Thread.sleep(20);
    setPriceAtRegion("p-milk", 175);
    // Bread: the region writes first, the branch after (the branch's write wins).
    setPriceAtRegion("p-bread", 333);
    Thread.sleep(20);
    b1.setPrice("p-bread", 444);
    assertThat(b1.product("p-milk").getPriceMinor()).isEqualTo(150);
    b1.reconnect();

    Map<String, Crdt> everywhere = world.awaitCrdtsEqual(Duration.ofSeconds(60));
    assertThat(((LwwRegister) everywhere.get("price:p-milk")).value()).isEqualTo("175");
    assertThat(((LwwRegister) everywhere.get("price:p-bread")).value()).isEqualTo("444");
    for (BranchAgent b : List.of(b1, b2)) {
      assertThat(b.product("p-milk").getPriceMinor()).as("milk at %s", b.branchId).isEqualTo(175);
      assertThat(b.product("p-bread").getPriceMinor()).as("bread at %s", b.branchId).isEqualTo(444);
    }
    // A sale at the branch uses the price that won.
    assertThat(b2.checkout("b2-milk-at-175", "p-milk", 1).getTotalMinor()).isEqualTo(175);
  }

  /**
   * The region's price change: an LWW register stamped with a region clock, merged through SyncCRDTState by the
   * region office's registered agent (the region merges only signed uploads).
   */
  void setPriceAtRegion(String productId, long priceMinor) throws Exception {
    BranchSigner office = new BranchSigner(region.keyDir, world.tenant, "region-office", "region-admin");
    region.register(region.running().get(0), office.registration());
    Hlc now = new Hlc(System.currentTimeMillis(), 0, "region-admin", 0);
    CRDTStateBundle bundle = CrdtBundles.toBundle("region-admin", "price:" + productId,
        LwwRegister.empty().set(Long.toString(priceMinor), now), now, 1);
    List<CRDTStateBundle> merged = RegionCluster.syncCrdts(region.async(region.running().get(0)), List.of(bundle),
        office);
    assertThat(((LwwRegister) CrdtBundles.fromBundle(merged.get(0))).value()).isEqualTo(Long.toString(priceMinor));
  }

  @Test
  @Order(7)
  void inTheEndEveryReplicaHoldsTheSameCrdtsAndKafkaHasEveryEvent() throws Exception {
    assertThat(region.running()).hasSize(3);
    Map<String, Crdt> crdts = world.awaitCrdtsEqual(Duration.ofSeconds(60));
    assertThat(crdts).containsKeys("tx-count", "catalog:active", "stock:p-water", "price:p-milk");
    // The merged stock counter is the region's stock; each branch's shelf is its own part of it, not the total.
    PnCounter water = (PnCounter) crdts.get("stock:p-water");
    long at1 = b1.product("p-water").getStockOnHand();
    long at2 = b2.product("p-water").getStockOnHand();
    assertThat(at1).isEqualTo(water.increments().counts().getOrDefault(b1.branchId, 0L)
        - water.decrements().counts().getOrDefault(b1.branchId, 0L));
    assertThat(at1 + at2).isEqualTo(water.value());
    world.assertExactlyOnce(b1);
    world.assertExactlyOnce(b2);
    world.assertAllInKafka(List.of(b1, b2));
  }
}
