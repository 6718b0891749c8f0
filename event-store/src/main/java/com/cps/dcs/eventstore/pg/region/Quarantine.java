package com.cps.dcs.eventstore.pg.region;

import com.cps.dcs.eventstore.pg.SqlStates;
import com.cps.dcs.proto.ops.v1.QuarantinedEvent;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.google.protobuf.ByteString;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code quarantined_events} table: events a region set aside because it can never store them. An event is
 * quarantined once (by event id); sent again, it gets the same answer from here.
 */
final class Quarantine {
  private Quarantine() {}

  /** An event to set aside, its place in its entry, and why. */
  record Entry(SovereignFinancialEvent event, int raftPos, String reason, String sqlState) {}

  /** The event id as the table keys it (escaped: the id itself may be what PostgreSQL refused). */
  static String key(SovereignFinancialEvent e) {
    return SqlStates.printable(e.getEventId());
  }

  /** Reasons of the earlier quarantined events among {@code events}, by {@link #key}. */
  static Map<String, String> reasons(Connection c, String tenantId, Collection<SovereignFinancialEvent> events)
      throws SQLException {
    Map<String, String> out = new HashMap<>();
    if (events.isEmpty()) {
      return out;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT event_id, reason FROM quarantined_events"
        + " WHERE tenant_id = ? AND event_id = ANY (?::text[])")) {
      ps.setString(1, tenantId);
      ps.setArray(2, c.createArrayOf("text", events.stream().map(Quarantine::key).distinct().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return out;
  }

  static void record(Connection c, String tenantId, long raftIndex, List<Entry> entries) throws SQLException {
    if (entries.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO quarantined_events (tenant_id, event_id, branch_id,"
        + " agent_id, stream_id, stream_version, event_type, raft_index, raft_pos, reason, sql_state, event_bytes)"
        + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (tenant_id, event_id) DO NOTHING")) {
      for (Entry q : entries) {
        SovereignFinancialEvent e = q.event();
        ps.setString(1, tenantId);
        ps.setString(2, key(e));
        ps.setString(3, SqlStates.printable(e.getBranchId()));
        ps.setString(4, SqlStates.printable(e.getAgentId()));
        ps.setString(5, SqlStates.printable(e.getStreamId()));
        ps.setInt(6, e.getStreamVersion());
        ps.setInt(7, e.getTypeValue());
        ps.setLong(8, raftIndex);
        ps.setInt(9, q.raftPos());
        ps.setString(10, SqlStates.printable(q.reason()));
        ps.setString(11, q.sqlState() == null ? "" : q.sqlState());
        ps.setBytes(12, e.toByteArray());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Quarantined events in commit order after (afterIndex, afterPos), optionally of one branch. */
  static List<QuarantinedEvent> list(Connection c, String branchOrEmpty, long afterIndex, int afterPos, int limit)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT event_id, branch_id, agent_id, stream_id, stream_version,"
        + " event_type, raft_index, raft_pos, reason, sql_state, quarantined_at, event_bytes FROM quarantined_events"
        + " WHERE (raft_index, raft_pos) > (?, ?) AND (? = '' OR branch_id = ?) ORDER BY raft_index, raft_pos"
        + " LIMIT ?")) {
      ps.setLong(1, afterIndex);
      ps.setInt(2, afterPos);
      ps.setString(3, branchOrEmpty);
      ps.setString(4, branchOrEmpty);
      ps.setInt(5, limit);
      List<QuarantinedEvent> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(QuarantinedEvent.newBuilder().setEventId(rs.getString(1)).setBranchId(rs.getString(2))
              .setAgentId(rs.getString(3)).setStreamId(rs.getString(4)).setStreamVersion(rs.getInt(5))
              .setEventType(rs.getInt(6)).setRaftIndex(rs.getLong(7)).setRaftPos(rs.getInt(8))
              .setReason(rs.getString(9)).setSqlState(rs.getString(10))
              .setQuarantinedAtMs(rs.getTimestamp(11).getTime()).setEventBytes(ByteString.copyFrom(rs.getBytes(12)))
              .build());
        }
      }
      return out;
    }
  }
}
