package com.cps.dcs.query.projection;

import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
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

  private final ProjectionStore store;

  public Rebuilder(ProjectionStore store) {
    this.store = store;
  }

  /** Truncates and replays {@code events} (sorted here by {@link #ORDER}); returns the number applied. */
  public long rebuild(List<SovereignFinancialEvent> events) throws SQLException {
    store.truncateAll();
    long n = 0;
    for (SovereignFinancialEvent e : events.stream().sorted(ORDER).toList()) {
      if (store.apply(e, null, 0, 0)) {
        n++;
      }
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
    long[] n = {0};
    SQLException[] failure = {null};
    try (Connection c = ownerDs.getConnection()) {
      c.setAutoCommit(false); // a cursor, not the whole table in memory
      try (PreparedStatement ps = c.prepareStatement("SELECT " + bytesColumn + " FROM event_store "
          + "ORDER BY tenant_id, stream_id, stream_version, event_id")) {
        ps.setFetchSize(1000);
        try (ResultSet rs = ps.executeQuery()) {
          Consumer<SovereignFinancialEvent> apply = e -> {
            try {
              if (store.apply(e, null, 0, 0)) {
                n[0]++;
              }
            } catch (SQLException ex) {
              failure[0] = ex;
            }
          };
          while (rs.next() && failure[0] == null) {
            apply.accept(SovereignFinancialEvent.parseFrom(rs.getBytes(1)));
          }
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
          throw new SQLException("event_store holds bytes that are not a SovereignFinancialEvent", ex);
        }
      }
      c.commit();
    }
    if (failure[0] != null) {
      throw failure[0];
    }
    return n[0];
  }
}
