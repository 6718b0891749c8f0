package com.cps.dcs.suite;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.eventstore.sqlite.SqliteDatabase;
import com.cps.dcs.eventstore.sqlite.SqliteEventLog;
import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.event.EventSealer;
import com.cps.dcs.kernel.chain.HashChain;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.kernel.validation.EventRules;
import com.cps.dcs.proto.ops.v1.ListQuarantinedRequest;
import com.cps.dcs.proto.ops.v1.QuarantineServiceGrpc;
import com.cps.dcs.proto.ops.v1.QuarantinedEvent;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.BranchQuery;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.testsupport.BranchAgent;
import com.cps.dcs.testsupport.BranchSigner;
import com.cps.dcs.testsupport.RegionCluster;
import com.cps.dcs.testsupport.TestCredentials;
import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A poison event never wedges the region: a branch's log holds an event with a NUL byte in its stream id (which
 * PostgreSQL cannot store) and one the region's rules refuse (an amount past the largest an event may carry), both
 * written as an older branch version wrote them. Real processes: two local agents, three regional nodes, PostgreSQL,
 * Kafka. Both events are quarantined on every node, the branch marks them refused and stops sending them, and the
 * sales after them, of that branch and another, reach PostgreSQL and Kafka.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoisonEventIT {
  SyncWorld world;
  RegionCluster region;
  BranchAgent b1;
  BranchAgent b2;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void setUp() throws Exception {
    world = new SyncWorld("poison-it");
    region = world.region; // C1-only JVMs with small heaps: test-support's defaults for child processes
    b1 = world.branch("branch-1", 1);
    b2 = world.branch("branch-2", 1);
    region.startAll();
    region.awaitLeader(Duration.ofSeconds(60));
    b1.start();
    b2.start();
  }

  @AfterAll
  void tearDown() {
    if (world != null) {
      world.close();
    }
  }

  @Test
  void poisonEventsAreQuarantinedOnEveryNodeRefusedByTheirBranchAndTheSalesAfterThemArrive() throws Exception {
    // The branch registers with the region and syncs a first sale: its key file exists, the region knows the agent.
    assertThat(b1.sell(100).getSuccess()).isTrue();
    await("branch-1's first sale at the region", Duration.ofSeconds(90), () -> b1.pending() == 0
        && count(b1.branchId) == b1.events().size());

    // Written into the stopped branch's log as a version without today's input rules did: sealed, signed and
    // chained with the branch's own key, then the branch starts again and syncs them like any other event.
    b1.stop();
    BranchSigner signer = new BranchSigner(region.keyDir, world.tenant, b1.branchId, b1.agentId);
    SovereignFinancialEvent nul = legacySale("a\u0000b", 500);
    SovereignFinancialEvent tooLarge = legacySale("sales-legacy", EventRules.MAX_AMOUNT_MINOR + 1);
    List<SovereignFinancialEvent> poison = appendToLog(world.dir.resolve(b1.branchId).resolve("local-agent.db"),
        signer, List.of(nul, tooLarge));
    b1.start();

    // Quarantined on every node, with the reason; the Raft entry completed on each (the log moved on).
    await("both events quarantined on every node", Duration.ofSeconds(90), () -> region.running().stream()
        .allMatch(n -> quarantinedMetric(n) >= 2));
    Set<String> poisonIds = new HashSet<>(poison.stream().map(SovereignFinancialEvent::getEventId).toList());
    for (String n : region.running()) {
      List<QuarantinedEvent> listed = QuarantineServiceGrpc.newBlockingStub(region.channel(n))
          .withDeadlineAfter(10, TimeUnit.SECONDS).listQuarantined(ListQuarantinedRequest.newBuilder()
              .setBranchId(b1.branchId).build()).getEventsList();
      assertThat(listed).extracting(QuarantinedEvent::getEventId).containsExactlyInAnyOrderElementsOf(poisonIds);
      QuarantinedEvent q = listed.stream().filter(e -> e.getEventId().equals(nul.getEventId())).findFirst()
          .orElseThrow();
      assertThat(q.getStreamId()).isEqualTo("a\\u0000b");
      assertThat(q.getReason()).contains("stream_id");
      assertThat(SovereignFinancialEvent.parseFrom(q.getEventBytes())).isEqualTo(poison.get(0));
      assertThat(listed.stream().filter(e -> e.getEventId().equals(tooLarge.getEventId())).findFirst()
          .orElseThrow().getReason()).contains("amount_minor");
    }

    // The branch marks them refused, has nothing pending, and leaves them out of its own figures.
    await("branch-1 marks both refused", Duration.ofSeconds(60), () -> b1.meter("dcs.sync.events.refused") == 2
        && b1.pending() == 0);
    double quarantinedBefore = quarantinedMetric(region.awaitLeader(Duration.ofSeconds(30)));

    // The next 100 sales of the same branch and of another reach PostgreSQL and Kafka.
    long b1Before = count(b1.branchId);
    long b2Before = count(b2.branchId);
    List<String> sold = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      AckResponse a1 = b1.sell(1000 + i);
      AckResponse a2 = b2.sell(2000 + i);
      assertThat(a1.getSuccess()).isTrue();
      assertThat(a2.getSuccess()).isTrue();
      sold.add(a1.getEventId());
      sold.add(a2.getEventId());
    }
    await("200 sales at the region", Duration.ofSeconds(120), () -> count(b1.branchId) == b1Before + 100
        && count(b2.branchId) == b2Before + 100 && b1.pending() == 0 && b2.pending() == 0);
    Set<String> stored = new HashSet<>(world.inRegion(b1.branchId).keySet());
    stored.addAll(world.inRegion(b2.branchId).keySet());
    assertThat(stored).containsAll(sold).doesNotContainAnyElementsOf(poisonIds);
    world.assertAllInKafka(List.of(b1, b2));
    assertThat(world.readToEnd()).extracting(r -> SovereignFinancialEvent.parseFrom(r.value()).getEventId())
        .doesNotContainAnyElementsOf(poisonIds);

    // Never sent again: the region quarantined nothing more while the branch synced 100 more events.
    String leader = region.awaitLeader(Duration.ofSeconds(30));
    assertThat(quarantinedMetric(leader)).isEqualTo(quarantinedBefore);
    assertThat(b1.meter("dcs.sync.events.refused")).isEqualTo(2);

    // The branch's own figures count its sales and not the refused events.
    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", b1.grpcPort).usePlaintext()
        .intercept(TestCredentials.admin()).build();
    try {
      long today = QueryProtocolGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
          .getBranchSummary(BranchQuery.newBuilder().build()).getTodaySalesMinor();
      long expected = 100 + java.util.stream.LongStream.range(0, 100).map(i -> 1000 + i).sum();
      assertThat(today).isEqualTo(expected);
    } finally {
      ch.shutdownNow();
    }
  }

  private SovereignFinancialEvent legacySale(String stream, long amountMinor) {
    long now = System.currentTimeMillis();
    String id = UuidV7.next().toString();
    return SovereignFinancialEvent.newBuilder().setEventId(id).setTenantId(world.tenant).setBranchId(b1.branchId)
        .setAgentId(b1.agentId).setStreamId(stream).setStreamVersion(1).setType(EventType.SALE_COMPLETED)
        .setAmountMinor(amountMinor).setAmount(amountMinor / 100.0).setCurrency("EUR")
        .setIdempotencyKey("legacy-" + id).setCreatedBy("cashier-1001")
        .setCausalContext(CausalContext.newBuilder().setHlc(new Hlc(now, 0, b1.agentId, 0).toProto()))
        .setTs(Timestamp.newBuilder().setSeconds(now / 1000).setNanos((int) (now % 1000) * 1_000_000)).build();
  }

  /** Appends sealed drafts to a stopped branch's log after its chain head, as the branch's append does. */
  private static List<SovereignFinancialEvent> appendToLog(Path dbFile, BranchSigner signer,
      List<SovereignFinancialEvent> drafts) {
    try (SqliteDatabase db = SqliteDatabase.open(dbFile)) {
      return db.inTransaction(c -> {
        byte[] link = SqliteEventLog.meta(c, "chain_head").orElse(HashChain.GENESIS);
        List<SovereignFinancialEvent> out = new ArrayList<>();
        for (SovereignFinancialEvent d : drafts) {
          SovereignFinancialEvent sealed = signer.seal(d, link);
          link = EventSealer.chainLinkOf(sealed);
          SqliteEventLog.insert(c, sealed, AckResponse.newBuilder().setSuccess(true).setEventId(d.getEventId())
              .setMessage("appended").build(), "legacy:" + d.getEventId(), true);
          out.add(sealed);
        }
        SqliteEventLog.putMeta(c, "chain_head", link);
        return out;
      });
    }
  }

  private long count(String branchId) {
    try {
      return world.countInRegion(branchId);
    } catch (java.sql.SQLException e) {
      return -1;
    }
  }

  private static final Pattern VALUE = Pattern.compile("\"statistic\":\"COUNT\",\"value\":([0-9.eE+-]+)");

  /** The node's dcs.region.events.quarantined counter; -1 when it does not answer. */
  private double quarantinedMetric(String node) {
    try {
      String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + region.ports.get(node)[2]
          + "/actuator/metrics/dcs.region.events.quarantined")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      Matcher m = VALUE.matcher(body);
      return m.find() ? Double.parseDouble(m.group(1)) : -1;
    } catch (java.io.IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static void await(String what, Duration timeout, Supplier<Boolean> condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (condition.get()) {
          return;
        }
      } catch (RuntimeException e) {
        // a process between restarts: ask again
      }
      Thread.sleep(200);
    }
    throw new AssertionError("not within " + timeout + ": " + what);
  }
}
