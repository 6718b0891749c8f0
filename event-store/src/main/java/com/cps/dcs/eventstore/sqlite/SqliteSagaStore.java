package com.cps.dcs.eventstore.sqlite;

import com.cps.dcs.kernel.saga.SagaRecord;
import com.cps.dcs.kernel.saga.SagaRecord.StepRecord;
import com.cps.dcs.kernel.saga.SagaStore;
import com.cps.dcs.proto.v4.SagaState;
import com.cps.dcs.proto.v4.SagaStepState;
import com.cps.dcs.proto.v4.SagaType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The saga engine's {@link SagaStore} in the branch's SQLite file ({@code saga_instances} and {@code saga_steps},
 * migration V3). Each write is one transaction on the database's writer (WAL, {@code synchronous=FULL}): when it
 * returns the saga is on disk as written, and a {@code kill -9} leaves it as it was at the last write. An update
 * names the version it read and is refused ({@link SagaStore.ConcurrentSagaUpdate}) when another writer moved the
 * saga on first.
 */
public final class SqliteSagaStore implements SagaStore {
  private static final String COLUMNS = "saga_id, saga_type, state, finished, context, created_ns, updated_ns,"
      + " deadline_ns, failure, expired, version";

  private final SqliteDatabase db;

  public SqliteSagaStore(SqliteDatabase db) {
    this.db = db;
  }

  @Override
  public SagaRecord create(SagaRecord fresh) {
    return db.inTransaction(c -> {
      Optional<SagaRecord> existing = load(c, fresh.sagaId());
      if (existing.isPresent()) {
        return existing.get();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO saga_instances (" + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, fresh.sagaId());
        ps.setString(2, fresh.type().name());
        ps.setString(3, fresh.state().name());
        ps.setInt(4, fresh.finished() ? 1 : 0);
        ps.setBytes(5, fresh.context());
        ps.setLong(6, nanos(fresh.createdAt()));
        ps.setLong(7, nanos(fresh.updatedAt()));
        ps.setLong(8, nanos(fresh.deadline()));
        ps.setString(9, fresh.failure());
        ps.setInt(10, fresh.expired() ? 1 : 0);
        ps.setLong(11, fresh.version());
        ps.executeUpdate();
      }
      writeSteps(c, fresh);
      return fresh;
    });
  }

  @Override
  public Optional<SagaRecord> find(String sagaId) {
    return db.read(c -> load(c, sagaId));
  }

  @Override
  public void update(SagaRecord next, long expectedVersion) {
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE saga_instances SET state = ?, finished = ?,"
          + " context = ?, updated_ns = ?, failure = ?, expired = ?, version = ? WHERE saga_id = ? AND version = ?")) {
        ps.setString(1, next.state().name());
        ps.setInt(2, next.finished() ? 1 : 0);
        ps.setBytes(3, next.context());
        ps.setLong(4, nanos(next.updatedAt()));
        ps.setString(5, next.failure());
        ps.setInt(6, next.expired() ? 1 : 0);
        ps.setLong(7, next.version());
        ps.setString(8, next.sagaId());
        ps.setLong(9, expectedVersion);
        if (ps.executeUpdate() != 1) {
          throw new ConcurrentSagaUpdate(next.sagaId(), expectedVersion);
        }
      }
      writeSteps(c, next);
      return null;
    });
  }

  @Override
  public List<SagaRecord> unfinished() {
    return db.read(c -> {
      List<String> ids = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT saga_id FROM saga_instances WHERE finished = 0 ORDER BY created_ns, saga_id")) {
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
      }
      List<SagaRecord> out = new ArrayList<>(ids.size());
      for (String id : ids) {
        load(c, id).ifPresent(out::add);
      }
      return out;
    });
  }

  private static void writeSteps(Connection c, SagaRecord r) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO saga_steps (saga_id, step_no, step_name, state,"
        + " attempts, last_error) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (saga_id, step_no) DO UPDATE SET"
        + " step_name = excluded.step_name, state = excluded.state, attempts = excluded.attempts,"
        + " last_error = excluded.last_error")) {
      for (int i = 0; i < r.steps().size(); i++) {
        StepRecord s = r.steps().get(i);
        ps.setString(1, r.sagaId());
        ps.setInt(2, i);
        ps.setString(3, s.name());
        ps.setString(4, s.state().name());
        ps.setInt(5, s.attempts());
        ps.setString(6, s.lastError());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static Optional<SagaRecord> load(Connection c, String sagaId) throws SQLException {
    List<StepRecord> steps = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT step_name, state, attempts, last_error FROM saga_steps"
        + " WHERE saga_id = ? ORDER BY step_no")) {
      ps.setString(1, sagaId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          steps.add(new StepRecord(rs.getString(1), SagaStepState.valueOf(rs.getString(2)), rs.getInt(3),
              rs.getString(4)));
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM saga_instances WHERE saga_id = ?")) {
      ps.setString(1, sagaId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new SagaRecord(rs.getString(1), SagaType.valueOf(rs.getString(2)),
            SagaState.valueOf(rs.getString(3)), steps, rs.getBytes(5), instant(rs.getLong(6)),
            instant(rs.getLong(7)), instant(rs.getLong(8)), rs.getString(9), rs.getInt(10) == 1, rs.getLong(11)));
      }
    }
  }

  /** Epoch nanoseconds: exact for any instant within 292 years of 1970. */
  static long nanos(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  static Instant instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }
}
