package com.cps.dcs.eventstore.sqlite;

import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.google.protobuf.InvalidProtocolBufferException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Row-level operations of the branch's SQLite event log. Writes take the writer connection of an open transaction
 * (see {@link SqliteDatabase#inTransaction}); reads use whichever connection they are given. The table refuses
 * UPDATE and DELETE by trigger, and duplicate event ids, idempotency keys and (stream, version) pairs by constraint.
 */
public final class SqliteEventLog {
  private static final String COLUMNS = "seq, body, ack, content_hash, own";

  private SqliteEventLog() {}

  private static final String INSERT_EVENT = "INSERT INTO events (event_id, stream_id, stream_version,"
      + " idempotency_key, content_hash, type, branch_id, agent_id, own, ts_ms, amount_minor, currency, ack, body)"
      + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  private static final String LAST_ROWID = "SELECT last_insert_rowid()";
  private static final String UPSERT_STREAM = "INSERT INTO streams (stream_id, version) VALUES (?, ?)"
      + " ON CONFLICT(stream_id) DO UPDATE SET version = max(version, excluded.version)";
  private static final String STREAM_VERSION = "SELECT version FROM streams WHERE stream_id = ?";
  private static final String BY_KEY = "SELECT " + COLUMNS + " FROM events WHERE idempotency_key = ?";
  private static final String BY_ID = "SELECT " + COLUMNS + " FROM events WHERE event_id = ?";
  private static final String META = "SELECT value FROM meta WHERE name = ?";
  private static final String PUT_META =
      "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value";

  /**
   * The hot statements of the append path, prepared once per connection: SQLite compiles a statement on every
   * prepare. A cached statement is never closed by its user (its result sets are), and goes with its connection.
   */
  private static final Map<Connection, Map<String, PreparedStatement>> STATEMENTS =
      Collections.synchronizedMap(new WeakHashMap<>());

  static PreparedStatement cached(Connection c, String sql) throws SQLException {
    Map<String, PreparedStatement> forConnection = STATEMENTS.computeIfAbsent(c, k -> new ConcurrentHashMap<>());
    PreparedStatement ps = forConnection.get(sql);
    if (ps == null || ps.isClosed()) {
      ps = c.prepareStatement(sql);
      forConnection.put(sql, ps);
    } else {
      ps.clearParameters();
    }
    return ps;
  }

  /** Appends one event; returns its seq. */
  public static long insert(Connection c, SovereignFinancialEvent e, AckResponse ack, String contentHash, boolean own)
      throws SQLException {
    return insert(c, e, e.toByteArray(), ack, contentHash, own);
  }

  /**
   * Appends one event whose encoding the caller already has ({@code body} must parse to {@code e}, e.g. the
   * sealer's {@code signedBytes}); returns its seq.
   */
  public static long insert(Connection c, SovereignFinancialEvent e, byte[] body, AckResponse ack,
      String contentHash, boolean own) throws SQLException {
    PreparedStatement ps = cached(c, INSERT_EVENT);
    ps.setString(1, e.getEventId());
    ps.setString(2, e.getStreamId());
    ps.setLong(3, e.getStreamVersion());
    ps.setString(4, e.getIdempotencyKey());
    ps.setString(5, contentHash);
    ps.setInt(6, e.getTypeValue());
    ps.setString(7, e.getBranchId());
    ps.setString(8, e.getAgentId());
    ps.setInt(9, own ? 1 : 0);
    ps.setLong(10, tsMillis(e));
    ps.setLong(11, e.getAmountMinor());
    ps.setString(12, e.getCurrency());
    ps.setBytes(13, ack.toByteArray());
    ps.setBytes(14, body);
    ps.executeUpdate();
    // Read the seq now: the streams upsert below inserts a row for a new stream and moves last_insert_rowid().
    long seq;
    try (ResultSet rs = cached(c, LAST_ROWID).executeQuery()) {
      rs.next();
      seq = rs.getLong(1);
    }
    PreparedStatement up = cached(c, UPSERT_STREAM);
    up.setString(1, e.getStreamId());
    up.setLong(2, e.getStreamVersion());
    up.executeUpdate();
    return seq;
  }

  /** The event's time in Unix milliseconds: its {@code ts}, else its HLC. */
  public static long tsMillis(SovereignFinancialEvent e) {
    if (e.hasTs()) {
      return e.getTs().getSeconds() * 1000 + e.getTs().getNanos() / 1_000_000;
    }
    return e.getCausalContext().getHlc().getPhysicalMs();
  }

  public static long streamVersion(Connection c, String streamId) throws SQLException {
    PreparedStatement ps = cached(c, STREAM_VERSION);
    ps.setString(1, streamId);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** The id of the event at {@code version} of {@code streamId}, if the position is taken. */
  public static Optional<String> atPosition(Connection c, String streamId, long version) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT event_id FROM events WHERE stream_id = ? AND stream_version = ?")) {
      ps.setString(1, streamId);
      ps.setLong(2, version);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  public static Optional<StoredEvent> byIdempotencyKey(Connection c, String key) throws SQLException {
    return one(c, BY_KEY, key);
  }

  public static Optional<StoredEvent> byEventId(Connection c, String eventId) throws SQLException {
    return one(c, BY_ID, eventId);
  }

  /** Events with ts in [fromMs, toMs), optional types, after {@code afterSeq}, in seq order, at most {@code limit}. */
  public static List<StoredEvent> range(Connection c, long fromMs, long toMs, Collection<Integer> types,
      long afterSeq, int limit) throws SQLException {
    return range(c, fromMs, toMs, types, afterSeq, limit, "");
  }

  private static List<StoredEvent> range(Connection c, long fromMs, long toMs, Collection<Integer> types,
      long afterSeq, int limit, String andAlso) throws SQLException {
    String sql = "SELECT " + COLUMNS + " FROM events e WHERE ts_ms >= ? AND ts_ms < ? AND seq > ?" + typeClause(types)
        + andAlso + " ORDER BY seq LIMIT ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, fromMs);
      ps.setLong(2, toMs);
      ps.setLong(3, afterSeq);
      ps.setInt(4, limit);
      return all(ps);
    }
  }

  public static int count(Connection c, long fromMs, long toMs, Collection<Integer> types) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT count(*) FROM events WHERE ts_ms >= ? AND ts_ms < ?" + typeClause(types))) {
      ps.setLong(1, fromMs);
      ps.setLong(2, toMs);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Events after {@code afterSeq} in seq order; {@code ownOnly} restricts to this agent's own events. */
  public static List<StoredEvent> after(Connection c, long afterSeq, boolean ownOnly, int limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM events WHERE seq > ?"
        + (ownOnly ? " AND own = 1" : "") + " ORDER BY seq LIMIT ?")) {
      ps.setLong(1, afterSeq);
      ps.setInt(2, limit);
      return all(ps);
    }
  }

  /** Walks this agent's own events in append order (the hash chain), without loading them all at once. */
  public static void forEachOwn(Connection c, Consumer<SovereignFinancialEvent> action) throws SQLException {
    long after = 0;
    while (true) {
      List<StoredEvent> page = after(c, after, true, 1000);
      if (page.isEmpty()) {
        return;
      }
      page.forEach(s -> action.accept(s.event()));
      after = page.get(page.size() - 1).seq();
    }
  }

  public static long countAfter(Connection c, long afterSeq, boolean ownOnly) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM events WHERE seq > ?"
        + (ownOnly ? " AND own = 1" : ""))) {
      ps.setLong(1, afterSeq);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  // --- events the region refused for good ---------------------------------------------------------------------

  /** An own event the region quarantined: it stays in the log, out of the figures and of the pending set. */
  public record Refused(long seq, String eventId, String reason, long refusedAtMs) {}

  /** Marks the event at {@code seq} refused by the region (once; a second mark keeps the first reason). */
  public static void markRefused(Connection c, long seq, String eventId, String reason, long atMs)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO refused_events (seq, event_id, reason, refused_at_ms)"
        + " VALUES (?,?,?,?) ON CONFLICT(seq) DO NOTHING")) {
      ps.setLong(1, seq);
      ps.setString(2, eventId);
      ps.setString(3, reason);
      ps.setLong(4, atMs);
      ps.executeUpdate();
    }
  }

  /** The refused events in seq order. */
  public static List<Refused> refused(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT seq, event_id, reason, refused_at_ms FROM refused_events ORDER BY seq");
        ResultSet rs = ps.executeQuery()) {
      List<Refused> out = new ArrayList<>();
      while (rs.next()) {
        out.add(new Refused(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
      }
      return out;
    }
  }

  public static long refusedCount(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM refused_events");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** {@link #range} without the events the region refused: what the branch's figures are made of. */
  public static List<StoredEvent> rangeCounted(Connection c, long fromMs, long toMs, Collection<Integer> types,
      long afterSeq, int limit) throws SQLException {
    return range(c, fromMs, toMs, types, afterSeq, limit,
        " AND NOT EXISTS (SELECT 1 FROM refused_events r WHERE r.seq = e.seq)");
  }

  public static long maxSeq(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(seq), 0) FROM events");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String typeClause(Collection<Integer> types) {
    if (types == null || types.isEmpty()) {
      return "";
    }
    return " AND type IN (" + types.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")";
  }

  private static Optional<StoredEvent> one(Connection c, String sql, String arg) throws SQLException {
    PreparedStatement ps = cached(c, sql);
    ps.setString(1, arg);
    List<StoredEvent> rows = all(ps);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  private static List<StoredEvent> all(PreparedStatement ps) throws SQLException {
    List<StoredEvent> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        try {
          out.add(new StoredEvent(rs.getLong(1), SovereignFinancialEvent.parseFrom(rs.getBytes(2)),
              AckResponse.parseFrom(rs.getBytes(3)), rs.getString(4), rs.getInt(5) == 1));
        } catch (InvalidProtocolBufferException e) {
          throw new SQLException("event row " + rs.getLong(1) + " does not parse", e);
        }
      }
    }
    return out;
  }

  // --- small named values -------------------------------------------------------------------------------------

  public static Optional<byte[]> meta(Connection c, String name) throws SQLException {
    PreparedStatement ps = cached(c, META);
    ps.setString(1, name);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
    }
  }

  public static void putMeta(Connection c, String name, byte[] value) throws SQLException {
    PreparedStatement ps = cached(c, PUT_META);
    ps.setString(1, name);
    ps.setBytes(2, value);
    ps.executeUpdate();
  }

  // --- CRDT state -----------------------------------------------------------------------------------------------

  /** A stored CRDT: its type, serialized state (the seed's message), last update clock and version. */
  public record CrdtRow(String crdtId, String crdtType, byte[] state, byte[] updatedAt, long version) {}

  public static Optional<CrdtRow> crdt(Connection c, String crdtId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT crdt_id, crdt_type, state, updated_at, version FROM crdt_state WHERE crdt_id = ?")) {
      ps.setString(1, crdtId);
      List<CrdtRow> rows = crdtRows(ps);
      return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }
  }

  public static List<CrdtRow> crdts(Connection c, String idPrefix) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT crdt_id, crdt_type, state, updated_at, version FROM crdt_state WHERE crdt_id LIKE ? ORDER BY crdt_id")) {
      ps.setString(1, idPrefix.replace("%", "\\%") + "%");
      return crdtRows(ps);
    }
  }

  public static void putCrdt(Connection c, CrdtRow row) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO crdt_state (crdt_id, crdt_type, state, updated_at, version) VALUES (?,?,?,?,?)"
            + " ON CONFLICT(crdt_id) DO UPDATE SET crdt_type = excluded.crdt_type, state = excluded.state,"
            + " updated_at = excluded.updated_at, version = excluded.version")) {
      ps.setString(1, row.crdtId());
      ps.setString(2, row.crdtType());
      ps.setBytes(3, row.state());
      ps.setBytes(4, row.updatedAt());
      ps.setLong(5, row.version());
      ps.executeUpdate();
    }
  }

  private static List<CrdtRow> crdtRows(PreparedStatement ps) throws SQLException {
    List<CrdtRow> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new CrdtRow(rs.getString(1), rs.getString(2), rs.getBytes(3), rs.getBytes(4), rs.getLong(5)));
      }
    }
    return out;
  }

  // --- documents ------------------------------------------------------------------------------------------------

  public static Optional<byte[]> document(Connection c, String collection, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT body FROM documents WHERE collection = ? AND id = ?")) {
      ps.setString(1, collection);
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
      }
    }
  }

  public static List<byte[]> documents(Connection c, String collection) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT body FROM documents WHERE collection = ? ORDER BY id")) {
      ps.setString(1, collection);
      List<byte[]> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getBytes(1));
        }
      }
      return out;
    }
  }

  public static void putDocument(Connection c, String collection, String id, byte[] body) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO documents (collection, id, version, body) VALUES (?, ?, 1, ?) ON CONFLICT(collection, id)"
            + " DO UPDATE SET body = excluded.body, version = documents.version + 1")) {
      ps.setString(1, collection);
      ps.setString(2, id);
      ps.setBytes(3, body);
      ps.executeUpdate();
    }
  }

  // --- peers ------------------------------------------------------------------------------------------------------

  /** A peer agent known by registration. */
  public record PeerRow(String agentId, byte[] publicKey, byte[] registration, long lastSeenMs) {}

  public static Optional<PeerRow> peer(Connection c, String agentId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT agent_id, public_key, registration, last_seen_ms FROM peers WHERE agent_id = ?")) {
      ps.setString(1, agentId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new PeerRow(rs.getString(1), rs.getBytes(2), rs.getBytes(3), rs.getLong(4)))
            : Optional.empty();
      }
    }
  }

  public static void putPeer(Connection c, PeerRow p) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO peers (agent_id, public_key, registration, last_seen_ms) VALUES (?,?,?,?) ON CONFLICT(agent_id)"
            + " DO UPDATE SET registration = excluded.registration, last_seen_ms = excluded.last_seen_ms")) {
      ps.setString(1, p.agentId());
      ps.setBytes(2, p.publicKey());
      ps.setBytes(3, p.registration());
      ps.setLong(4, p.lastSeenMs());
      ps.executeUpdate();
    }
  }
}
