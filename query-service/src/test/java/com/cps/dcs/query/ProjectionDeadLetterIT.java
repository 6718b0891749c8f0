package com.cps.dcs.query;

import static com.cps.dcs.query.Events.event;
import static com.cps.dcs.query.Events.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cps.dcs.proto.ops.v1.DeadLetter;
import com.cps.dcs.proto.ops.v1.DeadLetterServiceGrpc;
import com.cps.dcs.proto.ops.v1.ListDeadLettersRequest;
import com.cps.dcs.proto.v4.BranchQuery;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.testsupport.FreePorts;
import com.cps.dcs.testsupport.Kafka;
import com.cps.dcs.testsupport.Postgres;
import com.cps.dcs.testsupport.TempDirs;
import com.cps.dcs.testsupport.TestCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real Kafka, real PostgreSQL: records the projections can never take go to {@code projection_dead_letters} with
 * their reason, and the consumer moves on to the events after them.
 */
class ProjectionDeadLetterIT {
  private static final Instant NOW = Instant.parse("2026-11-22T15:00:00Z");
  private static final Instant T1 = Instant.parse("2026-11-22T10:15:00Z");

  static String pgUrl;
  static String topic;
  static QueryService service;
  static SimpleMeterRegistry meters = new SimpleMeterRegistry();
  static ManagedChannel channel;
  static KafkaProducer<String, byte[]> producer;
  static long records;

  @BeforeAll
  static void start() {
    pgUrl = Postgres.shared().createDatabase("qs_dead");
    topic = "qs-dead-" + UUID.randomUUID();
    Kafka.shared().createTopic(topic, 1); // one partition: the records after the poison are behind it
    service = QueryService.start(new QueryConfig(FreePorts.allocate(), pgUrl, Kafka.shared().bootstrapServers(),
        topic, "tenant-a", "qs-dead-" + UUID.randomUUID(), TempDirs.create("qs-keys"), TestCredentials.ADMIN_TOKEN), meters, InstantSource.fixed(NOW));
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", service.grpcPort()).usePlaintext()
        .intercept(TestCredentials.admin()).build();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Kafka.shared().bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
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

  static SovereignFinancialEvent sale(String branch, int n, long amountMinor) {
    return event("tenant-a", branch, "sale-" + branch + "-" + n, 1, EventType.SALE_COMPLETED, amountMinor, T1,
        EventFacts.newBuilder().addLines(line("p1", "food", 1, amountMinor)).setPaymentMethod("CASH").build());
  }

  static void send(String key, byte[] value) {
    producer.send(new ProducerRecord<>(topic, key, value));
    records++;
  }

  /** Waits until the consumer's stored position has passed every record sent. */
  static void awaitConsumed() {
    producer.flush();
    long expected = records;
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() ->
        service.store().positions(topic).values().stream().mapToLong(Long::longValue).sum() == expected);
  }

  @Test
  void poisonRecordsAndAnOverflowingSumAreDeadLetteredAndTheEventsAfterThemAreStillProjected() throws Exception {
    // A read model one sale away from the largest bigint: reaching it through sales takes 9,224 sales of the
    // largest amount an event may carry, so the row is written as those sales would have left it.
    long nearMax = Long.MAX_VALUE - 100;
    try (Connection c = DriverManager.getConnection(pgUrl); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO qs_sales_daily VALUES ('tenant-a', 'b-big', ?, 'USD', ?, 1, 1, 0)")) {
      ps.setObject(1, LocalDate.ofInstant(T1, ZoneOffset.UTC));
      ps.setLong(2, nearMax);
      ps.executeUpdate();
      c.createStatement().execute("INSERT INTO qs_branch (tenant_id, branch_id, currency) VALUES ('tenant-a',"
          + " 'b-big', 'USD')");
    }
    send("garbage", new byte[] {(byte) 0xff, (byte) 0xff, 0x01, 0x7f});
    send("tombstone", null);
    SovereignFinancialEvent nul = sale("b1", 0, 100).toBuilder().setStreamId("a\u0000b").build();
    send("a\u0000b", nul.toByteArray());
    SovereignFinancialEvent overflow = sale("b-big", 1, 1000);
    send(overflow.getStreamId(), overflow.toByteArray());
    List<SovereignFinancialEvent> after = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      after.add(sale(i % 2 == 0 ? "b1" : "b2", i, 100 * i));
    }
    after.forEach(e -> send(e.getStreamId(), e.toByteArray()));
    awaitConsumed();

    var query = QueryProtocolGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofSeconds(30));
    long b1 = after.stream().filter(e -> e.getBranchId().equals("b1")).mapToLong(e -> e.getAmountMinor()).sum();
    long b2 = after.stream().filter(e -> e.getBranchId().equals("b2")).mapToLong(e -> e.getAmountMinor()).sum();
    assertThat(query.getBranchSummary(BranchQuery.newBuilder().setBranchId("b1").build()).getTodaySalesMinor())
        .isEqualTo(b1);
    assertThat(query.getBranchSummary(BranchQuery.newBuilder().setBranchId("b2").build()).getTodayTransactions())
        .isEqualTo(10);
    assertThat(query.getBranchSummary(BranchQuery.newBuilder().setBranchId("b2").build()).getTodaySalesMinor())
        .isEqualTo(b2);
    assertThat(query.getBranchSummary(BranchQuery.newBuilder().setBranchId("b-big").build())
        .getTodaySalesMinor()).as("the overflowing sale left the row as it was").isEqualTo(nearMax);

    List<DeadLetter> dead = DeadLetterServiceGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofSeconds(30))
        .listDeadLetters(ListDeadLettersRequest.getDefaultInstance()).getDeadLettersList();
    assertThat(dead).extracting(DeadLetter::getOffset).containsExactly(0L, 1L, 2L, 3L);
    assertThat(dead.get(0).getReason()).startsWith("not a SovereignFinancialEvent");
    assertThat(dead.get(0).getRecordValue().toByteArray()).containsExactly(0xff, 0xff, 0x01, 0x7f);
    assertThat(dead.get(1).getReason()).isEqualTo("a record without a value is not an event");
    assertThat(dead.get(2).getReason()).startsWith("invalid event: stream_id");
    assertThat(dead.get(2).getEventId()).isEqualTo(nul.getEventId());
    assertThat(dead.get(3).getReason()).contains("SQLState 22003").contains("bigint out of range");
    assertThat(dead.get(3).getEventId()).isEqualTo(overflow.getEventId());
    assertThat(dead.get(3).getBranchId()).isEqualTo("b-big");
    assertThat(meters.get("dcs.query.projection.dead.letters").counter().count()).isEqualTo(4.0);

    // Delivered again (a producer retry): set aside once, nothing counted twice.
    send(overflow.getStreamId(), overflow.toByteArray());
    SovereignFinancialEvent last = sale("b1", 99, 7);
    send(last.getStreamId(), last.toByteArray());
    awaitConsumed();
    assertThat(query.getBranchSummary(BranchQuery.newBuilder().setBranchId("b1").build()).getTodaySalesMinor())
        .isEqualTo(b1 + 7);
    assertThat(DeadLetterServiceGrpc.newBlockingStub(channel).listDeadLetters(ListDeadLettersRequest.newBuilder()
        .setAfterId(dead.get(3).getId()).build()).getDeadLettersList()).singleElement()
        .satisfies(d -> assertThat(d.getEventId()).isEqualTo(overflow.getEventId()));
  }
}
