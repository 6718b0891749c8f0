package com.cps.dcs.kernel.saga;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.saga.SagaDefinition.Retry;
import com.cps.dcs.kernel.saga.SagaRecord.StepRecord;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SagaState;
import com.cps.dcs.proto.v4.SagaStepState;
import com.cps.dcs.proto.v4.SagaType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Given a declared saga, when the engine runs it, then these steps, compensations and events happen. */
class SagaEngineTest {
  /** The context: the log of what the steps did, as text. */
  static final ContextCodec<String> TEXT = new ContextCodec<>() {
    @Override
    public byte[] encode(String c) {
      return c.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(byte[] b) {
      return new String(b, StandardCharsets.UTF_8);
    }
  };

  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T10:00:00Z"));
  final InstantSource clock = () -> now.get();
  final InMemorySagaStore store = new InMemorySagaStore();
  final List<SagaEvents.Transition> events = new CopyOnWriteArrayList<>();
  final List<Duration> waits = new CopyOnWriteArrayList<>();
  final List<String> sideEffects = new CopyOnWriteArrayList<>();
  final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  final SagaEngine engine = new SagaEngine(store, events::add, clock, waits::add, executor);

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  SagaDefinition.Action<String> does(String what) {
    return (c, a) -> {
      sideEffects.add(what + "#" + a.attempt());
      return c + what + ";";
    };
  }

  SagaDefinition.Compensation<String> undoes(String what) {
    return (c, a) -> sideEffects.add("undo " + what);
  }

  SagaDefinition.Builder<String> transfer() {
    return SagaDefinition.of(SagaType.INVENTORY_TRANSFER, TEXT, Duration.ofMinutes(10));
  }

  List<EventType> eventTypes() {
    return events.stream().map(SagaEvents.Transition::type).toList();
  }

  @Test
  void stepsThatSucceedRunInOrderAndCompleteTheSaga() {
    var def = transfer().step("reserve", does("reserve")).compensatedBy(undoes("reserve"))
        .step("out", does("out")).compensatedBy(undoes("out")).step("in", does("in")).build();

    SagaRecord r = engine.start(def, "s-1", "");

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPLETED);
    assertThat(sideEffects).containsExactly("reserve#1", "out#1", "in#1");
    assertThat(TEXT.decode(r.context())).isEqualTo("reserve;out;in;");
    assertThat(eventTypes()).containsExactly(EventType.SAGA_INITIATED, EventType.SAGA_STEP_COMPLETED,
        EventType.SAGA_STEP_COMPLETED, EventType.SAGA_STEP_COMPLETED, EventType.SAGA_SUCCEEDED);
    assertThat(events.get(1).idempotencyKey()).isEqualTo("saga:s-1:SAGA_STEP_COMPLETED:reserve");
  }

  @Test
  void aStepIsPersistedAsExecutingBeforeItsSideEffect() {
    List<StepRecord> seenDuringAction = new ArrayList<>();
    var def = transfer().step("reserve", (c, a) -> {
      seenDuringAction.add(store.find(a.sagaId()).orElseThrow().steps().get(0));
      return c;
    }).build();

    engine.start(def, "s-2", "");

    assertThat(seenDuringAction).singleElement().satisfies(s -> {
      assertThat(s.state()).isEqualTo(SagaStepState.STEP_EXECUTING);
      assertThat(s.attempts()).isEqualTo(1);
    });
  }

  @Test
  void aFailingStepIsRetriedWithGrowingBackOffUnderOneIdempotencyKey() {
    AtomicInteger calls = new AtomicInteger();
    List<String> keys = new CopyOnWriteArrayList<>();
    var def = transfer().step("out", (c, a) -> {
      keys.add(a.idempotencyKey());
      if (calls.incrementAndGet() < 3) {
        throw new IllegalStateException("branch offline");
      }
      return c;
    }).retry(new Retry(3, Duration.ofMillis(100), Duration.ofSeconds(1))).build();

    SagaRecord r = engine.start(def, "s-3", "");

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPLETED);
    assertThat(r.steps().get(0).attempts()).isEqualTo(3);
    assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(keys).containsOnly("s-3:out").hasSize(3);
  }

  @Test
  void aPermanentFailureCompensatesEveryAttemptedStepInReverseWithoutRetrying() {
    var def = transfer().step("reserve", does("reserve")).compensatedBy(undoes("reserve"))
        .step("out", does("out")).compensatedBy(undoes("out"))
        .step("charge", (c, a) -> {
          throw new PermanentFailure("card declined");
        }).compensatedBy(undoes("charge"))
        .step("in", does("in")).compensatedBy(undoes("in")).build();

    SagaRecord r = engine.start(def, "s-4", "");

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPENSATED);
    assertThat(r.failure()).contains("charge").contains("card declined");
    assertThat(sideEffects).containsExactly("reserve#1", "out#1", "undo charge", "undo out", "undo reserve");
    assertThat(r.steps()).extracting(StepRecord::state).containsExactly(SagaStepState.STEP_COMPENSATED,
        SagaStepState.STEP_COMPENSATED, SagaStepState.STEP_COMPENSATED, SagaStepState.STEP_PENDING);
    assertThat(waits).isEmpty();
    assertThat(eventTypes()).containsExactly(EventType.SAGA_INITIATED, EventType.SAGA_STEP_COMPLETED,
        EventType.SAGA_STEP_COMPLETED, EventType.SAGA_COMPENSATION_TRIGGERED, EventType.SAGA_COMPENSATION_COMPLETED);
  }

  @Test
  void aStepThatOutlivesItsTimeoutCountsAsAFailedAttempt() {
    var def = transfer().step("reserve", does("reserve")).compensatedBy(undoes("reserve"))
        .step("slow", (c, a) -> {
          Thread.sleep(60_000);
          return c;
        }).compensatedBy(undoes("slow")).timeout(Duration.ofMillis(50)).retry(Retry.ONCE).build();

    SagaRecord r = engine.start(def, "s-5", "");

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPENSATED);
    assertThat(r.steps().get(1).lastError()).contains("timed out after 50 ms");
    assertThat(sideEffects).containsExactly("reserve#1", "undo slow", "undo reserve");
  }

  @Test
  void aSagaPastItsDeadlineIsCompensatedAndEndsTimedOut() {
    var def = SagaDefinition.of(SagaType.INVENTORY_TRANSFER, TEXT, Duration.ofMinutes(1))
        .step("reserve", (c, a) -> {
          now.set(now.get().plus(Duration.ofMinutes(2))); // the branch answered two minutes later
          return c;
        }).compensatedBy(undoes("reserve"))
        .step("out", does("out")).compensatedBy(undoes("out")).build();

    SagaRecord r = engine.start(def, "s-6", "");

    assertThat(r.state()).isEqualTo(SagaState.SAGA_TIMED_OUT);
    assertThat(r.failure()).contains("deadline");
    assertThat(sideEffects).containsExactly("undo reserve");
    assertThat(eventTypes()).endsWith(EventType.SAGA_COMPENSATION_TRIGGERED, EventType.SAGA_COMPENSATION_COMPLETED,
        EventType.SAGA_EXPIRED);
  }

  @Test
  void aCompensationThatKeepsFailingEndsTheSagaFailedForAnOperator() {
    var def = transfer().step("reserve", does("reserve")).compensatedBy((c, a) -> {
      throw new IllegalStateException("branch gone");
    }).retry(new Retry(2, Duration.ofMillis(10), Duration.ofMillis(10)))
        .step("out", (c, a) -> {
          throw new PermanentFailure("no stock");
        }).build();

    SagaRecord r = engine.start(def, "s-7", "");

    assertThat(r.state()).isEqualTo(SagaState.SAGA_STATE_FAILED);
    assertThat(r.failure()).contains("compensation of step reserve").contains("branch gone").contains("no stock");
    assertThat(eventTypes()).endsWith(EventType.SAGA_FAILED);
  }

  @Test
  void aSagaInterruptedMidStepResumesThatStepUnderTheSameKeyAndRunsNothingTwice() {
    var def = transfer().step("reserve", does("reserve")).step("out", does("out")).step("in", does("in")).build();
    // Given: a crash left the saga with "reserve" done and "out" executing (its side effect may have happened)
    SagaRecord fresh = store.create(SagaRecord.fresh("s-8", def, TEXT.encode(""), now.get()));
    SagaRecord crashed = fresh.withState(SagaState.SAGA_RUNNING, "", now.get())
        .withStep(0, fresh.steps().get(0).with(SagaStepState.STEP_COMPLETED, 1, ""), TEXT.encode("reserve;"),
            now.get())
        .withStep(1, fresh.steps().get(1).with(SagaStepState.STEP_EXECUTING, 1, ""), TEXT.encode("reserve;"),
            now.get()).nextVersion();
    store.update(crashed, 0);

    SagaRecord r = engine.resume(def, store.unfinished().get(0));

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPLETED);
    assertThat(sideEffects).containsExactly("out#2", "in#1");
    assertThat(TEXT.decode(r.context())).isEqualTo("reserve;out;in;");
  }

  @Test
  void startingTheSameSagaAgainReturnsItWithoutRunningAnything() {
    var def = transfer().step("reserve", does("reserve")).build();
    engine.start(def, "s-9", "");
    SagaRecord again = engine.start(def, "s-9", "");

    assertThat(again.state()).isEqualTo(SagaState.SAGA_COMPLETED);
    assertThat(sideEffects).containsExactly("reserve#1");
  }

  @Test
  void anEngineThatLosesARaceForTheSagaStopsWorkingOnIt() {
    var def = transfer().step("reserve", (c, a) -> {
      // another engine moves the saga on meanwhile
      SagaRecord other = store.find(a.sagaId()).orElseThrow();
      store.update(other.withState(SagaState.SAGA_COMPENSATING, "taken over", now.get()).nextVersion(),
          other.version());
      return c;
    }).step("out", does("out")).build();

    SagaRecord r = engine.start(def, "s-10", "");

    assertThat(r.failure()).isEqualTo("taken over");
    assertThat(sideEffects).doesNotContain("out#1");
  }
}
