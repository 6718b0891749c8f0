package com.cps.dcs.localagent.store;

import com.cps.dcs.eventstore.sqlite.SqliteEventLog;
import com.cps.dcs.eventstore.sqlite.StoredEvent;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.List;

/**
 * How far the branch's own events reached its region, in the branch's SQLite file: the sync high-water mark (the seq
 * of the last own event the region acknowledged), the own events after it, and the own events the region quarantined
 * (marked refused: they stay in the log, out of the figures and of the pending set, and are never sent again).
 */
public final class SyncProgress {
  /** The name of the high-water mark among the store's small named values (8 bytes, big-endian). */
  public static final String HIGH_WATER = "sync_high_water";

  /** An own event the region quarantined, with its reason. */
  public record Refused(long seq, String eventId, String reason, long refusedAtMs) {}

  private final LocalStore store;

  public SyncProgress(LocalStore store) {
    this.store = store;
  }

  /** The seq of the last own event the region acknowledged (0 before the first). */
  public long highWater() {
    return store.read(c -> SqliteEventLog.meta(c, HIGH_WATER)).map(b -> ByteBuffer.wrap(b).getLong()).orElse(0L);
  }

  /** Own events after {@code afterSeq}, in seq order, at most {@code limit}. */
  public List<StoredEvent> ownAfter(long afterSeq, int limit) {
    return store.read(c -> SqliteEventLog.after(c, afterSeq, true, limit));
  }

  /** Moves the mark to {@code seq} and marks the events the region quarantined on the way, in one transaction. */
  public void advance(long seq, List<Refused> refusedNow) {
    store.transaction(tx -> {
      try {
        for (Refused r : refusedNow) {
          SqliteEventLog.markRefused(tx.connection(), r.seq(), r.eventId(), r.reason(), r.refusedAtMs());
        }
        SqliteEventLog.putMeta(tx.connection(), HIGH_WATER, ByteBuffer.allocate(8).putLong(seq).array());
      } catch (SQLException e) {
        throw LocalStore.sql(e);
      }
      return null;
    });
  }

  /** Own events after {@code afterSeq}. */
  public long ownCountAfter(long afterSeq) {
    return store.read(c -> SqliteEventLog.countAfter(c, afterSeq, true));
  }

  /** Own events the region did not refuse, read at one instant. */
  public long ownNotRefused() {
    return store.read(c -> SqliteEventLog.countAfter(c, 0, true) - SqliteEventLog.refusedCount(c));
  }

  /** How many own events the region quarantined. */
  public long refusedCount() {
    return store.read(SqliteEventLog::refusedCount);
  }

  /** The own events the region quarantined, with its reasons, in log order. */
  public List<Refused> refused() {
    return store.read(SqliteEventLog::refused).stream()
        .map(r -> new Refused(r.seq(), r.eventId(), r.reason(), r.refusedAtMs())).toList();
  }
}
