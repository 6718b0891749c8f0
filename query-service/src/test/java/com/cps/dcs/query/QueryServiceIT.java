package com.cps.dcs.query;

import static com.cps.dcs.query.Events.event;
import static com.cps.dcs.query.Events.line;
import static com.cps.dcs.query.Events.posting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.cps.dcs.proto.v4.BranchQuery;
import com.cps.dcs.proto.v4.BranchSummary;
import com.cps.dcs.proto.v4.DashboardSubscription;
import com.cps.dcs.proto.v4.DashboardUpdate;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.InventoryQuery;
import com.cps.dcs.proto.v4.InventoryStatus;
import com.cps.dcs.proto.v4.LedgerBalance;
import com.cps.dcs.proto.v4.LedgerQuery;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import com.cps.dcs.proto.v4.SalesReport;
import com.cps.dcs.proto.v4.SalesReportQuery;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.query.projection.ProjectionStore;
import com.cps.dcs.query.projection.Rebuilder;
import com.cps.dcs.query.store.ReadModels;
import com.cps.dcs.service.grpc.GrpcErrors;
import com.cps.dcs.testsupport.FreePorts;
import com.cps.dcs.testsupport.Kafka;
import com.cps.dcs.testsupport.Postgres;
import com.cps.dcs.testsupport.TempDirs;
import com.cps.dcs.testsupport.TestCredentials;
import com.google.rpc.BadRequest;
import com.zaxxer.hikari.HikariDataSource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real Kafka broker, real PostgreSQL, real gRPC: events in, exact answers out. */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class QueryServiceIT {
  private static final Instant NOW = Instant.parse("2026-11-22T15:00:00Z");
  private static final Instant T1 = Instant.parse("2026-11-22T10:15:00Z");
  private static final Instant T2 = Instant.parse("2026-11-22T11:40:00Z");
  private static final Instant YESTERDAY = Instant.parse("2026-11-21T09:00:00Z");

  static String pgUrl;
  static String topic;
  static QueryService service;
  static ManagedChannel channel;
  static QueryProtocolGrpc.QueryProtocolBlockingStub stub;
  static KafkaProducer<String, byte[]> producer;
  static final List<SovereignFinancialEvent> sent = new ArrayList<>();
  static long records;

  @BeforeAll
  static void start() {
    pgUrl = Postgres.shared().createDatabase("qs_it");
    topic = "qs-it-" + UUID.randomUUID();
    Kafka.shared().createTopic(topic, 4);
    service = QueryService.start(new QueryConfig(FreePorts.allocate(), pgUrl, Kafka.shared().bootstrapServers(),
        topic, "tenant-a", "qs-it-" + UUID.randomUUID(), TempDirs.create("qs-keys"), TestCredentials.ADMIN_TOKEN), new SimpleMeterRegistry(), InstantSource.fixed(NOW));
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", service.grpcPort()).usePlaintext()
        .intercept(TestCredentials.admin()).build();
    stub = QueryProtocolGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofMinutes(2));
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Kafka.shared().bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    publish(sampleEvents());
  }

  @AfterAll
  static void stop() throws Exception {
    if (producer != null) {
      producer.close();
    }
    if (channel != null) {
      channel.shutdownNow();
    }
    if (service != null) {
      service.close();
    }
  }

  static List<SovereignFinancialEvent> sampleEvents() {
    String a = "tenant-a";
    List<SovereignFinancialEvent> ev = new ArrayList<>();
    ev.add(event(a, "b1", "stock-p1", 1, EventType.INVENTORY_RECEIVED, 0, YESTERDAY,
        EventFacts.newBuilder().addLines(line("p1", "food", 20, 0)).build()));
    ev.add(event(a, "b1", "stock-p1", 2, EventType.INVENTORY_RESERVED, 0, T1,
        EventFacts.newBuilder().addLines(line("p1", "food", 2, 0)).build()));
    ev.add(event(a, "b1", "stock-p1", 3, EventType.INVENTORY_SOLD, 0, T1,
        EventFacts.newBuilder().addLines(line("p1", "food", 2, 0)).build()));
    ev.add(event(a, "b1", "stock-p1", 4, EventType.INVENTORY_RESERVED, 0, T2,
        EventFacts.newBuilder().addLines(line("p1", "food", 1, 0)).build()));
    ev.add(event(a, "b1", "stock-p1", 5, EventType.LOW_STOCK_ALERT, 0, T2,
        EventFacts.newBuilder().addLines(line("p1", "food", 0, 0)).setReorderPoint(18).setQuantityOnHand(18).build()));
    // sale 1: 2 x 250 food + 1 x 333 drink = 833, CARD
    ev.add(event(a, "b1", "sale-1", 1, EventType.SALE_COMPLETED, 833, T1, EventFacts.newBuilder()
        .addLines(line("p1", "food", 2, 250)).addLines(line("p2", "drink", 1, 333)).setPaymentMethod("CARD")
        .setSessionId("till-1").setCustomerRef("cust-1").build()));
    ev.add(event(a, "b1", "ledger-b1", 1, EventType.LEDGER_ENTRY_POSTED, 833, T1, EventFacts.newBuilder()
        .addPostings(posting("1100", "Card clearing", 833, 0)).addPostings(posting("4000", "Sales", 0, 833)).build()));
    // sale 2: 1 x 250 food = 250, CASH
    ev.add(event(a, "b1", "sale-2", 1, EventType.SALE_COMPLETED, 250, T2, EventFacts.newBuilder()
        .addLines(line("p1", "food", 1, 250)).setPaymentMethod("CASH").setSessionId("till-1").build()));
    ev.add(event(a, "b1", "ledger-b1", 2, EventType.LEDGER_ENTRY_POSTED, 250, T2, EventFacts.newBuilder()
        .addPostings(posting("1000", "Cash", 250, 0)).addPostings(posting("4000", "Sales", 0, 250)).build()));
    // yesterday's sale and cash
    ev.add(event(a, "b1", "sale-0", 1, EventType.SALE_COMPLETED, 1000, YESTERDAY, EventFacts.newBuilder()
        .addLines(line("p3", "toys", 1, 1000)).setPaymentMethod("CASH").setSessionId("till-0").build()));
    ev.add(event(a, "b1", "ledger-b1", 0, EventType.LEDGER_ENTRY_POSTED, 1000, YESTERDAY, EventFacts.newBuilder()
        .addPostings(posting("1000", "Cash", 1000, 0)).addPostings(posting("4000", "Sales", 0, 1000)).build()));
    // partial refund of sale 1's drink, today
    ev.add(event(a, "b1", "sale-1", 2, EventType.SALE_PARTIALLY_REFUNDED, 333, T2, EventFacts.newBuilder()
        .addLines(line("p2", "drink", 1, 333)).setPaymentMethod("CARD").build()));
    ev.add(event(a, "b1", "payment-9", 1, EventType.PAYMENT_FAILED, 700, T2, EventFacts.newBuilder()
        .setPaymentMethod("CARD").setReason("declined").build()));
    ev.add(event(a, "b1", "cust-1", 1, EventType.LOYALTY_POINTS_EARNED, 0, T1, EventFacts.newBuilder()
        .setCustomerRef("cust-1").setLoyaltyPoints(83).build()));
    // a second branch of tenant-a, used by the dashboard test so it does not change b1's figures
    ev.add(event(a, "b2", "stock-p1-b2", 1, EventType.INVENTORY_RECEIVED, 0, T1,
        EventFacts.newBuilder().addLines(line("p1", "food", 5, 0)).build()));
    // another tenant's branch, which tenant-a must never see
    ev.add(event("tenant-b", "b9", "sale-9", 1, EventType.SALE_COMPLETED, 99_999, T1, EventFacts.newBuilder()
        .addLines(line("p9", "gold", 1, 99_999)).setPaymentMethod("CARD").build()));
    return ev;
  }

  static void publish(List<SovereignFinancialEvent> events) {
    for (SovereignFinancialEvent e : events) {
      producer.send(new ProducerRecord<>(topic, e.getStreamId(), e.toByteArray()));
      sent.add(e);
      records++;
    }
    producer.flush();
    long expected = records;
    // every record (duplicates included) has been consumed when the stored positions sum to the records produced
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).until(() ->
        service.store().positions(topic).values().stream().mapToLong(Long::longValue).sum() == expected);
  }

  @Test
  void branchSummaryIsExact() {
    BranchSummary s = stub.getBranchSummary(BranchQuery.newBuilder().setBranchId("b1").build());
    assertThat(s.getTodaySalesMinor()).isEqualTo(833 + 250 - 333);
    assertThat(s.getTodaySales()).isEqualTo(7.50);
    assertThat(s.getTodayTransactions()).isEqualTo(2);
    assertThat(s.getCurrentBalanceMinor()).isEqualTo(1250); // cash account 1000 up to today
    assertThat(s.getActiveSessions()).isEqualTo(1);
    assertThat(s.getCurrency()).isEqualTo("USD");
    assertThat(s.getAlertsList()).extracting(a -> a.getSource()).containsExactlyInAnyOrder("p1", "CARD");

    BranchSummary y = stub.getBranchSummary(BranchQuery.newBuilder().setBranchId("b1")
        .setAsOfTimestamp(YESTERDAY.toEpochMilli()).build());
    assertThat(y.getTodaySalesMinor()).isEqualTo(1000);
    assertThat(y.getTodayTransactions()).isEqualTo(1);
    assertThat(y.getCurrentBalanceMinor()).isEqualTo(1000);
  }

  @Test
  void aKeptSummaryFollowsACommitOfAnotherInstance() throws Exception {
    // Another query-service instance (its own pool and projection store) projects events of a new branch b5: this
    // instance learns of its commits only through PostgreSQL's NOTIFY, not from its own consumer.
    await().atMost(Duration.ofSeconds(30)).until(() -> service.summaries().listening());
    SovereignFinancialEvent first = event("tenant-a", "b5", "sale-b5-1", 1, EventType.SALE_COMPLETED, 400, T1,
        EventFacts.newBuilder().addLines(line("p1", "food", 1, 400)).setPaymentMethod("CASH").build());
    SovereignFinancialEvent second = event("tenant-a", "b5", "sale-b5-2", 1, EventType.SALE_COMPLETED, 600, T2,
        EventFacts.newBuilder().addLines(line("p1", "food", 1, 600)).setPaymentMethod("CASH").build());
    try (HikariDataSource other = QueryService.migratedPool(pgUrl)) {
      ProjectionStore elsewhere = new ProjectionStore(other);
      elsewhere.apply(List.of(first), List.of());
      sent.add(first); // the rebuild tests replay every event the read models hold
      BranchQuery q = BranchQuery.newBuilder().setBranchId("b5").build();
      await().atMost(Duration.ofSeconds(4)).until(() -> stub.getBranchSummary(q).getTodayTransactions() == 1);
      BranchSummary kept = stub.getBranchSummary(q);
      assertThat(stub.getBranchSummary(q)).isEqualTo(kept);

      elsewhere.apply(List.of(second), List.of());
      sent.add(second);
      // well within the cache's age bound (5 s): only the notification can make the kept answer stale this soon
      await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(20))
          .until(() -> stub.getBranchSummary(q).getTodayTransactions() == 2);
      assertThat(stub.getBranchSummary(q).getTodaySalesMinor()).isEqualTo(1000);
    }
  }

  @Test
  void inventoryLedgerAndReport() {
    InventoryStatus inv = stub.getInventoryStatus(InventoryQuery.newBuilder().setBranchId("b1").setProductId("p1")
        .build());
    assertThat(inv.getCurrentQuantity()).isEqualTo(18);
    assertThat(inv.getReservedQuantity()).isEqualTo(1);
    assertThat(inv.getAvailableQuantity()).isEqualTo(17);
    assertThat(inv.getReorderPoint()).isEqualTo(18);
    assertThat(inv.getIsLowStock()).isTrue();

    LedgerBalance sales = stub.getLedgerBalance(LedgerQuery.newBuilder().setBranchId("b1").setAccountCode("4000")
        .build());
    assertThat(sales.getCreditBalanceMinor()).isEqualTo(2083);
    assertThat(sales.getNetBalanceMinor()).isEqualTo(-2083);
    LedgerBalance yesterday = stub.getLedgerBalance(LedgerQuery.newBuilder().setBranchId("b1")
        .setAccountCode("4000").setAsOfDate(YESTERDAY.toEpochMilli()).build());
    assertThat(yesterday.getCreditBalanceMinor()).isEqualTo(1000);

    SalesReport daily = stub.getSalesReport(SalesReportQuery.newBuilder().setBranchId("b1")
        .setStartDate(YESTERDAY.toEpochMilli()).setEndDate(NOW.toEpochMilli()).setGroupBy("day").build());
    assertThat(daily.getEntriesList()).extracting(e -> e.getPeriod()).containsExactly("2026-11-21", "2026-11-22");
    assertThat(daily.getEntries(1).getSalesAmountMinor()).isEqualTo(750);
    assertThat(daily.getEntries(1).getByCategoryMinorMap()).isEqualTo(Map.of("food", 750L, "drink", 0L));
    assertThat(daily.getTotalSalesMinor()).isEqualTo(1750);
    assertThat(daily.getTotalTransactions()).isEqualTo(3);
    assertThat(daily.getAverageTransaction()).isEqualTo(5.83);

    SalesReport hourly = stub.getSalesReport(SalesReportQuery.newBuilder().setBranchId("b1")
        .setStartDate(Instant.parse("2026-11-22T00:00:00Z").toEpochMilli()).setEndDate(NOW.toEpochMilli())
        .setGroupBy("hour").build());
    assertThat(hourly.getEntriesList()).extracting(e -> e.getPeriod() + "=" + e.getSalesAmountMinor())
        .containsExactly("2026-11-22T10:00Z=833", "2026-11-22T11:00Z=-83");
  }

  @Test
  void badInputGetsPreciseStatuses() {
    assertStatus(() -> stub.getBranchSummary(BranchQuery.newBuilder().setBranchId("nope").build()),
        Status.Code.NOT_FOUND, null);
    assertStatus(() -> stub.getBranchSummary(BranchQuery.newBuilder().setBranchId("b1").setAsOfTimestamp(-1)
        .build()), Status.Code.INVALID_ARGUMENT, "as_of_timestamp");
    assertStatus(() -> stub.getSalesReport(SalesReportQuery.newBuilder().setBranchId("b1").setGroupBy("year")
        .build()), Status.Code.INVALID_ARGUMENT, "group_by");
    assertStatus(() -> stub.getSalesReport(SalesReportQuery.newBuilder().setBranchId("b1").setStartDate(2000)
        .setEndDate(1000).build()), Status.Code.INVALID_ARGUMENT, "end_date");
    assertStatus(() -> stub.getSalesReport(SalesReportQuery.newBuilder().setBranchId("b1").setStartDate(0)
        .setEndDate(Long.MAX_VALUE).build()), Status.Code.INVALID_ARGUMENT, "end_date");
    assertStatus(() -> stub.getLedgerBalance(LedgerQuery.newBuilder().setBranchId("b1").setAccountCode("9999")
        .build()), Status.Code.NOT_FOUND, null);
    assertStatus(() -> stub.subscribeDashboard(DashboardSubscription.newBuilder().setBranchId("b1")
        .setUpdateIntervalMs(-5).build()).hasNext(), Status.Code.INVALID_ARGUMENT, "update_interval_ms");
  }

  private static void assertStatus(Runnable call, Status.Code code, String field) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).doesNotContain("Exception").doesNotContain("\tat ");
      if (field != null) {
        assertThat(GrpcErrors.detail(GrpcErrors.statusOf(e), BadRequest.class)).isPresent().get()
            .satisfies(b -> assertThat(b.getFieldViolations(0).getField()).isEqualTo(field));
      }
    });
  }

  @Test
  void anotherTenantsRowsAreInvisible() throws Exception {
    // over gRPC: this service serves tenant-a, so tenant-b's branch does not exist for it
    assertStatus(() -> stub.getBranchSummary(BranchQuery.newBuilder().setBranchId("b9").build()),
        Status.Code.NOT_FOUND, null);
    // and directly: as dcs_app under RLS each tenant sees only its rows although both are stored
    ReadModels rm = new ReadModels(poolFor(pgUrl));
    ReadModels.Read<Long> count = c -> {
      try (ResultSet rs = ReadModels.query(c, "SELECT count(*) FROM qs_sales_daily WHERE branch_id IN ('b1', 'b9')")) {
        rs.next();
        return rs.getLong(1);
      }
    };
    assertThat(rm.read("tenant-a", count)).isEqualTo(2);
    assertThat(rm.read("tenant-b", count)).isEqualTo(1);
    assertThat(rm.read("tenant-z", count)).isZero();
  }

  @Test
  void deliveringTheSameEventsTwiceChangesNothingAndRebuildEqualsIncremental() throws Exception {
    String before = dump(pgUrl);
    publish(new ArrayList<>(sent)); // every event again, as an at-least-once producer may
    assertThat(dump(pgUrl)).isEqualTo(before);

    // rebuild in another database from the same events in a shuffled order
    String other = Postgres.shared().createDatabase("qs_rebuild");
    try (HikariDataSource ds = QueryService.migratedPool(other)) {
      List<SovereignFinancialEvent> shuffled = new ArrayList<>(sent);
      Collections.shuffle(shuffled, new Random(7));
      new Rebuilder(new ProjectionStore(ds)).rebuild(shuffled);
    }
    assertThat(dump(other)).isEqualTo(dump(pgUrl));
  }

  @Test
  void theRebuildCommandReplaysThePostgresEventStoreToTheSameReadModels() throws Exception {
    // The region commits events to event_store (V1); the rebuild command replays that table.
    String other = Postgres.shared().createDatabase("qs_store_rebuild");
    try (HikariDataSource ds = QueryService.migratedPool(other);
        java.sql.Connection c = ds.getConnection();
        java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO event_store (tenant_id, branch_id, stream_id,"
            + " stream_version, event_id, event_type, idempotency_key, amount_minor, currency, event_ts,"
            + " hlc_physical_ms, hlc_logical, event_hash, event_bytes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
      // The region stores each event once, however often it was delivered.
      java.util.Map<String, SovereignFinancialEvent> once = new java.util.LinkedHashMap<>();
      sent.forEach(e -> once.putIfAbsent(e.getEventId(), e));
      for (SovereignFinancialEvent e : once.values()) {
        ps.setString(1, e.getTenantId());
        ps.setString(2, e.getBranchId());
        ps.setString(3, e.getStreamId());
        ps.setInt(4, e.getStreamVersion());
        ps.setString(5, e.getEventId());
        ps.setInt(6, e.getTypeValue());
        ps.setString(7, e.getIdempotencyKey().isEmpty() ? e.getEventId() : e.getIdempotencyKey());
        ps.setLong(8, e.getAmountMinor());
        ps.setString(9, e.getCurrency());
        ps.setTimestamp(10, new java.sql.Timestamp(e.getTs().getSeconds() * 1000 + e.getTs().getNanos() / 1_000_000));
        ps.setLong(11, e.getCausalContext().getHlc().getPhysicalMs());
        ps.setInt(12, e.getCausalContext().getHlc().getLogical());
        ps.setString(13, e.getEventHash());
        ps.setBytes(14, e.toByteArray());
        ps.executeUpdate();
      }
      try (java.sql.Statement st = c.createStatement()) {
        assertThatThrownBy(() -> st.executeUpdate("DELETE FROM event_store")).hasMessageContaining("append-only");
      }
    }
    assertThat(QueryService.rebuild(other, "event_bytes"))
        .isEqualTo(sent.stream().map(SovereignFinancialEvent::getEventId).distinct().count());
    assertThat(dump(other)).isEqualTo(dump(pgUrl));
  }

  @Test
  void dashboardPushesAfterANewSale() {
    ConcurrentLinkedQueue<DashboardUpdate> got = new ConcurrentLinkedQueue<>();
    var async = QueryProtocolGrpc.newStub(channel);
    io.grpc.Context.CancellableContext ctx = io.grpc.Context.current().withCancellation();
    try {
      ctx.run(() -> async.subscribeDashboard(DashboardSubscription.newBuilder().setBranchId("b2")
          .addMetrics("today_transactions").setUpdateIntervalMs(100).build(), new StreamObserver<>() {
            @Override
            public void onNext(DashboardUpdate u) {
              got.add(u);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
          }));
      await().atMost(Duration.ofSeconds(30)).until(() -> !got.isEmpty());
      double first = got.peek().getValue();
      publish(List.of(event("tenant-a", "b2", "sale-3", 1, EventType.SALE_COMPLETED, 100, T2,
          EventFacts.newBuilder().addLines(line("p1", "food", 1, 100)).setPaymentMethod("CASH").build())));
      await().atMost(Duration.ofSeconds(30)).until(() -> got.stream()
          .anyMatch(u -> u.getValue() == first + 1));
    } finally {
      ctx.cancel(null);
    }
  }

  @Test
  @org.junit.jupiter.api.Order(Integer.MAX_VALUE) // replaces the running service: last
  void aRestartResumesFromTheStoredPositionsWithoutReReadingOrSkipping() throws Exception {
    // a second instance on the same database with a new consumer group: Kafka knows no offsets for it, so only the
    // positions stored with the projections can make it start where the first stopped
    try (QueryService second = QueryService.start(new QueryConfig(FreePorts.allocate(), pgUrl,
        Kafka.shared().bootstrapServers(), topic, "tenant-a", "qs-it-" + UUID.randomUUID(), TempDirs.create("qs-keys"), TestCredentials.ADMIN_TOKEN),
        new SimpleMeterRegistry(), InstantSource.fixed(NOW))) {
      service.close();
      service = second;
      String before = dump(pgUrl);
      publish(List.of(event("tenant-a", "b3", "stock-p7", 1, EventType.INVENTORY_RECEIVED, 0, T1,
          EventFacts.newBuilder().addLines(line("p7", "food", 4, 0)).build())));
      assertThat(second.consumer().seen()).isEqualTo(1);
      assertThat(second.consumer().applied()).isEqualTo(1);
      assertThat(dump(pgUrl)).isNotEqualTo(before).contains("tenant-a|b3|p7|4|");
      service = null; // closed by try-with-resources
    }
  }

  static HikariDataSource poolFor(String url) {
    HikariDataSource ds = new HikariDataSource();
    ds.setJdbcUrl(url);
    ds.setMaximumPoolSize(2);
    return ds;
  }

  static String dump(String url) throws Exception {
    return ReadModelDump.of(url);
  }
}
