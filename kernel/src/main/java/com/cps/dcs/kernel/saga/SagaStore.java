package com.cps.dcs.kernel.saga;

import java.util.List;
import java.util.Optional;

/** Where sagas are persisted (SQLite at a branch, PostgreSQL at the master): the engine's only memory. */
public interface SagaStore {
  /** Stores a new saga; returns the stored one when a saga of that id already exists (then nothing is written). */
  SagaRecord create(SagaRecord fresh);

  Optional<SagaRecord> find(String sagaId);

  /**
   * Replaces the saga stored at {@code expectedVersion} with {@code next} (whose version is one more).
   *
   * @throws ConcurrentSagaUpdate when the stored version is another: another engine moved the saga on
   */
  void update(SagaRecord next, long expectedVersion);

  /** Every saga not yet finished, oldest first: what a restart resumes. */
  List<SagaRecord> unfinished();

  /** Another writer changed the saga first; this engine stops working on it. */
  final class ConcurrentSagaUpdate extends RuntimeException {
    public ConcurrentSagaUpdate(String sagaId, long expected) {
      super("saga " + sagaId + " is no longer at version " + expected);
    }
  }
}
