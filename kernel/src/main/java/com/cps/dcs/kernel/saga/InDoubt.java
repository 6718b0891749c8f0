package com.cps.dcs.kernel.saga;

/**
 * A step whose outcome is unknown and can only be settled by trying it again: a card refund the gateway did not
 * answer may have gone through, and nothing could take it back, so compensating it now could pay twice. Retried like
 * any failure; once the step's attempts are used up the saga is not compensated but left running, the step
 * executing, for a later {@link SagaEngine#resume} (the command retried, the service restarted) to try again under
 * the same {@link StepAttempt#idempotencyKey()}. The saga's deadline still bounds the wait: past it, the saga is
 * compensated, and the step's compensation must decide what an unknown outcome means.
 */
public final class InDoubt extends RuntimeException {
  public InDoubt(String message) {
    super(message);
  }
}
