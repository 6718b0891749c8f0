package com.cps.dcs.eventstore.pg;

import java.sql.SQLException;

/**
 * A PostgreSQL store's call failed. The store's boundary: the {@link SQLException} behind it stays its cause, and
 * callers outside the store never handle a JDBC type. {@link #isTransient} says whether the same call may succeed
 * later ({@link SqlStates#isTransient}: the server away, a lost race); the message is the driver's.
 */
public final class PgStoreException extends RuntimeException {
  private final String sqlState;
  private final boolean transientFailure;

  public PgStoreException(SQLException cause) {
    super(cause.getMessage(), cause);
    this.sqlState = cause.getSQLState();
    this.transientFailure = SqlStates.isTransient(cause);
  }

  /** Work that may throw what JDBC throws. */
  @FunctionalInterface
  public interface SqlWork<T> {
    T run() throws SQLException;
  }

  /** Runs {@code work}; an {@link SQLException} leaves it as a {@code PgStoreException}. */
  public static <T> T unchecked(SqlWork<T> work) {
    try {
      return work.run();
    } catch (SQLException e) {
      throw new PgStoreException(e);
    }
  }

  /** The SQLState PostgreSQL or the driver gave, or null (none: a socket closed under the driver, for instance). */
  public String sqlState() {
    return sqlState;
  }

  /** True when a retry can fix it: see {@link SqlStates#isTransient}. */
  public boolean isTransient() {
    return transientFailure;
  }
}
