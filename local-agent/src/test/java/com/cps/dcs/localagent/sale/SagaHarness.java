package com.cps.dcs.localagent.sale;

import com.cps.dcs.kernel.saga.SagaEngine;
import com.cps.dcs.kernel.saga.SagaEvents;
import com.cps.dcs.proto.v4.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The kernel's saga engine as the declarations' tests drive it: sagas in memory ({@link MemorySagaStore}), a clock
 * the test moves, waits recorded instead of slept, transitions collected.
 */
final class SagaHarness implements AutoCloseable {
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T10:00:00Z"));
  final MemorySagaStore store = new MemorySagaStore();
  final List<SagaEvents.Transition> transitions = new CopyOnWriteArrayList<>();
  final List<Duration> waits = new CopyOnWriteArrayList<>();
  private final ExecutorService steps = Executors.newVirtualThreadPerTaskExecutor();

  /** An engine on this harness's store, clock and records (after a simulated crash, a new one is the restart). */
  SagaEngine engine() {
    return new SagaEngine(store, transitions::add, () -> now.get(), waits::add, steps);
  }

  List<EventType> events() {
    return transitions.stream().map(SagaEvents.Transition::type).toList();
  }

  void later(Duration d) {
    now.set(now.get().plus(d));
  }

  @Override
  public void close() {
    steps.shutdownNow();
  }
}
