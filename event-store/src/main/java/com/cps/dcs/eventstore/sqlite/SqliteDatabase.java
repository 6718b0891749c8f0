package com.cps.dcs.eventstore.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SQLite file in WAL mode with {@code synchronous=FULL}: a committed transaction survives a power cut or a
 * {@code kill -9}. One writer connection (serialized by a lock, as SQLite has a single writer anyway) and one reader
 * connection that sees the last committed state. Schema migrations in {@code db/sqlite} are applied in order once.
 */
public final class SqliteDatabase implements AutoCloseable {
  private static final List<String> MIGRATIONS = List.of("V1__local_event_log.sql", "V2__refused_events.sql",
      "V3__sagas.sql");

  private final Connection writer;
  private final Connection reader;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ReentrantLock readLock = new ReentrantLock();

  private SqliteDatabase(Connection writer, Connection reader) {
    this.writer = writer;
    this.reader = reader;
  }

  public static SqliteDatabase open(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      String url = "jdbc:sqlite:" + file.toAbsolutePath();
      // The driver would otherwise run and parse an extra "SELECT last_insert_rowid()" after every insert; the
      // log reads its seq itself (SqliteEventLog.insert).
      java.util.Properties writerProps = new java.util.Properties();
      writerProps.setProperty("jdbc.get_generated_keys", "false");
      Connection w = DriverManager.getConnection(url, writerProps);
      try (Statement s = w.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute("PRAGMA busy_timeout=10000");
        s.execute("PRAGMA foreign_keys=ON");
      }
      migrate(w);
      w.setAutoCommit(false);
      Connection r = DriverManager.getConnection(url);
      try (Statement s = r.createStatement()) {
        s.execute("PRAGMA busy_timeout=10000");
        s.execute("PRAGMA query_only=ON");
      }
      return new SqliteDatabase(w, r);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open the SQLite event log at " + file + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void migrate(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS schema_history (version TEXT PRIMARY KEY, applied_ms INTEGER NOT NULL)");
    }
    for (String m : MIGRATIONS) {
      boolean applied;
      try (var ps = c.prepareStatement("SELECT 1 FROM schema_history WHERE version = ?")) {
        ps.setString(1, m);
        try (ResultSet rs = ps.executeQuery()) {
          applied = rs.next();
        }
      }
      if (applied) {
        continue;
      }
      String sql;
      try (InputStream in = SqliteDatabase.class.getResourceAsStream("/db/sqlite/" + m)) {
        sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        for (String stmt : splitStatements(sql)) {
          s.execute(stmt);
        }
        try (var ps = c.prepareStatement("INSERT INTO schema_history VALUES (?, ?)")) {
          ps.setString(1, m);
          ps.setLong(2, System.currentTimeMillis());
          ps.executeUpdate();
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  /** Splits a script on semicolons that end a line, keeping trigger bodies (BEGIN ... END;) whole. */
  static List<String> splitStatements(String sql) {
    List<String> out = new java.util.ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inTrigger = false;
    for (String line : sql.split("\n")) {
      String t = line.strip();
      if (t.startsWith("--") || t.isEmpty()) {
        continue;
      }
      cur.append(line).append('\n');
      String upper = t.toUpperCase();
      if (upper.startsWith("CREATE TRIGGER")) {
        inTrigger = true;
      }
      if (t.endsWith(";") && (!inTrigger || upper.endsWith("END;"))) {
        out.add(cur.toString());
        cur.setLength(0);
        inTrigger = false;
      }
    }
    return out;
  }

  /** Work on the writer connection inside one transaction: committed when it returns, rolled back if it throws. */
  public <T> T inTransaction(SqlWork<T> work) {
    writeLock.lock();
    try {
      try {
        T result = work.apply(writer);
        writer.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          writer.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        if (e instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException("SQLite transaction failed: " + e.getMessage(), e);
      }
    } finally {
      writeLock.unlock();
    }
  }

  /** Work on the reader connection (last committed state). */
  public <T> T read(SqlWork<T> work) {
    readLock.lock();
    try {
      return work.apply(reader);
    } catch (SQLException e) {
      throw new IllegalStateException("SQLite read failed: " + e.getMessage(), e);
    } finally {
      readLock.unlock();
    }
  }

  @Override
  public void close() {
    try {
      reader.close();
      writer.close();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A unit of JDBC work. */
  @FunctionalInterface
  public interface SqlWork<T> {
    T apply(Connection c) throws SQLException;
  }
}
