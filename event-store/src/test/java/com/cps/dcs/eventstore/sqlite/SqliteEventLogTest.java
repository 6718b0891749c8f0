package com.cps.dcs.eventstore.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.google.protobuf.Timestamp;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteEventLogTest {
  @TempDir Path dir;

  private static SovereignFinancialEvent event(String id, String stream, int version, String key) {
    return SovereignFinancialEvent.newBuilder().setEventId(id).setStreamId(stream).setStreamVersion(version)
        .setIdempotencyKey(key).setType(EventType.SALE_COMPLETED).setBranchId("b1").setAgentId("a1")
        .setAmountMinor(100).setAmount(1.0).setCurrency("EUR").setTs(Timestamp.newBuilder().setSeconds(1000 + version))
        .build();
  }

  @Test
  void eventsAreAppendOnlyAndUniqueByIdKeyAndStreamVersion() {
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("a.db"))) {
      db.inTransaction(c -> SqliteEventLog.insert(c, event("e1", "s", 1, "k1"), AckResponse.getDefaultInstance(),
          "h", true));
      assertThatThrownBy(() -> db.inTransaction(c -> {
        try (Statement s = c.createStatement()) {
          return s.executeUpdate("UPDATE events SET amount_minor = 1");
        }
      })).hasMessageContaining("append-only");
      assertThatThrownBy(() -> db.inTransaction(c -> {
        try (Statement s = c.createStatement()) {
          return s.executeUpdate("DELETE FROM events");
        }
      })).hasMessageContaining("append-only");
      for (SovereignFinancialEvent dup : List.of(event("e1", "s", 2, "k2"), event("e2", "s", 2, "k1"),
          event("e3", "s", 1, "k3"))) {
        assertThatThrownBy(() -> db.inTransaction(c -> SqliteEventLog.insert(c, dup,
            AckResponse.getDefaultInstance(), "h", true))).hasMessageContaining("UNIQUE");
      }
      long maxSeq = db.read(SqliteEventLog::maxSeq);
      long version = db.read(c -> SqliteEventLog.streamVersion(c, "s"));
      assertThat(maxSeq).isEqualTo(1);
      assertThat(version).isEqualTo(1);
    }
  }

  @Test
  void aFailedTransactionLeavesNothingAndTheLogSurvivesReopening() {
    Path file = dir.resolve("b.db");
    try (SqliteDatabase db = SqliteDatabase.open(file)) {
      db.inTransaction(c -> SqliteEventLog.insert(c, event("e1", "s", 1, "k1"), AckResponse.getDefaultInstance(),
          "h", true));
      assertThatThrownBy(() -> db.inTransaction(c -> {
        SqliteEventLog.insert(c, event("e2", "s", 2, "k2"), AckResponse.getDefaultInstance(), "h", true);
        throw new IllegalStateException("step failed");
      })).hasMessage("step failed");
    }
    try (SqliteDatabase db = SqliteDatabase.open(file)) {
      List<StoredEvent> all = db.read(c -> SqliteEventLog.after(c, 0, false, 10));
      List<StoredEvent> sales = db.read(c -> SqliteEventLog.range(c, 0, Long.MAX_VALUE, List.of(2), 0, 10));
      List<StoredEvent> reversals = db.read(c -> SqliteEventLog.range(c, 0, Long.MAX_VALUE, List.of(3), 0, 10));
      assertThat(all).extracting(s -> s.event().getEventId()).containsExactly("e1");
      assertThat(sales).hasSize(1);
      assertThat(reversals).isEmpty();
    }
  }

  @Test
  void insertReturnsTheEventsSeqAlsoForTheFirstEventOfANewStream() {
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("seq.db"))) {
      long a = db.inTransaction(c -> SqliteEventLog.insert(c, event("e1", "s1", 1, "k1"),
          AckResponse.getDefaultInstance(), "h", true));
      long b = db.inTransaction(c -> SqliteEventLog.insert(c, event("e2", "s1", 2, "k2"),
          AckResponse.getDefaultInstance(), "h", true));
      long c3 = db.inTransaction(c -> SqliteEventLog.insert(c, event("e3", "s2", 1, "k3"),
          AckResponse.getDefaultInstance(), "h", true));
      long d = db.inTransaction(c -> SqliteEventLog.insert(c, event("e4", "s3", 1, "k4"),
          AckResponse.getDefaultInstance(), "h", true));
      assertThat(List.of(a, b, c3, d)).containsExactly(1L, 2L, 3L, 4L);
      for (String id : List.of("e1", "e2", "e3", "e4")) {
        long returned = List.of(a, b, c3, d).get(Integer.parseInt(id.substring(1)) - 1);
        assertThat(db.read(c -> SqliteEventLog.byEventId(c, id)).orElseThrow().seq()).isEqualTo(returned);
      }
    }
  }

  @Test
  void theAppendStatementsAreReusedAfterARefusedInsertAndReadersSeeEveryCommit() {
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("d.db"))) {
      db.inTransaction(c -> SqliteEventLog.insert(c, event("e1", "s", 1, "k1"), AckResponse.getDefaultInstance(),
          "h", true));
      assertThat(db.<java.util.Optional<StoredEvent>>read(c -> SqliteEventLog.byIdempotencyKey(c, "k2"))).isEmpty();
      assertThatThrownBy(() -> db.inTransaction(c -> SqliteEventLog.insert(c, event("e1", "s", 2, "k2"),
          AckResponse.getDefaultInstance(), "h", true))).hasMessageContaining("UNIQUE");
      for (int v = 2; v <= 20; v++) {
        int version = v;
        long seq = db.inTransaction(c -> {
          long s = SqliteEventLog.insert(c, event("e" + version, "s", version, "k" + version),
              AckResponse.getDefaultInstance(), "h", true);
          SqliteEventLog.putMeta(c, "head", new byte[] {(byte) version});
          return s;
        });
        assertThat(seq).isEqualTo(version);
        // The reader (its statements cached too) sees each commit at once: no statement holds an old snapshot.
        assertThat(db.<Long>read(c -> SqliteEventLog.streamVersion(c, "s"))).isEqualTo(version);
        assertThat(db.<java.util.Optional<StoredEvent>>read(c -> SqliteEventLog.byEventId(c, "e" + version))).isPresent();
        assertThat(db.<java.util.Optional<StoredEvent>>read(c -> SqliteEventLog.byIdempotencyKey(c, "k" + version)))
            .isPresent();
        assertThat(db.<java.util.Optional<byte[]>>read(c -> SqliteEventLog.meta(c, "head")).orElseThrow())
            .containsExactly((byte) version);
      }
    }
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("d.db"))) {
      assertThat(db.<Long>read(SqliteEventLog::maxSeq)).isEqualTo(20);
      assertThat(db.<Long>read(c -> SqliteEventLog.streamVersion(c, "s"))).isEqualTo(20);
    }
  }
}
