package com.cps.dcs.localagent.sale;

import com.cps.dcs.kernel.saga.SagaRecord;
import com.cps.dcs.kernel.saga.SagaStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sagas in memory, for the declarations' unit tests; {@link #cutPowerAfter} makes every write from the n-th on fail,
 * as a {@code kill -9} would, leaving the sagas as the last write before it left them.
 */
final class MemorySagaStore implements SagaStore {
  private final Map<String, SagaRecord> sagas = new LinkedHashMap<>();
  private final AtomicInteger writesLeft = new AtomicInteger(Integer.MAX_VALUE);

  /** The machine stops: the write after {@code writes} more fails, and every one after it. */
  void cutPowerAfter(int writes) {
    writesLeft.set(writes);
  }

  /** The machine is back. */
  void restorePower() {
    writesLeft.set(Integer.MAX_VALUE);
  }

  @Override
  public synchronized SagaRecord create(SagaRecord fresh) {
    SagaRecord existing = sagas.get(fresh.sagaId());
    if (existing != null) {
      return existing;
    }
    write();
    sagas.put(fresh.sagaId(), fresh);
    return fresh;
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
    write();
    sagas.put(next.sagaId(), next);
  }

  @Override
  public synchronized List<SagaRecord> unfinished() {
    return sagas.values().stream().filter(r -> !r.finished()).toList();
  }

  private void write() {
    if (writesLeft.getAndDecrement() <= 0) {
      throw new PowerCut();
    }
  }

  /** What the engine's caller sees of a machine that stopped mid-write. */
  static final class PowerCut extends RuntimeException {
    PowerCut() {
      super("power cut");
    }
  }
}
