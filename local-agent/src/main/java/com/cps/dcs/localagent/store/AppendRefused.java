package com.cps.dcs.localagent.store;

import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.validation.InputRefused;
import com.cps.dcs.kernel.validation.Violation;
import java.util.List;

/** An append refused for a business reason; nothing was written. Mapped to a gRPC status in one place. */
public sealed class AppendRefused extends RuntimeException {
  private AppendRefused(String message) {
    super(message);
  }

  /** A field of the request is invalid. */
  public static final class Invalid extends AppendRefused {
    private final transient List<Violation> violations;

    public Invalid(String field, String description) {
      this(List.of(new Violation(field, description)));
    }

    /** Every field the shared input rules refused. */
    public Invalid(List<Violation> violations) {
      super(new InputRefused(violations).getMessage());
      this.violations = List.copyOf(violations);
    }

    public String field() {
      return violations.get(0).field();
    }

    public String description() {
      return violations.get(0).description();
    }

    public List<Violation> violations() {
      return violations;
    }
  }

  /** The stream has moved on since the caller read it. */
  public static final class StaleVersion extends AppendRefused {
    private final String streamId;
    private final long current;
    private final long requested;

    public StaleVersion(String streamId, long current, long requested) {
      super("stream " + streamId + " is at version " + current + "; version " + requested + " cannot be appended");
      this.streamId = streamId;
      this.current = current;
      this.requested = requested;
    }

    /** The refusal every tier answers for a taken stream position. */
    public Refusal.StaleVersion refusal() {
      return new Refusal.StaleVersion(streamId, requested, current, "");
    }
  }

  /** The idempotency key was already used for a different request. */
  public static final class KeyReused extends AppendRefused {
    private final String key;

    public KeyReused(String key) {
      super("idempotency_key " + key + " was already used for a different request");
      this.key = key;
    }

    public String key() {
      return key;
    }
  }

  /** A peer's event does not verify, or comes from an unknown agent. */
  public static final class Untrusted extends AppendRefused {
    public Untrusted(String message) {
      super(message);
    }
  }
}
