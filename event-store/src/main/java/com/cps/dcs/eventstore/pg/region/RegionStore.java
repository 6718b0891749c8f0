package com.cps.dcs.eventstore.pg.region;

import com.cps.dcs.eventstore.pg.PgDatabase;
import com.cps.dcs.eventstore.pg.PgStoreException;
import com.cps.dcs.proto.ops.v1.QuarantinedEvent;
import com.cps.dcs.proto.region.v1.EventOutcome;
import com.cps.dcs.proto.v4.AgentRegistration;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.google.protobuf.InvalidProtocolBufferException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The region's PostgreSQL: events, outbox, CRDT state and agent registry, written by the Raft state machine, and
 * the reads the gRPC services serve. Every write of a Raft entry happens in one transaction together with the
 * entry's index in {@code raft_applied}: whichever node applies an entry first writes it, the others find the index
 * already there and only read back the outcome. So each event is stored exactly once, with no gap, whatever node
 * leads or restarts. Runs as {@code dcs_app} under row-level security, scoped to the region's tenant. A failure of
 * PostgreSQL leaves every method as a {@link PgStoreException} (its {@code isTransient} tells the state machine
 * whether to retry): its callers handle no JDBC type but the {@code DataSource} they build it with.
 */
public final class RegionStore {
  private static final Logger log = LoggerFactory.getLogger(RegionStore.class);
  /** An event with its place in the region's commit order. */
  public record Stored(SovereignFinancialEvent event, long raftIndex, int raftPos) {}

  private final DataSource ds;
  private final String tenantId;
  private final String groupId;
  private final String topic;

  public RegionStore(DataSource ds, String tenantId, String groupId, String topic) {
    this.ds = ds;
    this.tenantId = tenantId;
    this.groupId = groupId;
    this.topic = topic;
  }

  public String tenantId() {
    return tenantId;
  }

  /** One transaction with {@code app.tenant_id} set; an SQLException leaves as a {@link PgStoreException}. */
  private <T> T inTenant(PgDatabase.Work<T> work) {
    return PgStoreException.unchecked(() -> PgDatabase.inTenant(ds, tenantId, work));
  }

  /** The last Raft index written to PostgreSQL (0 before the first). */
  public long appliedIndex() {
    return inTenant(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT applied_index FROM raft_applied WHERE group_id = ?")) {
        ps.setString(1, groupId);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getLong(1) : 0L;
        }
      }
    });
  }

  /** Work for one Raft entry; {@code fresh} is true when this call writes it, false when another node did. */
  @FunctionalInterface
  interface EntryWork<T> {
    T run(Connection c, boolean fresh) throws SQLException;
  }

  private <T> T applyEntry(long index, long term, EntryWork<T> work) {
    return inTenant(c -> {
      // The applied index only grows, and an entry's rows were committed with it: when it is already past this
      // entry no lock is needed (the usual case on the nodes that did not write it).
      long applied = readApplied(c, false);
      if (applied >= index) {
        return work.run(c, false);
      }
      if (applied < 0) {
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO raft_applied (group_id, applied_index,"
            + " applied_term) VALUES (?, 0, 0) ON CONFLICT (group_id) DO NOTHING")) {
          ins.setString(1, groupId);
          ins.executeUpdate();
        }
      }
      applied = readApplied(c, true); // waits for a node writing it now
      if (applied >= index) {
        return work.run(c, false);
      }
      T out = work.run(c, true);
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE raft_applied SET applied_index = ?, applied_term = ?, updated_at = now() WHERE group_id = ?")) {
        ps.setLong(1, index);
        ps.setLong(2, term);
        ps.setString(3, groupId);
        ps.executeUpdate();
      }
      return out;
    });
  }

  /**
   * Waits up to {@code maxWaitMs} until some node has written entry {@code index} (true) or not (false). A node that
   * does not lead calls it before applying, so the leader writes each entry without waiting for another node's
   * transaction, and the others take the lock-free path afterwards; when the leader does not write it in time
   * (it failed), the node applies it itself as before.
   */
  public boolean awaitApplied(long index, long maxWaitMs) {
    long deadline = System.nanoTime() + maxWaitMs * 1_000_000;
    return PgStoreException.unchecked(() -> {
      try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
          "SELECT applied_index FROM raft_applied WHERE group_id = ?")) {
        c.setAutoCommit(true);
        ps.setString(1, groupId);
        while (true) {
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next() && rs.getLong(1) >= index) {
              return true;
            }
          }
          if (System.nanoTime() > deadline) {
            return false;
          }
          try {
            Thread.sleep(10);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
      }
    });
  }

  /** The group's applied index, -1 without a row; {@code lock}: FOR UPDATE (held until the transaction ends). */
  private long readApplied(Connection c, boolean lock) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT applied_index FROM raft_applied WHERE group_id = ?" + (lock ? " FOR UPDATE" : ""))) {
      ps.setString(1, groupId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1L;
      }
    }
  }

  // --- events ---------------------------------------------------------------------------------------------------

  /**
   * Stores the events of Raft entry {@code index} (each with {@code received_at} set), their outbox records and the
   * streams' versions; answers one outcome per event: STORED, DUPLICATE (same event id or idempotency key as an
   * earlier event), REFUSED (another tenant, or the stream position holds another event) or QUARANTINED (it can
   * never be stored: set aside in {@code quarantined_events}, see {@link EventApply}).
   */
  public List<EventOutcome> applyEvents(long index, long term, List<SovereignFinancialEvent> events,
      long receivedAtMs) {
    long t0 = System.nanoTime();
    long[] t = new long[2];
    List<EventOutcome> result = applyEntry(index, term, (c, fresh) -> {
      t[0] = System.nanoTime();
      t[1] = fresh ? 1 : 0;
      return new EventApply(c, tenantId, topic, index).apply(events, fresh, receivedAtMs);
    });
    if (log.isDebugEnabled()) {
      log.debug("entry {} ({} events, {}): lock {} ms, apply and commit {} ms", index, events.size(),
          t[1] == 1 ? "written" : "skipped", (t[0] - t0) / 1_000_000, (System.nanoTime() - t[0]) / 1_000_000);
    }
    return result;
  }

  /** Quarantined events in commit order after (afterIndex, afterPos), optionally of one branch, at most limit. */
  public List<QuarantinedEvent> quarantined(String branchOrEmpty, long afterIndex, int afterPos, int limit) {
    return inTenant(c -> Quarantine.list(c, branchOrEmpty, afterIndex, afterPos, limit));
  }

  public static long tsMillis(SovereignFinancialEvent e) {
    return e.getTs().getSeconds() * 1000 + e.getTs().getNanos() / 1_000_000;
  }

  // --- CRDTs and agents -----------------------------------------------------------------------------------------

  /** Writes the merged bundles of entry {@code index} (the queryable copy of the replicated CRDT state). */
  public void applyCrdts(long index, long term, List<CRDTStateBundle> merged) {
    applyEntry(index, term, (c, fresh) -> {
      if (!fresh) {
        return null;
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO crdt_state (tenant_id, crdt_id, crdt_type, version,"
          + " bundle, raft_index) VALUES (?,?,?,?,?,?) ON CONFLICT (tenant_id, crdt_id) DO UPDATE SET crdt_type ="
          + " excluded.crdt_type, version = excluded.version, bundle = excluded.bundle, raft_index ="
          + " excluded.raft_index, updated_at = now()")) {
        for (CRDTStateBundle b : merged) {
          ps.setString(1, tenantId);
          ps.setString(2, b.getCrdtId());
          ps.setString(3, b.getCrdtType());
          ps.setLong(4, b.getVersion());
          ps.setBytes(5, b.toByteArray());
          ps.setLong(6, index);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  /** Records a registration of entry {@code index} in agent_registry and audit_log (refusals only in the audit). */
  public void applyRegistration(long index, long term, AgentRegistration r, boolean accepted, long atMs) {
    applyEntry(index, term, (c, fresh) -> {
      if (!fresh) {
        return null;
      }
      if (accepted) {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO agent_registry (tenant_id, agent_id, agent_type,"
            + " branch_id, status, public_key, registration, last_heartbeat) VALUES (?,?,?,?,?,?,?,?)"
            + " ON CONFLICT (tenant_id, agent_id) DO UPDATE SET agent_type = excluded.agent_type, branch_id ="
            + " excluded.branch_id, status = excluded.status, registration = excluded.registration,"
            + " last_heartbeat = excluded.last_heartbeat")) {
          ps.setString(1, tenantId);
          ps.setString(2, r.getAgentId());
          ps.setString(3, r.getAgentType().name());
          ps.setString(4, r.getBranchId());
          ps.setString(5, r.getStatus().name());
          ps.setBytes(6, r.getPublicKey().toByteArray());
          ps.setBytes(7, r.toByteArray());
          ps.setTimestamp(8, new Timestamp(atMs));
          ps.executeUpdate();
        }
      }
      audit(c, atMs, r.getAgentId(), accepted ? "agent.registered" : "agent.registration_refused",
          "agent:" + r.getAgentId(), accepted ? "branch " + r.getBranchId()
              : "registered with another public key");
      return null;
    });
  }

  private void audit(Connection c, long atMs, String actor, String action, String subject, String detail)
      throws SQLException {
    try (PreparedStatement p = c.prepareStatement("SELECT dcs_ensure_audit_partitions(?, 0)")) {
      p.setTimestamp(1, new Timestamp(atMs));
      p.execute();
    }
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO audit_log (tenant_id, at, actor, action, subject, detail) VALUES (?,?,?,?,?,?)")) {
      ps.setString(1, tenantId);
      ps.setTimestamp(2, new Timestamp(atMs));
      ps.setString(3, actor);
      ps.setString(4, action);
      ps.setString(5, subject);
      ps.setString(6, detail);
      ps.executeUpdate();
    }
  }

  /** Creates the audit_log partitions of this month and the next {@code monthsAhead}. */
  public int ensureAuditPartitions(int monthsAhead) {
    return inTenant(c -> {
      try (PreparedStatement p = c.prepareStatement("SELECT dcs_ensure_audit_partitions(now(), ?)")) {
        p.setInt(1, monthsAhead);
        try (ResultSet rs = p.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      }
    });
  }

  /** Records a snapshot of the region's state machine (stream {@code raft:<group>}), for operators and audits. */
  public void recordSnapshot(long index, byte[] state, String checksum, String node) {
    inTenant(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO snapshots (tenant_id, stream_id, version, state,"
          + " checksum, created_by) VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING")) {
        ps.setString(1, tenantId);
        ps.setString(2, "raft:" + groupId);
        ps.setLong(3, index);
        ps.setBytes(4, state);
        ps.setString(5, checksum);
        ps.setString(6, node);
        ps.executeUpdate();
      }
      return null;
    });
  }

  // --- reads ----------------------------------------------------------------------------------------------------

  public Optional<SovereignFinancialEvent> findEvent(String eventId) {
    return inTenant(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT s.event_bytes FROM event_index i JOIN event_store s"
          + " ON s.tenant_id = i.tenant_id AND s.stream_id = i.stream_id AND s.stream_version = i.stream_version"
          + " WHERE i.event_id = ?")) {
        ps.setString(1, eventId);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(parse(rs.getBytes(1))) : Optional.empty();
        }
      }
    });
  }

  /**
   * Events in commit order after the position ({@code afterIndex}, {@code afterPos}), with {@code event_ts} in
   * [fromMs, toMs), optionally of one branch and some types.
   */
  public List<Stored> range(String branchOrEmpty, long fromMs, long toMs, List<Integer> types, long afterIndex,
      int afterPos, int limit) {
    return inTenant(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT s.event_bytes, i.raft_index, i.raft_pos FROM event_index i"
          + " JOIN event_store s ON s.tenant_id = i.tenant_id AND s.stream_id = i.stream_id"
          + " AND s.stream_version = i.stream_version WHERE (i.raft_index, i.raft_pos) > (?, ?)"
          + " AND s.event_ts >= ? AND s.event_ts < ? AND (? = '' OR s.branch_id = ?)"
          + " AND (cardinality(?::int[]) = 0 OR s.event_type = ANY (?::int[]))"
          + " ORDER BY i.raft_index, i.raft_pos LIMIT ?")) {
        Array t = c.createArrayOf("int4", types.toArray());
        ps.setLong(1, afterIndex);
        ps.setInt(2, afterPos);
        ps.setTimestamp(3, new Timestamp(fromMs));
        ps.setTimestamp(4, new Timestamp(Math.min(toMs, 253402300799000L)));
        ps.setString(5, branchOrEmpty);
        ps.setString(6, branchOrEmpty);
        ps.setArray(7, t);
        ps.setArray(8, t);
        ps.setInt(9, limit);
        List<Stored> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Stored(parse(rs.getBytes(1)), rs.getLong(2), rs.getInt(3)));
          }
        }
        return out;
      }
    });
  }

  public int count(String branchOrEmpty, long fromMs, long toMs, List<Integer> types) {
    return inTenant(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM event_store s WHERE s.event_ts >= ?"
          + " AND s.event_ts < ? AND (? = '' OR s.branch_id = ?)"
          + " AND (cardinality(?::int[]) = 0 OR s.event_type = ANY (?::int[]))")) {
        Array t = c.createArrayOf("int4", types.toArray());
        ps.setTimestamp(1, new Timestamp(fromMs));
        ps.setTimestamp(2, new Timestamp(Math.min(toMs, 253402300799000L)));
        ps.setString(3, branchOrEmpty);
        ps.setString(4, branchOrEmpty);
        ps.setArray(5, t);
        ps.setArray(6, t);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      }
    });
  }

  /** The commit-order position of the last stored event: (raft_index, raft_pos), or (0, -1) before the first. */
  public long[] lastPosition() {
    return inTenant(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT raft_index, raft_pos FROM event_index"
          + " ORDER BY raft_index DESC, raft_pos DESC LIMIT 1"); ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new long[] {rs.getLong(1), rs.getInt(2)} : new long[] {0, -1};
      }
    });
  }

  /** Events waiting in the outbox for Kafka. */
  public long outboxLag() {
    return inTenant(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM outbox");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  static SovereignFinancialEvent parse(byte[] bytes) throws SQLException {
    try {
      return SovereignFinancialEvent.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new SQLException("event_store holds bytes that are not a SovereignFinancialEvent", e);
    }
  }
}
