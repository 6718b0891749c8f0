package com.cps.dcs.query.projection;

import com.cps.dcs.eventstore.pg.PgStoreException;
import com.cps.dcs.eventstore.pg.SqlStates;
import com.cps.dcs.proto.ops.v1.DeadLetter;
import com.google.protobuf.ByteString;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The {@code projection_dead_letters} table: Kafka records the projections can never take (not an event, invalid
 * content, changes PostgreSQL refuses such as a sum past a bigint). Written in the transaction that moves the
 * partition's offset past them, so the consumer goes on and nothing is lost from sight.
 */
public final class DeadLetters {
  private final DataSource owner;

  public DeadLetters(DataSource owner) {
    this.owner = owner;
  }

  /** A record set aside and why. */
  record Entry(Incoming record, String reason) {}

  static void insert(Connection c, List<Entry> entries) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO projection_dead_letters (topic, \"partition\","
        + " \"offset\", tenant_id, event_id, branch_id, reason, record_value) VALUES (?,?,?,?,?,?,?,?)"
        + " ON CONFLICT (topic, \"partition\", \"offset\") DO NOTHING")) {
      for (Entry d : entries) {
        Incoming r = d.record();
        ps.setString(1, r.topic());
        ps.setInt(2, r.partition());
        ps.setLong(3, r.offset());
        ps.setString(4, r.event() == null ? "" : SqlStates.printable(r.event().getTenantId()));
        ps.setString(5, r.event() == null ? "" : SqlStates.printable(r.event().getEventId()));
        ps.setString(6, r.event() == null ? "" : SqlStates.printable(r.event().getBranchId()));
        ps.setString(7, SqlStates.printable(d.reason()));
        ps.setBytes(8, r.value() == null ? new byte[0] : r.value());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /**
   * Dead letters after {@code afterId}, oldest first, at most {@code limit}.
   *
   * @throws PgStoreException when the database cannot be read
   */
  public List<DeadLetter> list(long afterId, int limit) {
    return PgStoreException.unchecked(() -> {
      try (Connection c = owner.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT id, topic,"
          + " \"partition\", \"offset\", event_id, branch_id, reason, dead_at, record_value"
          + " FROM projection_dead_letters WHERE id > ? ORDER BY id LIMIT ?")) {
        ps.setLong(1, afterId);
        ps.setInt(2, limit);
        List<DeadLetter> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(DeadLetter.newBuilder().setId(rs.getLong(1)).setTopic(rs.getString(2))
                .setPartition(rs.getInt(3)).setOffset(rs.getLong(4)).setEventId(rs.getString(5))
                .setBranchId(rs.getString(6)).setReason(rs.getString(7)).setDeadAtMs(rs.getTimestamp(8).getTime())
                .setRecordValue(ByteString.copyFrom(rs.getBytes(9))).build());
          }
        }
        return out;
      }
    });
  }
}
