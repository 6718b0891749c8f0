package com.cps.dcs.query.projection;

import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.sql.DataSource;

/**
 * Rebuilds every read model: truncates the projections, then applies events in a deterministic order
 * (tenant, stream, stream version, event id). Because every projection change is an additive delta or an
 * HLC last-writer-wins set, the result equals the incremental (Kafka) path's.
 */
public final class Rebuilder {

  /** Order used by a rebuild. */
  public static final Comparator<SovereignFinancialEvent> ORDER = Comparator
      .comparing(SovereignFinancialEvent::getTenantId)
      .thenComparing(SovereignFinancialEvent::getStreamId)
      .thenComparingInt(SovereignFinancialEvent::getStreamVersion)
      .thenComparing(SovereignFinancialEvent::getEventId);

  /** Events per transaction of a rebuild. */
  static final int BATCH = 1000;

  private final ProjectionStore store;

  public Rebuilder(ProjectionStore store) {
    this.store = store;
  }

  /** Truncates and replays {@code events} (sorted here by {@link #ORDER}); returns the number applied. */
  public long rebuild(List<SovereignFinancialEvent> events) throws SQLException {
    store.truncateAll();
    List<SovereignFinancialEvent> sorted = events.stream().sorted(ORDER).toList();
    long n = 0;
    for (int i = 0; i < sorted.size(); i += BATCH) {
      n += store.apply(sorted.subList(i, Math.min(sorted.size(), i + BATCH)), List.of());
    }
    return n;
  }

  /**
   * Truncates and replays the PostgreSQL {@code event_store} table, read as the owner in the order
   * (tenant_id, stream_id, stream_version, event_id); {@code bytesColumn} holds the SovereignFinancialEvent bytes.
   */
  public long rebuildFromEventStore(DataSource ownerDs, String bytesColumn) throws SQLException {
    if (!bytesColumn.matches("[a-z_]+")) {
      throw new IllegalArgumentException("bad column name " + bytesColumn);
    }
    store.truncateAll();
    long n = 0;
    try (Connection c = ownerDs.getConnection()) {
      c.setAutoCommit(false); // a cursor, not the whole table in memory
      try (PreparedStatement ps = c.prepareStatement("SELECT " + bytesColumn + " FROM event_store "
          + "ORDER BY tenant_id, stream_id, stream_version, event_id")) {
        ps.setFetchSize(BATCH);
        try (ResultSet rs = ps.executeQuery()) {
          List<SovereignFinancialEvent> batch = new ArrayList<>(BATCH);
          while (rs.next()) {
            batch.add(SovereignFinancialEvent.parseFrom(rs.getBytes(1)));
            if (batch.size() == BATCH) {
              n += store.apply(batch, List.of());
              batch.clear();
            }
          }
          n += store.apply(batch, List.of());
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
          throw new SQLException("event_store holds bytes that are not a SovereignFinancialEvent", ex);
        }
      }
      c.commit();
    }
    return n;
  }
}
