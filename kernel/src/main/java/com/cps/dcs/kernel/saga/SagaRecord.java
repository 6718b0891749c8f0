package com.cps.dcs.kernel.saga;

import com.cps.dcs.proto.v4.SagaState;
import com.cps.dcs.proto.v4.SagaStepState;
import com.cps.dcs.proto.v4.SagaType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A saga's persisted state: where it is, each step's state and attempts, its context, its deadline. Written through
 * {@link SagaStore} before every side effect; {@code version} fences concurrent writers (a second engine working on
 * the same saga loses its next write). {@code expired}: the saga's deadline passed, and it ends timed out once
 * compensated.
 */
public record SagaRecord(String sagaId, SagaType type, SagaState state, List<StepRecord> steps, byte[] context,
    Instant createdAt, Instant updatedAt, Instant deadline, String failure, boolean expired, long version) {

  /** One step's state, attempts and last error. */
  public record StepRecord(String name, SagaStepState state, int attempts, String lastError) {
    public StepRecord {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(state, "state");
      lastError = lastError == null ? "" : lastError;
    }

    StepRecord with(SagaStepState s, int tries, String error) {
      return new StepRecord(name, s, tries, error);
    }
  }

  public SagaRecord {
    steps = List.copyOf(steps);
    failure = failure == null ? "" : failure;
  }

  /** A new saga: every step pending. */
  static SagaRecord fresh(String sagaId, SagaDefinition<?> def, byte[] context, Instant now) {
    List<StepRecord> steps = new ArrayList<>();
    def.steps().forEach(s -> steps.add(new StepRecord(s.name(), SagaStepState.STEP_PENDING, 0, "")));
    return new SagaRecord(sagaId, def.type(), SagaState.SAGA_PENDING, steps, context, now, now,
        now.plus(def.deadline()), "", false, 0);
  }

  /** True once nothing more will happen to this saga. */
  public boolean finished() {
    return state == SagaState.SAGA_COMPLETED || state == SagaState.SAGA_COMPENSATED
        || state == SagaState.SAGA_STATE_FAILED || state == SagaState.SAGA_TIMED_OUT;
  }

  SagaRecord withState(SagaState s, String why, Instant now) {
    return new SagaRecord(sagaId, type, s, steps, context, createdAt, now, deadline, why, expired, version);
  }

  SagaRecord expiring(String why, Instant now) {
    return new SagaRecord(sagaId, type, state, steps, context, createdAt, now, deadline, why, true, version);
  }

  SagaRecord withStep(int i, StepRecord step, byte[] newContext, Instant now) {
    List<StepRecord> copy = new ArrayList<>(steps);
    copy.set(i, step);
    return new SagaRecord(sagaId, type, state, copy, newContext, createdAt, now, deadline, failure, expired, version);
  }

  SagaRecord nextVersion() {
    return new SagaRecord(sagaId, type, state, steps, context, createdAt, updatedAt, deadline, failure, expired,
        version + 1);
  }
}
