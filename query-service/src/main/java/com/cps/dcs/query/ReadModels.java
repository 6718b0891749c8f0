package com.cps.dcs.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Read transactions under row-level security: each one switches to the non-owner role {@code dcs_app} and sets
 * {@code app.tenant_id}, both local to the transaction, so a caller sees only its tenant's rows.
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

  public <T> T read(String tenant, Read<T> work) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        // one round trip: SET LOCAL ROLE dcs_app and the tenant, both undone at the end of the transaction
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT set_config('role', 'dcs_app', true), set_config('app.tenant_id', ?, true)")) {
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
