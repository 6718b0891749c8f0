package com.cps.dcs.kernel.saga;

/**
 * One attempt of a step's action or compensation. Participants make their side effects idempotent by
 * {@link #idempotencyKey()}: the same for every attempt of the same step, so a retry or a resumed saga never does a
 * thing twice.
 */
public record StepAttempt(String sagaId, String step, int attempt, boolean compensation) {
  public String idempotencyKey() {
    return sagaId + ":" + step + (compensation ? ":undo" : "");
  }
}
