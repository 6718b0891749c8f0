package com.cps.dcs.query.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.cps.dcs.kernel.event.EventFactsCodec;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.query.QueryService;
import com.cps.dcs.query.ReadModelDump;
import com.cps.dcs.query.projection.ProjectionStore.Position;
import com.cps.dcs.testsupport.Postgres;
import com.google.protobuf.ByteString;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real PostgreSQL: a stream applied in batches (one transaction each, row changes merged per row) leaves exactly the
 * tables, dedupe rows and positions that one transaction per event with one statement per row change leaves (the
 * projection before batching).
 */
class ProjectionBatchingIT {
  private static final String TOPIC = "events";
  static String oneByOneUrl;
  static String batchedUrl;
  static HikariDataSource oneByOneDs;
  static HikariDataSource batchedDs;
  static ProjectionStore oneByOne;
  static ProjectionStore batched;

  @BeforeAll
  static void databases() {
    oneByOneUrl = Postgres.shared().createDatabase("qs_one_by_one");
    batchedUrl = Postgres.shared().createDatabase("qs_batched");
    oneByOneDs = QueryService.migratedPool(oneByOneUrl);
    batchedDs = QueryService.migratedPool(batchedUrl);
    oneByOne = new ProjectionStore(oneByOneDs, false);
    batched = new ProjectionStore(batchedDs);
  }

  @AfterAll
  static void close() {
    if (oneByOneDs != null) {
      oneByOneDs.close();
    }
    if (batchedDs != null) {
      batchedDs.close();
    }
  }

  @Test
  void batchesLeaveTheSameReadModelsAsOneTransactionPerEvent() {
    // each shrink step is database work, and the seed in the message reproduces a failure
    qt().withExamples(40).withShrinkCycles(5)
        .forAll(longs().all(), integers().between(1, 120), integers().between(1, 40))
        .checkAssert((seed, n, batchSize) -> {
          try {
            reset(oneByOneDs);
            reset(batchedDs);
            List<SovereignFinancialEvent> events = RandomEvents.generate(new Random(seed), n);
            for (int i = 0; i < events.size(); i++) {
              oneByOne.apply(events.get(i), TOPIC, 0, i + 1);
            }
            applyInBatches(events, batchSize);
            String expected = dump(oneByOneUrl);
            assertThat(dump(batchedUrl)).isEqualTo(expected);
            applyInBatches(events, batchSize); // the whole stream redelivered: nothing changes
            assertThat(dump(batchedUrl)).isEqualTo(expected);
          } catch (Exception e) {
            throw new AssertionError("seed " + seed + ", " + n + " events, batches of " + batchSize, e);
          }
        });
  }

  @Test
  void anEventWhoseFactsCannotBeReadIsLeftOutWithoutLosingTheRestOfItsBatch() throws Exception {
    reset(batchedDs);
    List<SovereignFinancialEvent> ok = RandomEvents.generate(new Random(11), 2).stream()
        .map(e -> e.toBuilder().setType(EventType.SALE_COMPLETED).setTenantId("tenant-a").setBranchId("b1")
            .setCurrency("USD").setPublicMetadata(EventFactsCodec.encode(EventFacts.newBuilder()
                .setPaymentMethod("CASH").build())).build()).toList();
    SovereignFinancialEvent bad = ok.get(0).toBuilder().setEventId("bad-facts")
        .setPublicMetadata(ByteString.copyFrom(new byte[] {(byte) 0xff, 0x01})).build();
    long ts = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();
    assertThat(batched.apply(List.of(ok.get(0), bad, ok.get(1)), List.of(new Position(TOPIC, 3, 42, ts))))
        .isEqualTo(2);
    assertThat(batched.positions(TOPIC)).containsEntry(3, 42L);
    String tables = dump(batchedUrl);
    assertThat(tables).contains(ok.get(0).getEventId() + "|tenant-a|b1|")
        .contains(ok.get(1).getEventId() + "|tenant-a|b1|").doesNotContain("bad-facts");
  }

  private static void applyInBatches(List<SovereignFinancialEvent> events, int batchSize) throws Exception {
    for (int i = 0; i < events.size(); i += batchSize) {
      int end = Math.min(events.size(), i + batchSize);
      SovereignFinancialEvent last = events.get(end - 1);
      batched.apply(events.subList(i, end), List.of(new Position(TOPIC, 0, end,
          last.getTs().getSeconds() * 1000 + last.getTs().getNanos() / 1_000_000)));
    }
  }

  private static void reset(HikariDataSource ds) throws Exception {
    new ProjectionStore(ds).truncateAll();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE projection_position");
    }
  }

  /** Every projection table's rows, the dedupe rows and the positions, sorted, as text. */
  private static String dump(String url) throws Exception {
    StringBuilder out = new StringBuilder(ReadModelDump.of(url));
    try (Connection c = Postgres.shared().connect(url); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM projection_position ORDER BY topic, \"partition\"")) {
      while (rs.next()) {
        out.append(rs.getString(1)).append('|').append(rs.getInt(2)).append('|').append(rs.getLong(3)).append('|')
            .append(rs.getLong(4)).append('\n');
      }
    }
    return out.toString();
  }
}
