package com.cps.dcs.regional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.eventstore.pg.PgDatabase;
import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.crdt.CrdtBundles;
import com.cps.dcs.kernel.crdt.LwwRegister;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.AgentMessage;
import com.cps.dcs.proto.v4.BatchAckResponse;
import com.cps.dcs.proto.v4.EventBatch;
import com.cps.dcs.proto.v4.GetEventRequest;
import com.cps.dcs.proto.v4.GetEventsRangeRequest;
import com.cps.dcs.proto.v4.ReconciliationRequest;
import com.cps.dcs.proto.v4.ReconciliationResponse;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.service.grpc.GrpcErrors;
import com.cps.dcs.testsupport.BranchSigner;
import com.cps.dcs.testsupport.ChildJvm;
import com.cps.dcs.testsupport.Kafka;
import com.cps.dcs.testsupport.Postgres;
import com.cps.dcs.testsupport.RegionCluster;
import com.cps.dcs.testsupport.TempDirs;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A real three-node region: three JVMs running the packaged regional agent, Ratis over gRPC between them, one
 * PostgreSQL, one Kafka broker; branch events sealed and signed exactly as a local agent makes them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegionRaftIT {
  static final String TENANT = "tenant-a";

  Postgres pg;
  String ownerUrl;
  String topic;
  RegionCluster cluster;
  BranchSigner b1;
  BranchSigner b2;
  final Set<String> committed = new HashSet<>();

  @BeforeAll
  void startRegion() throws Exception {
    pg = Postgres.shared();
    ownerUrl = pg.createDatabase("region_it");
    topic = "dcs.events.it." + UUID.randomUUID().toString().substring(0, 8);
    Kafka.shared().createTopic(topic, 4);
    Path dir = TempDirs.create("region-it");
    cluster = new RegionCluster(Path.of("target", "regional-agent.jar"), 3, TENANT, "region-it", ownerUrl, Kafka.shared().bootstrapServers(), topic, dir,
        200);
    cluster.startAll();
    cluster.awaitLeader(Duration.ofSeconds(60));
    b1 = new BranchSigner(cluster.keyDir, TENANT, "branch-1", "agent-branch-1");
    b2 = new BranchSigner(cluster.keyDir, TENANT, "branch-2", "agent-branch-2");
    register(cluster.running().get(0), b1);
    register(cluster.running().get(1), b2);
  }

  @AfterAll
  void stopRegion() {
    if (cluster != null) {
      cluster.close();
    }
  }

  AgentMessage register(String node, BranchSigner b) throws Exception {
    return cluster.register(node, b.registration());
  }

  BatchAckResponse stream(String node, List<SovereignFinancialEvent> events) throws Exception {
    return cluster.stream(node, events);
  }

  Connection owner() throws SQLException {
    return DriverManager.getConnection(ownerUrl);
  }

  long count(String sql) throws SQLException {
    try (Connection c = owner(); Statement s = c.createStatement()) {
      s.execute("SELECT set_config('app.tenant_id', '" + TENANT + "', false)");
      try (ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** The start of a reconciliation that covers every event of this test (a reconciliation covers at most 366 days). */
  static long since() {
    return System.currentTimeMillis() - Duration.ofDays(1).toMillis();
  }

  static String reason(StatusRuntimeException e) {
    return GrpcErrors.detail(GrpcErrors.statusOf(e), ErrorInfo.class).map(ErrorInfo::getReason).orElse("");
  }

  /** The status code a CRDT upload was refused with (syncCrdts waits on a future: the status is its cause). */
  static StatusRuntimeException refusal(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(t).isInstanceOf(java.util.concurrent.ExecutionException.class);
    assertThat(t.getCause()).isInstanceOf(StatusRuntimeException.class);
    return (StatusRuntimeException) t.getCause();
  }

  @Test
  @Order(0)
  void crdtUploadsAreMergedOnlyWhenSignedByARegisteredAgentOverExactlyTheseBundles() throws Exception {
    Hlc now = new Hlc(System.currentTimeMillis(), 0, b1.agentId(), 0);
    CRDTStateBundle price = CrdtBundles.toBundle(b1.branchId(), "price:p-upload-test",
        LwwRegister.empty().set("250", now), now, 1);
    CRDTStateBundle other = CrdtBundles.toBundle(b1.branchId(), "price:p-other",
        LwwRegister.empty().set("1", now), now, 1);
    BranchSigner stranger = new BranchSigner(cluster.keyDir, TENANT, "branch-9", "agent-never-registered");
    for (String node : cluster.running()) {
      var stub = cluster.async(node);
      StatusRuntimeException unsigned = refusal(() -> RegionCluster.syncCrdts(stub, List.of(price)));
      assertThat(unsigned.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(unsigned.getStatus().getDescription()).contains("dcs-upload-signature-bin");
      // b1's genuine signature, but over other bundles.
      var replayed = stub.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(
          b1.crdtUploadHeaders(List.of(other))));
      StatusRuntimeException forged = refusal(() -> RegionCluster.syncCrdts(replayed, List.of(price)));
      assertThat(forged.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(reason(forged)).isEqualTo("BAD_SIGNATURE");
      StatusRuntimeException unknown = refusal(() -> RegionCluster.syncCrdts(stub, List.of(price), stranger));
      assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(reason(unknown)).isEqualTo("UNKNOWN_AGENT");
      // A read (no bundles) needs no signature; nothing of the refused uploads was merged.
      assertThat(cluster.crdts(node)).extracting(CRDTStateBundle::getCrdtId)
          .doesNotContain("price:p-upload-test", "price:p-other");
    }
    List<CRDTStateBundle> merged = RegionCluster.syncCrdts(cluster.async(cluster.running().get(1)), List.of(price),
        b1);
    assertThat(merged.get(0).getCrdtId()).isEqualTo("price:p-upload-test");
    assertThat(((LwwRegister) CrdtBundles.fromBundle(merged.get(0))).value()).isEqualTo("250");
  }

  @Test
  @Order(1)
  void aForgedEventAnUnknownAgentAndAnUnsealedEventAreRefusedByEveryNodeAndNothingIsWritten() throws Exception {
    SovereignFinancialEvent genuine = b1.nextSale(1250);
    // The amount changed after signing: the HMAC, the hash and the signature no longer match.
    SovereignFinancialEvent forged = genuine.toBuilder().setAmountMinor(125_000).setAmount(1250.00).build();
    BranchSigner stranger = new BranchSigner(cluster.keyDir, TENANT, "branch-9", "agent-never-registered");
    SovereignFinancialEvent fromStranger = stranger.nextSale(999);
    SovereignFinancialEvent unsealed = genuine.toBuilder().clearDigitalSignature().build();
    for (String node : cluster.running()) {
      assertThatThrownBy(() -> cluster.blocking(node).broadcastFinancialEvent(forged))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(reason(e)).isEqualTo("FORGED_EVENT");
          });
      assertThatThrownBy(() -> cluster.blocking(node).broadcastFinancialEvent(fromStranger))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(reason(e)).isEqualTo("UNKNOWN_AGENT");
          });
      assertThatThrownBy(() -> cluster.blocking(node).broadcastFinancialEvent(unsealed))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
      // In a batch the forged event gets a failed ack; the genuine one beside it is committed.
      BatchAckResponse acks = stream(node, List.of(forged));
      assertThat(acks.getTotalFailed()).isEqualTo(1);
      assertThat(acks.getIndividualResponses(0).getMessage()).contains("PERMISSION_DENIED");
    }
    assertThat(count("SELECT count(*) FROM event_store WHERE event_id IN ('" + forged.getEventId() + "', '"
        + fromStranger.getEventId() + "')")).isZero();
    // The genuine event is accepted, once, whichever node gets it and however often.
    AckResponse first = cluster.blocking(cluster.running().get(2)).broadcastFinancialEvent(genuine);
    AckResponse again = cluster.blocking(cluster.running().get(0)).broadcastFinancialEvent(genuine);
    assertThat(first.getSuccess()).isTrue();
    assertThat(first.getIsDuplicate()).isFalse();
    assertThat(again.getIsDuplicate()).isTrue();
    assertThat(again.getReceiptHash()).isEqualTo(first.getReceiptHash());
    committed.add(genuine.getEventId());
    assertThat(count("SELECT count(*) FROM event_store WHERE event_id = '" + genuine.getEventId() + "'"))
        .isEqualTo(1);
  }

  @Test
  @Order(2)
  void killingTheLeaderInTheMiddleOfAStreamOfBatchesLosesAndDuplicatesNothing() throws Exception {
    int batches = 24;
    int perBatch = 150;
    List<List<SovereignFinancialEvent>> all = new ArrayList<>();
    for (int i = 0; i < batches; i++) {
      all.add((i % 2 == 0 ? b1 : b2).nextSales(perBatch));
    }
    String killed = null;
    int retries = 0;
    int next = 0;
    for (int i = 0; i < batches; i++) {
      if (i == batches / 3) {
        killed = cluster.awaitLeader(Duration.ofSeconds(30));
        cluster.kill(killed); // SIGKILL, mid-stream
      }
      List<SovereignFinancialEvent> batch = all.get(i);
      BatchAckResponse acks = null;
      for (int attempt = 0; attempt < 20 && acks == null; attempt++) {
        List<String> alive = cluster.running();
        String node = alive.get(next++ % alive.size());
        try {
          acks = stream(node, batch);
          if (acks.getTotalFailed() > 0) {
            throw new AssertionError("batch " + i + " refused at " + node + ": " + acks);
          }
        } catch (java.util.concurrent.ExecutionException e) {
          retries++; // no leader yet, or the node died: the same batch again, elsewhere
          acks = null;
          Thread.sleep(200);
        }
      }
      assertThat(acks).as("batch %d committed", i).isNotNull();
      assertThat(acks.getIndividualResponsesList()).allMatch(AckResponse::getSuccess);
      batch.forEach(e -> committed.add(e.getEventId()));
    }
    // A client that never saw its acks sends a whole batch again: every event is a duplicate, nothing is added.
    BatchAckResponse replay = stream(cluster.running().get(0), all.get(batches / 3));
    assertThat(replay.getIndividualResponsesList()).allMatch(a -> a.getSuccess() && a.getIsDuplicate());

    int total = committed.size();
    assertThat(count("SELECT count(*) FROM event_store")).isEqualTo(total);
    assertThat(count("SELECT count(*) FROM (SELECT event_id FROM event_store GROUP BY event_id"
        + " HAVING count(*) > 1) d")).isZero();
    assertThat(count("SELECT count(*) FROM event_index")).isEqualTo(total);
    Set<String> inPg = new HashSet<>();
    try (Connection c = owner(); Statement s = c.createStatement()) {
      s.execute("SELECT set_config('app.tenant_id', '" + TENANT + "', false)");
      try (ResultSet rs = s.executeQuery("SELECT event_id FROM event_store")) {
        while (rs.next()) {
          inPg.add(rs.getString(1));
        }
      }
    }
    assertThat(inPg).isEqualTo(committed);

    // Kafka: every committed event at least once (the outbox drains; duplicates are allowed, losses are not).
    Set<String> inKafka = new HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!inKafka.containsAll(committed) && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : Kafka.shared().readAll(topic, Duration.ofSeconds(10), total)) {
        SovereignFinancialEvent e = SovereignFinancialEvent.parseFrom(r.value());
        assertThat(new String(r.key())).isEqualTo(e.getStreamId());
        inKafka.add(e.getEventId());
      }
    }
    assertThat(inKafka).containsAll(committed);
    assertThat(count("SELECT count(*) FROM outbox")).isZero();
    System.out.printf("leader %s killed after %d batches; %d retried batch sends; %d events exactly once%n", killed,
        batches / 3, retries, total);
    restartKilled = killed;
  }

  String restartKilled;

  @Test
  @Order(3)
  void aNodeThatMissedAThousandEntriesCatchesUpFromSnapshotAndLog() throws Exception {
    String down = restartKilled;
    assertThat(down).isNotNull();
    String leader = cluster.awaitLeader(Duration.ofSeconds(30));
    // 1,100 entries while the node is down: one event per call, one call after the other, so one entry each.
    for (int i = 0; i < 1100; i++) {
      SovereignFinancialEvent e = (i % 2 == 0 ? b1 : b2).nextSale(100 + i);
      AckResponse a = cluster.blocking(leader).broadcastFinancialEvent(e);
      assertThat(a.getSuccess()).isTrue();
      committed.add(e.getEventId());
    }
    long target = cluster.commitIndex(leader);
    cluster.start(down, List.of("n1", "n2", "n3"), false);
    cluster.awaitServing(down);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (cluster.appliedIndex(down) < target && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(cluster.appliedIndex(down)).isGreaterThanOrEqualTo(target);
    // Its replicated state came back too: it knows both branches' keys, so it verifies and ingests their events.
    SovereignFinancialEvent e = b2.nextSale(4242);
    AckResponse a = cluster.blocking(down).broadcastFinancialEvent(e);
    assertThat(a.getSuccess()).isTrue();
    assertThat(a.getIsDuplicate()).isFalse();
    committed.add(e.getEventId());
    assertThat(count("SELECT count(*) FROM event_store")).isEqualTo(committed.size());
    // Snapshots were taken (threshold 200) and recorded.
    assertThat(count("SELECT count(*) FROM snapshots")).isPositive();
  }

  @Test
  @Order(4)
  void everyNodeServesReadsAndReconciliationOfAnyBranchFromPostgres() throws Exception {
    for (String node : cluster.running()) {
      String someId = committed.iterator().next();
      SovereignFinancialEvent e = cluster.blocking(node).getEventById(GetEventRequest.newBuilder().setEventId(someId)
          .setIncludePayload(true).build());
      assertThat(e.getEventId()).isEqualTo(someId);
      assertThat(e.getReceivedAt()).isPositive();
      // Paging in commit order through one branch sees each of its events once.
      Set<String> seen = new HashSet<>();
      String cursor = "";
      int pages = 0;
      do {
        EventBatch page = cluster.blocking(node).getEventsByRange(GetEventsRangeRequest.newBuilder()
            .setBranchId("branch-1").setLimit(1000).setCursor(cursor).build());
        page.getEventsList().forEach(ev -> assertThat(seen.add(ev.getEventId())).isTrue());
        cursor = page.getNextCursor();
        pages++;
      } while (!cursor.isEmpty());
      assertThat(pages).isGreaterThan(1);
      assertThat((long) seen.size()).isEqualTo(count("SELECT count(*) FROM event_store WHERE branch_id = 'branch-1'"));
    }
    long sum = count("SELECT COALESCE(sum(amount_minor), 0) FROM event_store WHERE branch_id = 'branch-2'");
    ReconciliationResponse r = cluster.blocking(cluster.running().get(0)).requestReconciliation(
        ReconciliationRequest.newBuilder().setBranchId("branch-2").setStartTimestamp(since())
            .setExpectedBalance(sum / 100.0).build());
    assertThat(r.getIsBalanced()).isTrue();
    assertThat(r.getDiscrepancyEventIdsList()).isEmpty();
    ReconciliationResponse wrong = cluster.blocking(cluster.running().get(1)).requestReconciliation(
        ReconciliationRequest.newBuilder().setBranchId("branch-2").setStartTimestamp(since())
            .setExpectedBalance(sum / 100.0 + 1).build());
    assertThat(wrong.getIsBalanced()).isFalse();
  }

  @Test
  @Order(5)
  void membersAreAddedAndRemovedAtRunTime() throws Exception {
    String spare = cluster.addSpare();
    cluster.start(spare, List.of(spare), true);
    cluster.awaitServing(spare);
    String contacts = cluster.peers(List.of("n1", "n2", "n3"));
    runMembers(contacts, "add", cluster.peers(List.of(spare)));
    String leader = cluster.awaitLeader(Duration.ofSeconds(30));
    long target = cluster.commitIndex(leader);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (cluster.appliedIndex(spare) < target && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(cluster.appliedIndex(spare)).isGreaterThanOrEqualTo(target);
    SovereignFinancialEvent e = b1.nextSale(777);
    assertThat(cluster.blocking(spare).broadcastFinancialEvent(e).getSuccess()).isTrue();
    committed.add(e.getEventId());
    runMembers(contacts, "remove", spare);
    SovereignFinancialEvent after = b1.nextSale(778);
    assertThat(cluster.blocking(leader).broadcastFinancialEvent(after).getSuccess()).isTrue();
    committed.add(after.getEventId());
    cluster.kill(spare);
  }

  void runMembers(String contacts, String op, String peers) {
    try (ChildJvm cli = ChildJvm.builder().jar(cluster.jar).env("DCS_RAFT_PEERS", contacts)
        .env("DCS_REGION_ID", cluster.regionId).arg("members").arg(op).arg(peers)
        .logTo(cluster.logDir.resolve("members-" + op + ".log")).start()) {
      cli.awaitLogLine("region region-it members: ", Duration.ofSeconds(90));
    }
  }

  @Test
  @Order(6)
  void theApplicationRoleSeesNoRowOfAnotherTenantThroughTablesViewsOrFunctions() throws Exception {
    // Another tenant's rows, written as the owner (RLS is forced on the owner too, so it names its tenant).
    try (Connection c = owner()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT set_config('app.tenant_id', 'tenant-b', true)");
        s.execute("INSERT INTO event_store (tenant_id, branch_id, stream_id, stream_version, event_id, event_type,"
            + " idempotency_key, amount_minor, currency, event_ts, hlc_physical_ms, hlc_logical, event_hash,"
            + " event_bytes) VALUES ('tenant-b', 'branch-b', 'sales-b', 1, 'b-event-1', 2, 'k-b-1', 5000, 'EUR',"
            + " now(), 1, 0, 'h', '\\x00')");
        s.execute("INSERT INTO agent_registry (tenant_id, agent_id, agent_type, branch_id, status, public_key,"
            + " registration, last_heartbeat) VALUES ('tenant-b', 'agent-b', 'LOCAL_AGENT', 'branch-b', 'AGENT_ACTIVE',"
            + " '\\x00', '\\x00', now())");
      }
      c.commit();
    }
    String appUrl = PgDatabase.withoutCredentials(ownerUrl);
    try (Connection app = DriverManager.getConnection(appUrl, "dcs_app", "")) {
      assertThat(scalar(app, "SELECT current_user")).isEqualTo("dcs_app");
      assertThat(scalar(app, "SELECT rolbypassrls::text FROM pg_roles WHERE rolname = current_user"))
          .isEqualTo("false");
      app.setAutoCommit(false);
      try (Statement s = app.createStatement()) {
        s.execute("SELECT set_config('app.tenant_id', '" + TENANT + "', true)");
      }
      assertThat(scalar(app, "SELECT count(*) FROM event_store WHERE tenant_id = 'tenant-b'")).isEqualTo("0");
      assertThat(scalar(app, "SELECT count(*) FROM event_store WHERE branch_id = 'branch-b'")).isEqualTo("0");
      assertThat(scalar(app, "SELECT count(*) FROM agent_registry WHERE tenant_id = 'tenant-b'")).isEqualTo("0");
      assertThat(scalar(app, "SELECT count(*) FROM branch_event_totals WHERE branch_id = 'branch-b'")).isEqualTo("0");
      assertThat(scalar(app, "SELECT dcs_event_count('branch-b')")).isEqualTo("0");
      // ... while its own rows are there through the same paths (so the checks above can fail).
      assertThat(Long.parseLong(scalar(app, "SELECT count(*) FROM event_store"))).isEqualTo(committed.size());
      assertThat(Long.parseLong(scalar(app, "SELECT dcs_event_count('branch-1')"))).isPositive();
      assertThat(Long.parseLong(scalar(app, "SELECT count(*) FROM branch_event_totals"))).isEqualTo(2);
      // Writing another tenant's row is refused too.
      assertThatThrownBy(() -> scalar(app, "INSERT INTO agent_registry (tenant_id, agent_id, agent_type, branch_id,"
          + " status, public_key, registration, last_heartbeat) VALUES ('tenant-b', 'x', 'LOCAL_AGENT', 'b', 'A',"
          + " '\\x00', '\\x00', now()) RETURNING 1")).isInstanceOf(SQLException.class)
          .hasMessageContaining("row-level security");
      app.rollback();
      // With no tenant set, nothing at all.
      try (Statement s = app.createStatement()) {
        s.execute("SELECT set_config('app.tenant_id', '', true)");
      }
      assertThat(scalar(app, "SELECT count(*) FROM event_store")).isEqualTo("0");
      app.rollback();
    }
    // Every table with a tenant_id column has row-level security enabled and forced.
    try (Connection c = owner(); PreparedStatement ps = c.prepareStatement("SELECT c.relname FROM pg_class c"
        + " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid"
        + " WHERE n.nspname = 'public' AND a.attname = 'tenant_id' AND c.relkind IN ('r', 'p')"
        + " AND NOT c.relispartition AND NOT (c.relrowsecurity AND c.relforcerowsecurity)")) {
      try (ResultSet rs = ps.executeQuery()) {
        List<String> open = new ArrayList<>();
        while (rs.next()) {
          open.add(rs.getString(1));
        }
        assertThat(open).as("tenant tables without forced RLS").isEmpty();
      }
    }
  }

  static String scalar(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
