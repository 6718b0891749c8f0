package com.cps.dcs.kernel.crypto;

/** Something sealed, signed, MAC'd or hash-chained does not verify: it was altered, forged or opened with a wrong key. */
public final class IntegrityException extends RuntimeException {
  private final String check;

  public IntegrityException(String check, String message) {
    super(check + ": " + message);
    this.check = check;
  }

  public IntegrityException(String check, String message, Throwable cause) {
    super(check + ": " + message, cause);
    this.check = check;
  }

  /** Which check failed: amount, hmac, event_hash, signature, envelope, key. */
  public String check() {
    return check;
  }
}
