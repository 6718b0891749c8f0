package com.cps.dcs.query;

import static com.cps.dcs.query.Events.event;
import static com.cps.dcs.query.Events.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cps.dcs.proto.v4.BranchQuery;
import com.cps.dcs.proto.v4.BranchSummary;
import com.cps.dcs.proto.v4.DashboardSubscription;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.InventoryQuery;
import com.cps.dcs.proto.v4.LedgerQuery;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import com.cps.dcs.proto.v4.SalesReportQuery;
import com.cps.dcs.testsupport.FreePorts;
import com.cps.dcs.testsupport.Kafka;
import com.cps.dcs.testsupport.Postgres;
import com.cps.dcs.testsupport.Refusals;
import com.cps.dcs.testsupport.Refusals.Refusal;
import com.cps.dcs.testsupport.TempDirs;
import com.cps.dcs.testsupport.TestCredentials;
import com.google.rpc.Code;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A hostile or careless caller of the query service over real gRPC (read models in a real PostgreSQL, fed from a
 * real Kafka topic): every bad request is refused with the status and the field it deserves, never a database error,
 * and the read models it reads are the same afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryHostileIT {
  static final Instant NOW = Instant.parse("2026-11-22T15:00:00Z");
  QueryService service;
  ManagedChannel channel;
  final java.nio.file.Path keyDir = TempDirs.create("qs-keys");
  BranchSummary baseline;

  @BeforeAll
  void start() throws Exception {
    String topic = "qs-hostile-" + UUID.randomUUID();
    Kafka.shared().createTopic(topic, 1);
    service = QueryService.start(new QueryConfig(FreePorts.allocate(), Postgres.shared().createDatabase("qs_hostile"),
        Kafka.shared().bootstrapServers(), topic, "tenant-h", "qs-hostile-" + UUID.randomUUID(), keyDir, TestCredentials.ADMIN_TOKEN),
        new SimpleMeterRegistry(), InstantSource.fixed(NOW));
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", service.grpcPort()).usePlaintext()
        .intercept(TestCredentials.admin()).build();
    var p = new java.util.Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Kafka.shared().bootstrapServers());
    try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      var sale = event("tenant-h", "b1", "sale-1", 1, EventType.SALE_COMPLETED, 1190,
          Instant.parse("2026-11-22T10:00:00Z"), EventFacts.newBuilder().addLines(line("p1", "food", 1, 1190))
              .build());
      producer.send(new ProducerRecord<>(topic, sale.getStreamId(), sale.toByteArray())).get();
    }
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() ->
        stub().getBranchSummary(BranchQuery.newBuilder().setBranchId("b1").build()).getTodayTransactions() == 1);
    baseline = summary();
  }

  @AfterAll
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (service != null) {
      service.close();
    }
  }

  QueryProtocolGrpc.QueryProtocolBlockingStub stub() {
    return QueryProtocolGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofSeconds(30));
  }

  BranchSummary summary() {
    return stub().getBranchSummary(BranchQuery.newBuilder().setBranchId("b1").build()).toBuilder().clearLastUpdated()
        .build();
  }

  @AfterEach
  void readModelsAreUnchanged() {
    assertThat(summary()).isEqualTo(baseline);
  }

  static void invalid(Refusals.Call call, String field) {
    Refusal r = Refusals.of(call);
    assertThat(r.code()).as(r.message()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(r.fields()).as(r.message()).containsExactly(field);
  }

  @Test
  void aBranchIdWithANulByteIsInvalidNotADatabaseError() {
    invalid(() -> stub().getBranchSummary(BranchQuery.newBuilder().setBranchId("b1\u0000").build()), "branch_id");
  }

  @Test
  void aMissingOrOverlongBranchIdIsInvalid() {
    invalid(() -> stub().getBranchSummary(BranchQuery.getDefaultInstance()), "branch_id");
    invalid(() -> stub().getBranchSummary(BranchQuery.newBuilder().setBranchId("b".repeat(129)).build()),
        "branch_id");
  }

  @Test
  void aNegativeOrAbsurdAsOfTimeIsInvalid() {
    invalid(() -> stub().getBranchSummary(BranchQuery.newBuilder().setBranchId("b1").setAsOfTimestamp(-1).build()),
        "as_of_timestamp");
    invalid(() -> stub().getBranchSummary(BranchQuery.newBuilder().setBranchId("b1")
        .setAsOfTimestamp(Long.MAX_VALUE).build()), "as_of_timestamp");
  }

  @Test
  void aHostileProductIdIsInvalid() {
    invalid(() -> stub().getInventoryStatus(InventoryQuery.newBuilder().setBranchId("b1").setProductId("p\u0000")
        .build()), "product_id");
    invalid(() -> stub().getInventoryStatus(InventoryQuery.newBuilder().setBranchId("b1").build()), "product_id");
  }

  @Test
  void aHostileAccountCodeIsInvalid() {
    invalid(() -> stub().getLedgerBalance(LedgerQuery.newBuilder().setBranchId("b1").setAccountCode("1000\n")
        .build()), "account_code");
  }

  @Test
  void aReportWithAnUnknownGroupingOrAnUpsideDownRangeIsInvalid() {
    invalid(() -> stub().getSalesReport(SalesReportQuery.newBuilder().setBranchId("b1").setGroupBy("decade")
        .build()), "group_by");
    invalid(() -> stub().getSalesReport(SalesReportQuery.newBuilder().setBranchId("b1").setStartDate(2_000_000)
        .setEndDate(1_000_000).build()), "end_date");
    invalid(() -> stub().getSalesReport(SalesReportQuery.newBuilder().setBranchId("b1").setStartDate(-5).build()),
        "start_date");
  }

  @Test
  void aDashboardSubscriptionWithHostileSettingsIsInvalid() {
    invalid(() -> stub().subscribeDashboard(DashboardSubscription.newBuilder().setBranchId("b1")
        .setUpdateIntervalMs(-1).build()).hasNext(), "update_interval_ms");
    invalid(() -> stub().subscribeDashboard(DashboardSubscription.newBuilder().setBranchId("b1")
        .setUpdateIntervalMs(Integer.MAX_VALUE).build()).hasNext(), "update_interval_ms");
    invalid(() -> stub().subscribeDashboard(DashboardSubscription.newBuilder().setBranchId("b1")
        .addMetrics("rm -rf").build()).hasNext(), "metrics");
    DashboardSubscription.Builder many = DashboardSubscription.newBuilder().setBranchId("b1");
    for (int i = 0; i < 50; i++) {
      many.addMetrics("today_sales");
    }
    invalid(() -> stub().subscribeDashboard(many.build()).hasNext(), "metrics");
  }

  @Test
  void anOversizedRequestIsRefusedBeforeTheServiceSeesIt() {
    Refusal r = Refusals.of(() -> stub().getBranchSummary(BranchQuery.newBuilder().setBranchId("b".repeat(70_000))
        .build()));
    assertThat(r.code()).isEqualTo(Code.RESOURCE_EXHAUSTED);
    assertThat(r.reason()).isEqualTo("REQUEST_TOO_LARGE");
  }

  @Test
  void anUnknownBranchIsNotFoundAndLeaksNothing() {
    Refusal r = Refusals.of(() -> stub().getBranchSummary(BranchQuery.newBuilder().setBranchId("b-unknown").build()));
    assertThat(r.code()).isEqualTo(Code.NOT_FOUND);
  }

  // --- who calls ---------------------------------------------------------------------------------------------------

  /** The branch summary of b1 as read with {@code token} (null: no credential), refused or not. */
  Refusal summaryAs(String token) {
    ManagedChannel bare = ManagedChannelBuilder.forAddress("127.0.0.1", service.grpcPort()).usePlaintext().build();
    try {
      var stub = QueryProtocolGrpc.newBlockingStub(bare).withDeadlineAfter(Duration.ofSeconds(30));
      var called = token == null ? stub : stub.withInterceptors(TestCredentials.bearer(token));
      return Refusals.of(() -> called.getBranchSummary(BranchQuery.newBuilder().setBranchId("b1").build()));
    } finally {
      bare.shutdownNow();
    }
  }

  @Test
  void aCallerWithoutAValidCredentialOfThisTenantIsUnauthenticated() {
    assertThat(summaryAs(null).code()).isEqualTo(Code.UNAUTHENTICATED);
    assertThat(summaryAs("dcs1.not.a-token").code()).isEqualTo(Code.UNAUTHENTICATED);
    String expired = com.cps.dcs.service.auth.TokenMinter.fromKeyDir(keyDir, "tenant-h",
        InstantSource.fixed(Instant.now().minus(Duration.ofDays(2)))).manager("9001", List.of("b1")).token();
    assertThat(summaryAs(expired).code()).isEqualTo(Code.UNAUTHENTICATED);
    // a token of the same tenant name signed by another tenant's key: indistinguishable from a forged one
    String foreign = com.cps.dcs.service.auth.TokenMinter.fromKeyDir(TempDirs.create("qs-other-keys"), "tenant-h",
        InstantSource.system()).admin("mallory").token();
    assertThat(summaryAs(foreign).code()).isEqualTo(Code.UNAUTHENTICATED);
  }

  @Test
  void aManagerReadsTheirBranchOnly() {
    var minter = com.cps.dcs.service.auth.TokenMinter.fromKeyDir(keyDir, "tenant-h", InstantSource.system());
    ManagedChannel bare = ManagedChannelBuilder.forAddress("127.0.0.1", service.grpcPort()).usePlaintext().build();
    try {
      assertThat(QueryProtocolGrpc.newBlockingStub(bare).withInterceptors(TestCredentials.bearer(
          minter.manager("9001", List.of("b1")).token())).getBranchSummary(BranchQuery.newBuilder()
          .setBranchId("b1").build()).getTodayTransactions()).isEqualTo(1);
    } finally {
      bare.shutdownNow();
    }
    Refusal elsewhere = summaryAs(minter.manager("9002", List.of("b2")).token());
    assertThat(elsewhere.code()).isEqualTo(Code.PERMISSION_DENIED);
    assertThat(elsewhere.reason()).isEqualTo("BRANCH_NOT_IN_SCOPE");
  }
}
