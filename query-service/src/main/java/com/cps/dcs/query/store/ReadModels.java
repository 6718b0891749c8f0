package com.cps.dcs.query.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Read transactions under row-level security: each one switches to the non-owner role {@code dcs_app} and sets
 * {@code app.tenant_id}, both local to the transaction, so a caller sees only its tenant's rows. Reads of a fixed
 * set of statements use {@link #readInOneTrip}: one network round trip for the whole read.
 */
public final class ReadModels {

  /** Work done inside one tenant-scoped read transaction. */
  @FunctionalInterface
  public interface Read<T> {
    T run(Connection c) throws SQLException;
  }

  private final DataSource ds;

  public ReadModels(DataSource ds) {
    this.ds = ds;
  }

  /** Reads the result sets of {@link #readInOneTrip}'s statements, in order. */
  @FunctionalInterface
  public interface ReadResults<T> {
    T run(Results results) throws SQLException;
  }

  /** The result sets of the statements of one round trip. */
  public static final class Results {
    private final PreparedStatement ps;

    private Results(PreparedStatement ps) {
      this.ps = ps;
    }

    /** The next statement's rows (closed with the statement). */
    public ResultSet next() throws SQLException {
      if (!ps.getMoreResults()) {
        throw new SQLException("no more result sets");
      }
      return ps.getResultSet();
    }
  }

  private static final String SCOPE =
      "SELECT set_config('role', 'dcs_app', true), set_config('app.tenant_id', ?, true)";

  /** Runs {@code work} in one tenant-scoped read transaction (a round trip per statement, plus one to commit). */
  public <T> T read(String tenant, Read<T> work) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        // one round trip: SET LOCAL ROLE dcs_app and the tenant, both undone at the end of the transaction
        try (PreparedStatement ps = c.prepareStatement(SCOPE)) {
          ps.setString(1, tenant);
          ps.execute();
        }
        T out = work.run(c);
        c.commit();
        return out;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * Runs the read-only statements {@code sql} (separated by {@code ;}, bound to {@code args} in order) for
   * {@code tenant} in one round trip. The driver sends the scope statement and these as one extended-protocol
   * sequence closed by a single Sync, which PostgreSQL runs as one implicit transaction: the local role and tenant
   * hold for exactly these statements, as in {@link #read}, without a BEGIN and a COMMIT of their own.
   */
  public <T> T readInOneTrip(String tenant, String sql, Object[] args, ReadResults<T> work) throws SQLException {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(SCOPE + "; " + sql)) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      ps.setString(1, tenant);
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 2, args[i]);
      }
      ps.execute(); // the first result is the scope statement's
      return work.run(new Results(ps));
    }
  }

  /** Binds {@code args} and runs {@code sql}. */
  public static ResultSet query(Connection c, String sql, Object... args) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
    ps.closeOnCompletion();
    return ps.executeQuery();
  }
}
