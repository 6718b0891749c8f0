package com.cps.dcs.kernel.refusal;

/** Carries a {@link Refusal} out of code that cannot return it; the protocol's one mapping answers it. */
public final class RefusedException extends RuntimeException {
  private final transient Refusal refusal;

  public RefusedException(Refusal refusal) {
    super(refusal.message(), null, false, false);
    this.refusal = refusal;
  }

  public Refusal refusal() {
    return refusal;
  }
}
