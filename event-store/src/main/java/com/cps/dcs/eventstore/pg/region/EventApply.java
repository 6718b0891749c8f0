package com.cps.dcs.eventstore.pg.region;

import com.cps.dcs.eventstore.pg.SqlStates;
import com.cps.dcs.kernel.validation.EventRules;
import com.cps.dcs.kernel.validation.Violation;
import com.cps.dcs.proto.region.v1.EventOutcome;
import com.cps.dcs.proto.region.v1.RefusalConflict;
import com.cps.dcs.proto.region.v1.StaleStreamVersion;
import com.cps.dcs.proto.region.v1.TypedRefusal;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The events of one Raft entry, inside the entry's transaction: one outcome per event, and on the node that writes
 * the entry ({@code fresh}) their rows. Deterministic, so every node answers the same: an event that can never be
 * stored (its content breaks {@link EventRules#content}, or PostgreSQL refuses it for good, see
 * {@link SqlStates#isContentRefusal}) is QUARANTINED and the others of the entry are still stored. The rules run
 * before any statement sees the event (a NUL in an id would fail the lookups themselves); a refusal by PostgreSQL
 * rolls back to a savepoint and the entry's events are then inserted one by one, each under its own savepoint.
 */
final class EventApply {
  private final Connection c;
  private final String tenantId;
  private final String topic;
  private final long index;

  EventApply(Connection c, String tenantId, String topic, long index) {
    this.c = c;
    this.tenantId = tenantId;
    this.topic = topic;
    this.index = index;
  }

  static String keyOf(SovereignFinancialEvent e) {
    return e.getIdempotencyKey().isEmpty() ? e.getEventId() : e.getIdempotencyKey();
  }

  private record Known(String eventId, String key, String streamId, int version, long raftIndex) {}

  private static TypedRefusal staleVersion(SovereignFinancialEvent e, String heldBy) {
    return TypedRefusal.newBuilder().setStaleVersion(StaleStreamVersion.newBuilder().setStreamId(e.getStreamId())
        .setRequestedVersion(e.getStreamVersion()).setCurrentVersion(-1).setHeldByEventId(heldBy)).build();
  }

  private static TypedRefusal conflict(String code, String subject, String message) {
    return TypedRefusal.newBuilder().setConflict(RefusalConflict.newBuilder().setCode(code).setSubject(subject)
        .setMessage(message)).build();
  }

  static String describe(List<Violation> violations) {
    return "invalid event: " + violations.stream().map(v -> v.field() + " " + v.description())
        .collect(Collectors.joining("; "));
  }

  List<EventOutcome> apply(List<SovereignFinancialEvent> events, boolean fresh, long receivedAtMs)
      throws SQLException {
    List<List<Violation>> violations = events.stream().map(EventRules::content).toList();
    List<SovereignFinancialEvent> valid = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      if (violations.get(i).isEmpty()) {
        valid.add(events.get(i));
      }
    }
    Map<String, String> quarantined = Quarantine.reasons(c, tenantId, events);
    Map<String, Known> byId = new HashMap<>();
    Map<String, Known> byKey = new HashMap<>();
    Map<String, Known> byPosition = new HashMap<>();
    for (Known k : fresh ? known(valid) : knownAfterWrite(valid)) {
      byId.put(k.eventId(), k);
      byKey.put(k.key(), k);
      byPosition.put(k.streamId() + "#" + k.version(), k);
    }
    EventOutcome[] out = new EventOutcome[events.size()];
    List<Quarantine.Entry> toQuarantine = new ArrayList<>();
    List<SovereignFinancialEvent> toStore = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    Set<String> batchIds = new HashSet<>();
    Set<String> batchKeys = new HashSet<>();
    Map<String, String> batchPositions = new HashMap<>();
    Set<String> quarantinedHere = new HashSet<>();
    for (int i = 0; i < events.size(); i++) {
      SovereignFinancialEvent e = events.get(i);
      EventOutcome.Builder o = EventOutcome.newBuilder().setEventId(SqlStates.printable(e.getEventId()));
      Known k = byId.containsKey(e.getEventId()) ? byId.get(e.getEventId()) : byKey.get(keyOf(e));
      String position = e.getStreamId() + "#" + e.getStreamVersion();
      if (!e.getTenantId().equals(tenantId)) {
        o.setResult(EventOutcome.Result.REFUSED).setReason("the region serves tenant " + tenantId)
            .setRefusal(conflict("WRONG_TENANT", "event " + e.getEventId(), "the region serves tenant " + tenantId));
      } else if (quarantined.containsKey(Quarantine.key(e))) {
        o.setResult(EventOutcome.Result.QUARANTINED).setReason(quarantined.get(Quarantine.key(e)));
      } else if (!violations.get(i).isEmpty()) {
        String reason = SqlStates.printable(describe(violations.get(i)));
        o.setResult(EventOutcome.Result.QUARANTINED).setReason(reason);
        if (fresh && quarantinedHere.add(Quarantine.key(e))) {
          toQuarantine.add(new Quarantine.Entry(e, i, reason, ""));
        }
      } else if (batchIds.contains(e.getEventId()) || batchKeys.contains(keyOf(e))) {
        o.setResult(EventOutcome.Result.DUPLICATE).setCommittedIndex(index).setStoredEventId(e.getEventId());
      } else if (k != null && (fresh || k.raftIndex() != index)) {
        o.setResult(EventOutcome.Result.DUPLICATE).setCommittedIndex(k.raftIndex()).setStoredEventId(k.eventId());
      } else if (k != null) {
        o.setResult(EventOutcome.Result.STORED).setCommittedIndex(index); // written by another node
        batchIds.add(e.getEventId());
        batchKeys.add(keyOf(e));
      } else if (!fresh) {
        Known holder = byPosition.get(position);
        o.setResult(EventOutcome.Result.REFUSED).setReason(holder == null ? "not stored"
            : "stream " + e.getStreamId() + " version " + e.getStreamVersion() + " holds event " + holder.eventId())
            .setRefusal(holder == null ? conflict("NOT_STORED", "event " + e.getEventId(), "not stored")
                : staleVersion(e, holder.eventId()));
      } else if (byPosition.containsKey(position) || batchPositions.containsKey(position)) {
        String holder = byPosition.containsKey(position) ? byPosition.get(position).eventId()
            : batchPositions.get(position);
        o.setResult(EventOutcome.Result.REFUSED).setReason("stream " + e.getStreamId() + " version "
            + e.getStreamVersion() + " holds event " + holder).setRefusal(staleVersion(e, holder));
      } else {
        o.setResult(EventOutcome.Result.STORED).setCommittedIndex(index);
        batchIds.add(e.getEventId());
        batchKeys.add(keyOf(e));
        batchPositions.put(position, e.getEventId());
        toStore.add(e.toBuilder().setReceivedAt(receivedAtMs).build());
        positions.add(i);
      }
      out[i] = o.build();
    }
    withCurrentVersions(out, toStore);
    if (fresh && !toStore.isEmpty()) {
      for (Quarantine.Entry q : insert(toStore, positions)) {
        toQuarantine.add(q);
        quarantineOutcomes(events, out, q);
      }
    }
    if (fresh) {
      Quarantine.record(c, tenantId, index, toQuarantine);
    }
    return List.of(out);
  }

  /**
   * Gives each stale-version refusal its stream's current version: the highest stored (stream_metadata) or stored
   * by this entry, so the caller knows where the stream is without reading it.
   */
  private void withCurrentVersions(EventOutcome[] out, List<SovereignFinancialEvent> storedHere) throws SQLException {
    Map<String, Long> current = new HashMap<>();
    for (EventOutcome o : out) {
      if (o.getRefusal().hasStaleVersion()) {
        current.put(o.getRefusal().getStaleVersion().getStreamId(), 0L);
      }
    }
    if (current.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT stream_id, version FROM stream_metadata WHERE tenant_id = ? AND stream_id = ANY (?)")) {
      ps.setString(1, tenantId);
      ps.setArray(2, c.createArrayOf("text", current.keySet().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          current.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    for (SovereignFinancialEvent e : storedHere) {
      current.computeIfPresent(e.getStreamId(), (k, v) -> Math.max(v, e.getStreamVersion()));
    }
    for (int j = 0; j < out.length; j++) {
      if (out[j].getRefusal().hasStaleVersion()) {
        var stale = out[j].getRefusal().getStaleVersion();
        out[j] = out[j].toBuilder().setRefusal(out[j].getRefusal().toBuilder().setStaleVersion(stale.toBuilder()
            .setCurrentVersion(current.get(stale.getStreamId())))).build();
      }
    }
  }

  /** A refused insert turns its event, and any later copy of it in the entry (a duplicate of it), QUARANTINED. */
  private static void quarantineOutcomes(List<SovereignFinancialEvent> events, EventOutcome[] out,
      Quarantine.Entry q) {
    SovereignFinancialEvent refused = events.get(q.raftPos());
    for (int j = q.raftPos(); j < events.size(); j++) {
      SovereignFinancialEvent e = events.get(j);
      if (j == q.raftPos() || e.getEventId().equals(refused.getEventId()) || keyOf(e).equals(keyOf(refused))) {
        out[j] = out[j].toBuilder().setResult(EventOutcome.Result.QUARANTINED).setReason(q.reason())
            .clearCommittedIndex().clearStoredEventId().build();
      }
    }
  }

  /**
   * Inserts the events in one statement; when PostgreSQL refuses the content of one of them, one by one instead.
   *
   * @return the events PostgreSQL refused for good, with its reason
   */
  private List<Quarantine.Entry> insert(List<SovereignFinancialEvent> toStore, List<Integer> positions)
      throws SQLException {
    Savepoint all = c.setSavepoint();
    try {
      EntryInsert.insert(c, tenantId, topic, index, toStore, positions);
      c.releaseSavepoint(all);
      return List.of();
    } catch (SQLException e) {
      if (!SqlStates.isContentRefusal(e)) {
        throw e;
      }
      c.rollback(all);
    }
    List<Quarantine.Entry> refused = new ArrayList<>();
    for (int j = 0; j < toStore.size(); j++) {
      Savepoint one = c.setSavepoint();
      try {
        EntryInsert.insert(c, tenantId, topic, index, List.of(toStore.get(j)), List.of(positions.get(j)));
        c.releaseSavepoint(one);
      } catch (SQLException e) {
        if (!SqlStates.isContentRefusal(e)) {
          throw e;
        }
        c.rollback(one);
        refused.add(new Quarantine.Entry(toStore.get(j), positions.get(j),
            "PostgreSQL refused it (SQLState " + e.getSQLState() + "): " + SqlStates.describe(e), e.getSQLState()));
      }
    }
    return refused;
  }

  /**
   * What {@link #known} answers for an entry another node wrote: its rows (one range of the commit-order index),
   * and a lookup only for the events not among them (duplicates and refusals, usually none).
   */
  private List<Known> knownAfterWrite(List<SovereignFinancialEvent> events) throws SQLException {
    List<Known> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT event_id, idempotency_key, stream_id, stream_version,"
        + " raft_index FROM event_index WHERE tenant_id = ? AND raft_index = ?")) {
      ps.setString(1, tenantId);
      ps.setLong(2, index);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Known(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getLong(5)));
        }
      }
    }
    Set<String> written = new HashSet<>();
    out.forEach(k -> written.add(k.eventId()));
    out.addAll(known(events.stream().filter(e -> !written.contains(e.getEventId())).toList()));
    return out;
  }

  private List<Known> known(List<SovereignFinancialEvent> events) throws SQLException {
    if (events.isEmpty()) {
      return List.of();
    }
    String[] ids = events.stream().map(SovereignFinancialEvent::getEventId).toArray(String[]::new);
    String[] keys = events.stream().map(EventApply::keyOf).toArray(String[]::new);
    String[] streams = events.stream().map(SovereignFinancialEvent::getStreamId).toArray(String[]::new);
    Integer[] versions = events.stream().map(e -> e.getStreamVersion()).toArray(Integer[]::new);
    List<Known> out = new ArrayList<>();
    // Three index lookups (an OR of the three would scan every row of the tenant for each entry).
    String cols = "SELECT i.event_id, i.idempotency_key, i.stream_id, i.stream_version, i.raft_index FROM event_index i";
    try (PreparedStatement ps = c.prepareStatement(cols + " JOIN unnest(?::text[]) x(id) ON i.event_id = x.id"
        + " WHERE i.tenant_id = ? UNION " + cols + " JOIN unnest(?::text[]) k(key) ON i.tenant_id = ?"
        + " AND i.idempotency_key = k.key UNION " + cols + " JOIN unnest(?::text[], ?::int[]) p(s, v)"
        + " ON i.tenant_id = ? AND i.stream_id = p.s AND i.stream_version = p.v")) {
      ps.setArray(1, c.createArrayOf("text", ids));
      ps.setString(2, tenantId);
      ps.setArray(3, c.createArrayOf("text", keys));
      ps.setString(4, tenantId);
      ps.setArray(5, c.createArrayOf("text", streams));
      ps.setArray(6, c.createArrayOf("int4", versions));
      ps.setString(7, tenantId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Known(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getLong(5)));
        }
      }
    }
    return out;
  }
}
