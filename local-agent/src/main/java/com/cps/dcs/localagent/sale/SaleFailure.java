package com.cps.dcs.localagent.sale;

/** A sale or refund that cannot go on, with the field or subject it is about. Mapped to a gRPC status in one place. */
public final class SaleFailure extends RuntimeException {
  /** What kind of failure: decides the status code. */
  public enum Kind {
    INVALID, NOT_FOUND, PRECONDITION, APPROVAL_REQUIRED, UNAVAILABLE
  }

  private final Kind kind;
  private final String subject;

  public SaleFailure(Kind kind, String subject, String message) {
    super(message);
    this.kind = kind;
    this.subject = subject;
  }

  public Kind kind() {
    return kind;
  }

  public String subject() {
    return subject;
  }
}
