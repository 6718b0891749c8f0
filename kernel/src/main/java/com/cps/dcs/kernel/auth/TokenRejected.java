package com.cps.dcs.kernel.auth;

/**
 * A bearer token that is refused, with why. The messages never say more than the reason: a token signed by another
 * tenant's key is {@link Reason#INVALID}, exactly like a forged one, so a tenant never learns another exists.
 */
public final class TokenRejected extends RuntimeException {
  /** Why a token is refused. */
  public enum Reason {
    /** Not a token at all: too long, not of the token's form, an unknown version. */
    MALFORMED("the credential is malformed"),
    /** Of the token's form, but its signature does not verify with this tenant's key (forged, altered, another's). */
    INVALID("the credential is not valid"),
    /** Its expiry has passed. */
    EXPIRED("the credential has expired"),
    /** Issued in the future, beyond the clock skew allowed. */
    NOT_YET_VALID("the credential is not valid yet"),
    /** Its id was revoked. */
    REVOKED("the credential has been revoked");

    private final String message;

    Reason(String message) {
      this.message = message;
    }

    /** The one text callers see for this reason. */
    public String message() {
      return message;
    }
  }

  private final Reason reason;

  public TokenRejected(Reason reason) {
    super(reason.message(), null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
