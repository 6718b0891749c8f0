package com.cps.dcs.kernel.saga;

/** A step failure that no retry can change (a card declined, a product unknown): the saga compensates at once. */
public final class PermanentFailure extends RuntimeException {
  public PermanentFailure(String message) {
    super(message);
  }
}
