package com.cps.dcs.kernel.saga;

import com.cps.dcs.kernel.saga.SagaDefinition.Step;
import com.cps.dcs.kernel.saga.SagaRecord.StepRecord;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SagaState;
import com.cps.dcs.proto.v4.SagaStepState;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs sagas declared as {@link SagaDefinition}s. Every state change is persisted ({@link SagaStore}) before the side
 * effect it announces: a step is recorded as executing, with its attempt count, before its action runs, so its
 * compensation is known to be owed from then on. Then:
 * <ul>
 *   <li>each action runs with its step's timeout and up to its step's attempts, with back-off between them; a
 *       {@link PermanentFailure} is not retried; a step still {@link InDoubt} after its attempts leaves the saga
 *       running, for a later {@link #resume}, instead of compensating what may have happened;</li>
 *   <li>a step that fails for good, or the saga's deadline passing, starts compensation: every step that was
 *       attempted (completed, or possibly half done) is compensated in reverse order, each compensation with the
 *       step's timeout and attempts; compensations are idempotent, so one for an action that never took effect
 *       does nothing;</li>
 *   <li>the saga ends {@code SAGA_COMPLETED}, {@code SAGA_COMPENSATED}, {@code SAGA_TIMED_OUT} (compensated after its
 *       deadline), or {@code SAGA_STATE_FAILED} when a compensation fails for good (an operator must look);</li>
 *   <li>{@link #resume} carries on an unfinished saga from its persisted state after a restart: an interrupted step
 *       runs again with the same {@link StepAttempt#idempotencyKey()}, an interrupted compensation goes on.</li>
 * </ul>
 * Every transition is emitted through {@link SagaEvents} after it is persisted. Plain Java: time comes from the given
 * clock, waits from the given sleeper, and actions run on the given executor (so a timed-out action can be left).
 */
public final class SagaEngine {
  /** Waits between attempts; tests pass one that records instead of sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final SagaStore store;
  private final SagaEvents events;
  private final InstantSource clock;
  private final Sleeper sleeper;
  private final ExecutorService executor;

  public SagaEngine(SagaStore store, SagaEvents events, InstantSource clock, Sleeper sleeper,
      ExecutorService executor) {
    this.store = Objects.requireNonNull(store);
    this.events = Objects.requireNonNull(events);
    this.clock = Objects.requireNonNull(clock);
    this.sleeper = Objects.requireNonNull(sleeper);
    this.executor = Objects.requireNonNull(executor);
  }

  /**
   * Starts saga {@code sagaId} with {@code context}, or, when a saga of that id exists, carries on with the stored
   * one (a retried start runs nothing twice). Returns the saga as it ends, or as it was when the engine was stopped.
   */
  public <C> SagaRecord start(SagaDefinition<C> def, String sagaId, C context) {
    SagaRecord stored = store.create(SagaRecord.fresh(sagaId, def, def.codec().encode(context), clock.instant()));
    if (stored.type() != def.type()) {
      throw new IllegalArgumentException("saga " + sagaId + " is a " + stored.type() + ", not a " + def.type());
    }
    return resume(def, stored);
  }

  /** Carries on an unfinished saga from its persisted state. */
  public <C> SagaRecord resume(SagaDefinition<C> def, SagaRecord saga) {
    try {
      SagaRecord r = saga;
      if (r.state() == SagaState.SAGA_PENDING) {
        r = save(r.withState(SagaState.SAGA_RUNNING, "", clock.instant()));
        emit(r, EventType.SAGA_INITIATED, "", "");
      }
      if (r.state() == SagaState.SAGA_RUNNING) {
        r = runSteps(def, r);
      }
      if (r.state() == SagaState.SAGA_COMPENSATING) {
        r = compensate(def, r);
      }
      return r;
    } catch (SagaStore.ConcurrentSagaUpdate lost) {
      return store.find(saga.sagaId()).orElseThrow();
    } catch (Stopped stopped) {
      Thread.currentThread().interrupt();
      return store.find(saga.sagaId()).orElseThrow();
    }
  }

  private <C> SagaRecord runSteps(SagaDefinition<C> def, SagaRecord r) {
    for (int i = 0; i < def.steps().size(); i++) {
      if (r.steps().get(i).state() == SagaStepState.STEP_COMPLETED) {
        continue;
      }
      Step<C> step = def.steps().get(i);
      while (true) {
        if (clock.instant().isAfter(r.deadline())) {
          return startCompensating(r.expiring("the saga's deadline " + r.deadline() + " passed before step "
              + step.name(), clock.instant()));
        }
        StepRecord sr = r.steps().get(i);
        int attempt = sr.attempts() + 1;
        r = save(r.withStep(i, sr.with(SagaStepState.STEP_EXECUTING, attempt, sr.lastError()), r.context(),
            clock.instant()));
        C context = def.codec().decode(r.context());
        StepAttempt a = new StepAttempt(r.sagaId(), step.name(), attempt, false);
        try {
          C next = call(() -> step.action().run(context, a), step.timeout());
          r = save(r.withStep(i, r.steps().get(i).with(SagaStepState.STEP_COMPLETED, attempt, ""),
              def.codec().encode(next), clock.instant()));
          emit(r, EventType.SAGA_STEP_COMPLETED, step.name(), "");
          break;
        } catch (StepError e) {
          boolean last = e.permanent || attempt >= step.retry().maxAttempts();
          if (last && e.inDoubt) {
            return save(r.withStep(i, r.steps().get(i).with(SagaStepState.STEP_EXECUTING, attempt, e.getMessage()),
                r.context(), clock.instant()));
          }
          r = save(r.withStep(i, r.steps().get(i).with(last ? SagaStepState.STEP_FAILED
              : SagaStepState.STEP_EXECUTING, attempt, e.getMessage()), r.context(), clock.instant()));
          if (last) {
            return startCompensating(r.withState(r.state(), "step " + step.name() + " failed after " + attempt
                + " attempt(s): " + e.getMessage(), clock.instant()));
          }
          pause(step.retry().backoff(attempt));
        }
      }
    }
    r = save(r.withState(SagaState.SAGA_COMPLETED, "", clock.instant()));
    emit(r, EventType.SAGA_SUCCEEDED, "", "");
    return r;
  }

  private SagaRecord startCompensating(SagaRecord r) {
    SagaRecord c = save(r.withState(SagaState.SAGA_COMPENSATING, r.failure(), clock.instant()));
    emit(c, EventType.SAGA_COMPENSATION_TRIGGERED, "", c.failure());
    return c;
  }

  private <C> SagaRecord compensate(SagaDefinition<C> def, SagaRecord r) {
    for (int i = def.steps().size() - 1; i >= 0; i--) {
      SagaStepState s = r.steps().get(i).state();
      if (s == SagaStepState.STEP_PENDING || s == SagaStepState.STEP_COMPENSATED) {
        continue;
      }
      Step<C> step = def.steps().get(i);
      for (int tries = 1; ; tries++) {
        r = save(r.withStep(i, r.steps().get(i).with(SagaStepState.STEP_COMPENSATING, r.steps().get(i).attempts(),
            r.steps().get(i).lastError()), r.context(), clock.instant()));
        C context = def.codec().decode(r.context());
        StepAttempt a = new StepAttempt(r.sagaId(), step.name(), tries, true);
        try {
          call(() -> {
            step.compensation().run(context, a);
            return null;
          }, step.timeout());
          r = save(r.withStep(i, r.steps().get(i).with(SagaStepState.STEP_COMPENSATED,
              r.steps().get(i).attempts(), r.steps().get(i).lastError()), r.context(), clock.instant()));
          break;
        } catch (StepError e) {
          if (tries >= step.retry().maxAttempts()) {
            String why = "compensation of step " + step.name() + " failed after " + tries + " attempt(s): "
                + e.getMessage() + " (after: " + r.failure() + ")";
            r = save(r.withState(SagaState.SAGA_STATE_FAILED, why, clock.instant()));
            emit(r, EventType.SAGA_FAILED, step.name(), why);
            return r;
          }
          pause(step.retry().backoff(tries));
        }
      }
    }
    r = save(r.withState(r.expired() ? SagaState.SAGA_TIMED_OUT : SagaState.SAGA_COMPENSATED, r.failure(),
        clock.instant()));
    emit(r, EventType.SAGA_COMPENSATION_COMPLETED, "", r.failure());
    if (r.expired()) {
      emit(r, EventType.SAGA_EXPIRED, "", r.failure());
    }
    return r;
  }

  private SagaRecord save(SagaRecord r) {
    SagaRecord next = r.nextVersion();
    store.update(next, r.version());
    return next;
  }

  private void emit(SagaRecord r, EventType type, String step, String detail) {
    events.emit(new SagaEvents.Transition(r.sagaId(), r.type(), type, step, detail, r.updatedAt()));
  }

  private void pause(Duration d) {
    try {
      sleeper.sleep(d);
    } catch (InterruptedException e) {
      throw new Stopped();
    }
  }

  private <T> T call(Callable<T> work, Duration timeout) {
    Future<T> f = executor.submit(work);
    try {
      return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new StepError("timed out after " + timeout.toMillis() + " ms", false, false);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      throw new StepError(message, cause instanceof PermanentFailure, cause instanceof InDoubt);
    } catch (InterruptedException e) {
      f.cancel(true);
      throw new Stopped();
    }
  }

  /** One failed attempt. */
  private static final class StepError extends RuntimeException {
    final boolean permanent;
    final boolean inDoubt;

    StepError(String message, boolean permanent, boolean inDoubt) {
      super(message, null, false, false);
      this.permanent = permanent;
      this.inDoubt = inDoubt;
    }
  }

  /** The engine's thread was interrupted: the saga stays as persisted, for a later {@link #resume}. */
  private static final class Stopped extends RuntimeException {
    Stopped() {
      super(null, null, false, false);
    }
  }
}
