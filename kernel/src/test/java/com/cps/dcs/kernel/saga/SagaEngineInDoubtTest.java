package com.cps.dcs.kernel.saga;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.saga.SagaDefinition.Retry;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SagaState;
import com.cps.dcs.proto.v4.SagaStepState;
import com.cps.dcs.proto.v4.SagaType;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Given a step whose outcome is unknown (InDoubt), the engine neither compensates it nor gives up on it. */
class SagaEngineInDoubtTest {
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T10:00:00Z"));
  final InstantSource clock = () -> now.get();
  final InMemorySagaStore store = new InMemorySagaStore();
  final List<SagaEvents.Transition> events = new CopyOnWriteArrayList<>();
  final List<Duration> waits = new CopyOnWriteArrayList<>();
  final List<String> sideEffects = new CopyOnWriteArrayList<>();
  final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  final SagaEngine engine = new SagaEngine(store, events::add, clock, waits::add, executor);
  final AtomicBoolean gatewayUp = new AtomicBoolean();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  SagaDefinition<String> refund() {
    return SagaDefinition.of(SagaType.REFUND_PROCESSING, SagaEngineTest.TEXT, Duration.ofHours(1))
        .step("reserve", (c, a) -> {
          sideEffects.add("reserve");
          return c;
        }).compensatedBy((c, a) -> sideEffects.add("undo reserve"))
        .step("pay-back", (c, a) -> {
          sideEffects.add("pay-back#" + a.attempt() + " " + a.idempotencyKey());
          if (!gatewayUp.get()) {
            throw new InDoubt("the gateway did not answer");
          }
          return c;
        }).compensatedBy((c, a) -> sideEffects.add("undo pay-back"))
        .retry(new Retry(2, Duration.ofMillis(100), Duration.ofSeconds(1)))
        .build();
  }

  @Test
  void aStepStillInDoubtAfterItsAttemptsLeavesTheSagaRunningWithNothingCompensated() {
    SagaRecord r = engine.start(refund(), "r-1", "");

    assertThat(r.state()).isEqualTo(SagaState.SAGA_RUNNING);
    assertThat(r.finished()).isFalse();
    assertThat(r.steps().get(1).state()).isEqualTo(SagaStepState.STEP_EXECUTING);
    assertThat(r.steps().get(1).attempts()).isEqualTo(2);
    assertThat(r.steps().get(1).lastError()).isEqualTo("the gateway did not answer");
    assertThat(sideEffects).containsExactly("reserve", "pay-back#1 r-1:pay-back", "pay-back#2 r-1:pay-back");
    assertThat(waits).containsExactly(Duration.ofMillis(100));
    assertThat(events).extracting(SagaEvents.Transition::type).containsExactly(EventType.SAGA_INITIATED,
        EventType.SAGA_STEP_COMPLETED);
    assertThat(store.unfinished()).extracting(SagaRecord::sagaId).containsExactly("r-1");
  }

  @Test
  void aLaterResumeTriesTheStepAgainUnderTheSameKeyAndFinishesTheSaga() {
    engine.start(refund(), "r-2", "");
    gatewayUp.set(true);

    SagaRecord r = engine.resume(refund(), store.unfinished().get(0));

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPLETED);
    assertThat(sideEffects).containsExactly("reserve", "pay-back#1 r-2:pay-back", "pay-back#2 r-2:pay-back",
        "pay-back#3 r-2:pay-back");
    assertThat(sideEffects).doesNotContain("undo pay-back", "undo reserve");
  }

  @Test
  void anInDoubtSagaResumedPastItsDeadlineIsCompensatedAndEndsTimedOut() {
    engine.start(refund(), "r-3", "");
    now.set(now.get().plus(Duration.ofHours(2)));

    SagaRecord r = engine.resume(refund(), store.unfinished().get(0));

    assertThat(r.state()).isEqualTo(SagaState.SAGA_TIMED_OUT);
    assertThat(sideEffects).endsWith("undo pay-back", "undo reserve");
    assertThat(events).extracting(SagaEvents.Transition::type).endsWith(EventType.SAGA_COMPENSATION_TRIGGERED,
        EventType.SAGA_COMPENSATION_COMPLETED, EventType.SAGA_EXPIRED);
  }
}
