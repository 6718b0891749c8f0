package com.cps.dcs.eventstore.pg.region;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.eventstore.pg.PgDatabase;
import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.proto.ops.v1.QuarantinedEvent;
import com.cps.dcs.proto.region.v1.EventOutcome;
import com.cps.dcs.proto.region.v1.EventOutcome.Result;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.testsupport.Postgres;
import com.google.protobuf.Timestamp;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Applying a Raft entry on real PostgreSQL: an event that can never be stored is quarantined, the others of its
 * entry are stored, and a node that did not write the entry answers the same outcomes.
 */
class EventApplyIT {
  static final String TENANT = "tenant-q";
  static HikariDataSource ds;
  static RegionStore store;
  static String url;

  @BeforeAll
  static void start() throws Exception {
    url = Postgres.shared().createDatabase("event_apply");
    PgDatabase.createAndMigrate(url);
    // PostgreSQL's own refusal of an event's content, as a constraint gives it (SQLState 23514): the shared rules
    // already keep out everything the schema refuses today, which is why the refusal is made here.
    try (Connection c = DriverManager.getConnection(url)) {
      c.createStatement().execute("ALTER TABLE event_store ADD CONSTRAINT test_refuses_4242"
          + " CHECK (amount_minor <> 4242)");
    }
    ds = new HikariDataSource();
    ds.setJdbcUrl(url);
    ds.setMaximumPoolSize(2);
    store = new RegionStore(ds, TENANT, "group-q", "topic-q");
  }

  @AfterAll
  static void stop() {
    if (ds != null) {
      ds.close();
    }
  }

  static SovereignFinancialEvent sale(String stream, long amountMinor) {
    long now = System.currentTimeMillis();
    String id = UuidV7.next().toString();
    return SovereignFinancialEvent.newBuilder().setEventId(id).setTenantId(TENANT).setBranchId("b1")
        .setAgentId("agent-b1").setStreamId(stream).setStreamVersion(1).setType(EventType.SALE_COMPLETED)
        .setAmountMinor(amountMinor).setAmount(amountMinor / 100.0).setCurrency("EUR").setIdempotencyKey("k-" + id)
        .setCausalContext(CausalContext.newBuilder().setHlc(new Hlc(now, 0, "agent-b1", 0).toProto()))
        .setTs(Timestamp.newBuilder().setSeconds(now / 1000)).setEventHash("h-" + id).build();
  }

  @Test
  void anEntryWithPoisonStoresTheRestQuarantinesThePoisonAndEveryNodeAnswersTheSame() throws Exception {
    SovereignFinancialEvent good1 = sale("s-1", 100);
    SovereignFinancialEvent nul = sale("a\u0000b", 200);
    SovereignFinancialEvent refused = sale("s-2", 4242);
    SovereignFinancialEvent good2 = sale("s-3", 300);
    List<SovereignFinancialEvent> entry = List.of(good1, nul, refused, good2);

    List<EventOutcome> written = store.applyEvents(7, 1, entry, 1000);
    assertThat(written).extracting(EventOutcome::getResult)
        .containsExactly(Result.STORED, Result.QUARANTINED, Result.QUARANTINED, Result.STORED);
    assertThat(written.get(1).getReason()).startsWith("invalid event: stream_id");
    assertThat(written.get(2).getReason()).startsWith("PostgreSQL refused it (SQLState 23514)")
        .contains("test_refuses_4242").doesNotContain("\n");
    assertThat(store.appliedIndex()).isEqualTo(7);

    // Another node applying the same entry after it was written: the same outcomes, read back.
    assertThat(store.applyEvents(7, 1, entry, 1000)).isEqualTo(written);

    try (Connection c = DriverManager.getConnection(url);
        ResultSet rs = c.createStatement().executeQuery("SELECT event_id FROM event_store ORDER BY amount_minor")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(good1.getEventId());
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(good2.getEventId());
      assertThat(rs.next()).isFalse();
    }
    List<QuarantinedEvent> listed = store.quarantined("", 0, -1, 100);
    assertThat(listed).extracting(QuarantinedEvent::getEventId)
        .containsExactly(nul.getEventId(), refused.getEventId());
    assertThat(listed).extracting(QuarantinedEvent::getRaftPos).containsExactly(1, 2);
    assertThat(listed.get(0).getStreamId()).isEqualTo("a\\u0000b");
    assertThat(listed.get(0).getSqlState()).isEmpty();
    assertThat(listed.get(1).getSqlState()).isEqualTo("23514");
    assertThat(SovereignFinancialEvent.parseFrom(listed.get(0).getEventBytes())).isEqualTo(nul);

    // Sent again in a later entry: the same answer, nothing added.
    SovereignFinancialEvent good3 = sale("s-4", 400);
    List<EventOutcome> again = store.applyEvents(8, 1, List.of(refused, good3), 2000);
    assertThat(again).extracting(EventOutcome::getResult).containsExactly(Result.QUARANTINED, Result.STORED);
    assertThat(again.get(0).getReason()).isEqualTo(written.get(2).getReason());
    assertThat(store.quarantined("b1", 0, -1, 100)).hasSize(2);
    assertThat(store.quarantined("other-branch", 0, -1, 100)).isEmpty();
  }
}
