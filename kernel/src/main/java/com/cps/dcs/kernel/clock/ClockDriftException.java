package com.cps.dcs.kernel.clock;

/** A remote clock reading is further ahead of the local wall clock than the configured bound allows. */
public final class ClockDriftException extends RuntimeException {
  private final long driftMs;

  public ClockDriftException(String message, long driftMs) {
    super(message);
    this.driftMs = driftMs;
  }

  /** How far ahead of the local wall clock the remote reading was, in milliseconds. */
  public long driftMs() {
    return driftMs;
  }
}
