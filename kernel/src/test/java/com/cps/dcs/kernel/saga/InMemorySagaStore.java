package com.cps.dcs.kernel.saga;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A saga store in memory, for the engine's unit tests only (the services persist sagas in their databases). */
final class InMemorySagaStore implements SagaStore {
  final Map<String, SagaRecord> sagas = new LinkedHashMap<>();
  final List<SagaRecord> writes = new ArrayList<>();

  @Override
  public synchronized SagaRecord create(SagaRecord fresh) {
    return sagas.computeIfAbsent(fresh.sagaId(), k -> {
      writes.add(fresh);
      return fresh;
    });
  }

  @Override
  public synchronized Optional<SagaRecord> find(String sagaId) {
    return Optional.ofNullable(sagas.get(sagaId));
  }

  @Override
  public synchronized void update(SagaRecord next, long expectedVersion) {
    SagaRecord now = sagas.get(next.sagaId());
    if (now == null || now.version() != expectedVersion) {
      throw new ConcurrentSagaUpdate(next.sagaId(), expectedVersion);
    }
    sagas.put(next.sagaId(), next);
    writes.add(next);
  }

  @Override
  public synchronized List<SagaRecord> unfinished() {
    return sagas.values().stream().filter(r -> !r.finished()).toList();
  }
}
