package com.cps.dcs.eventstore.pg;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The regional PostgreSQL database: created when missing, migrated by its owner (the user of {@code DCS_PG_URL}),
 * and used by services as the non-owner role {@code dcs_app} under row-level security, one tenant per transaction.
 */
public final class PgDatabase {
  private static final Pattern URL = Pattern.compile("jdbc:postgresql://([^/?]+)/([^?]*)(\\?.*)?");

  /** Work inside one tenant-scoped transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private PgDatabase() {}

  /** Creates the database of {@code pgUrl} when missing, then runs every migration as the URL's user. */
  public static void createAndMigrate(String pgUrl) {
    createIfMissing(pgUrl);
    Flyway.configure().dataSource(pgUrl, null, null).locations("classpath:db/postgresql")
        .outOfOrder(true) // several services migrate one database, each may start first
        .load().migrate();
  }

  static void createIfMissing(String pgUrl) {
    Matcher m = URL.matcher(pgUrl);
    if (!m.matches()) {
      throw new IllegalStateException("DCS_PG_URL must look like jdbc:postgresql://host:port/db, got " + pgUrl);
    }
    String db = m.group(2);
    if (!db.matches("[A-Za-z0-9_]+")) {
      throw new IllegalStateException("database name '" + db + "' must be letters, digits and _");
    }
    String admin = "jdbc:postgresql://" + m.group(1) + "/postgres" + (m.group(3) == null ? "" : m.group(3));
    try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + db + "'")) {
        if (rs.next()) {
          return;
        }
      }
      s.execute("CREATE DATABASE " + db);
    } catch (SQLException e) {
      if (!"42P04".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) { // created concurrently: fine
        throw new IllegalStateException("cannot reach or create the database at " + pgUrl + ": " + e.getMessage(), e);
      }
    }
  }

  /** {@code pgUrl} without its {@code user} and {@code password} parameters (they would override the pool's). */
  public static String withoutCredentials(String pgUrl) {
    int q = pgUrl.indexOf('?');
    if (q < 0) {
      return pgUrl;
    }
    List<String> kept = new ArrayList<>();
    for (String p : pgUrl.substring(q + 1).split("&")) {
      String k = p.contains("=") ? p.substring(0, p.indexOf('=')) : p;
      if (!k.equalsIgnoreCase("user") && !k.equalsIgnoreCase("password") && !p.isEmpty()) {
        kept.add(p);
      }
    }
    return pgUrl.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
  }

  /** Runs {@code work} in one transaction with {@code app.tenant_id} set, committing on success. */
  public static <T> T inTenant(DataSource ds, String tenantId, Work<T> work) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('app.tenant_id', ?, true)")) {
          ps.setString(1, tenantId);
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
}
