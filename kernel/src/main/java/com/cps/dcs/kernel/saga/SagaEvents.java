package com.cps.dcs.kernel.saga;

import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SagaType;
import java.time.Instant;

/**
 * Where a saga's transitions go as events: the seed's {@code SAGA_INITIATED}, {@code SAGA_STEP_COMPLETED},
 * {@code SAGA_COMPENSATION_TRIGGERED}, {@code SAGA_COMPENSATION_COMPLETED}, {@code SAGA_FAILED}, and
 * {@code SAGA_SUCCEEDED} and {@code SAGA_EXPIRED} for completion and timeout. A transition is emitted after it is
 * persisted; a resumed saga may emit its last one again, with the same {@link Transition#idempotencyKey()}.
 */
public interface SagaEvents {
  void emit(Transition t);

  /** One transition of one saga. */
  record Transition(String sagaId, SagaType sagaType, EventType type, String step, String detail, Instant at) {
    public String idempotencyKey() {
      return "saga:" + sagaId + ":" + type.name() + (step.isEmpty() ? "" : ":" + step);
    }
  }
}
