package com.cps.dcs.eventstore.pg.region;

import com.cps.dcs.eventstore.pg.PgDatabase;
import com.cps.dcs.eventstore.pg.PgStoreException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The region's {@code outbox} table as its relay to Kafka uses it: the rows {@link RegionStore#applyEvents} wrote in
 * the transaction of their events, read oldest first and deleted once Kafka acknowledged them, and the dedicated
 * session that holds the region's advisory lock (whoever holds it relays). Failures leave as
 * {@link PgStoreException}.
 */
public final class Outbox {
  /** A record to send: the row's id, the message key (the stream id), the event's bytes and the topic. */
  public record Row(long id, String key, byte[] payload, String topic) {}

  private final DataSource ds;
  private final String tenantId;
  private final String lockUrl;
  private final String lockUser;
  private final String lockPassword;

  /**
   * @param ds the application role's pool (under row-level security, scoped to {@code tenantId})
   * @param lockUrl a JDBC URL for the dedicated connection that holds the advisory lock (the app role's URL)
   */
  public Outbox(DataSource ds, String tenantId, String lockUrl, String lockUser, String lockPassword) {
    this.ds = ds;
    this.tenantId = tenantId;
    this.lockUrl = lockUrl;
    this.lockUser = lockUser;
    this.lockPassword = lockPassword;
  }

  /** The oldest rows, in outbox order, at most {@code limit}. */
  public List<Row> oldest(int limit) {
    return PgStoreException.unchecked(() -> PgDatabase.inTenant(ds, tenantId, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, message_key, payload, topic FROM outbox ORDER BY id LIMIT " + limit)) {
        List<Row> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Row(rs.getLong(1), rs.getString(2), rs.getBytes(3), rs.getString(4)));
          }
        }
        return out;
      }
    }));
  }

  /** Deletes the rows {@code ids} (Kafka acknowledged them). */
  public int delete(List<Long> ids) {
    return PgStoreException.unchecked(() -> PgDatabase.inTenant(ds, tenantId, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM outbox WHERE id = ANY (?)")) {
        ps.setArray(1, c.createArrayOf("int8", ids.toArray()));
        return ps.executeUpdate();
      }
    }));
  }

  /**
   * Opens the dedicated session for the advisory lock: a connection of its own, outside the pool, so the lock lives
   * exactly as long as this node's session (when the node dies, PostgreSQL ends the session and releases it).
   */
  public LockSession openLockSession() {
    return new LockSession(PgStoreException.unchecked(() -> DriverManager.getConnection(lockUrl, lockUser,
        lockPassword)));
  }

  /** The session that holds, or tries to take, the region's advisory lock. Closing it releases the lock. */
  public static final class LockSession implements AutoCloseable {
    private final Connection c;

    private LockSession(Connection c) {
      this.c = c;
    }

    /** Takes the advisory lock {@code key} if no other session holds it ({@code pg_try_advisory_lock}). */
    public boolean tryLock(long key) {
      return PgStoreException.unchecked(() -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
          ps.setLong(1, key);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
          }
        }
      });
    }

    /** True while the session's connection is still open and answers within {@code timeoutSeconds}. */
    public boolean isValid(int timeoutSeconds) {
      return PgStoreException.unchecked(() -> c.isValid(timeoutSeconds));
    }

    @Override
    public void close() {
      try {
        c.close();
      } catch (SQLException e) {
        throw new PgStoreException(e);
      }
    }
  }
}
