package com.cps.dcs.kernel.refusal;

import com.cps.dcs.kernel.validation.Violation;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Why a write or a call was refused, as a value: the same kinds and names at every tier (branch, region, master),
 * carried across Raft as a typed field and turned into a {@code google.rpc.Status} in one place per protocol. Nothing
 * was written when a refusal is answered.
 */
public sealed interface Refusal {
  /** A human sentence for logs and the status description. */
  String message();

  /** The stable name integrators match on (the {@code ErrorInfo} reason, or the resource type). */
  String reason();

  /** Fields of the input break the shared rules ({@code INVALID_ARGUMENT} with a {@code BadRequest}). */
  record Invalid(List<Violation> violations) implements Refusal {
    public Invalid {
      if (violations.isEmpty()) {
        throw new IllegalArgumentException("an Invalid refusal names at least one field");
      }
      violations = List.copyOf(violations);
    }

    public static Invalid of(String field, String description) {
      return new Invalid(List.of(new Violation(field, description)));
    }

    @Override
    public String message() {
      Violation first = violations.get(0);
      return violations.size() == 1 ? first.field() + ": " + first.description()
          : violations.size() + " invalid fields, first " + first.field() + ": " + first.description();
    }

    @Override
    public String reason() {
      return "INVALID_ARGUMENT";
    }
  }

  /**
   * The stream has moved on: its position {@code requested} is taken. {@code current} is the stream's version now (or
   * -1 where the tier cannot tell), {@code heldBy} the event at the requested position when known (else empty).
   */
  record StaleVersion(String streamId, long requested, long current, String heldBy) implements Refusal {
    public StaleVersion {
      Objects.requireNonNull(streamId);
      Objects.requireNonNull(heldBy);
    }

    @Override
    public String message() {
      return "stream " + streamId + (current >= 0 ? " is at version " + current + ";" : "") + " version " + requested
          + (heldBy.isEmpty() ? " cannot be appended" : " holds event " + heldBy);
    }

    @Override
    public String reason() {
      return "STALE_STREAM_VERSION";
    }

    public Map<String, String> metadata() {
      var m = new java.util.LinkedHashMap<String, String>();
      m.put("stream_id", streamId);
      m.put("requested_stream_version", Long.toString(requested));
      if (current >= 0) {
        m.put("current_stream_version", Long.toString(current));
      }
      if (!heldBy.isEmpty()) {
        m.put("held_by_event_id", heldBy);
      }
      return m;
    }
  }

  /** The idempotency key was already used for other content ({@code ALREADY_EXISTS}). */
  record KeyReused(String key) implements Refusal {
    @Override
    public String message() {
      return "idempotency_key " + key + " was already used for a different request";
    }

    @Override
    public String reason() {
      return "idempotency_key";
    }
  }

  /**
   * The caller or the event is not trusted ({@code PERMISSION_DENIED}): {@code code} is one of {@link #UNKNOWN_AGENT},
   * {@link #WRONG_BRANCH}, {@link #FORGED_EVENT}, {@link #BAD_SIGNATURE}, {@link #KEY_MISMATCH},
   * {@link #STALE_SIGNATURE}.
   */
  record Untrusted(String code, String message) implements Refusal {
    public static final String UNKNOWN_AGENT = "UNKNOWN_AGENT";
    public static final String WRONG_BRANCH = "WRONG_BRANCH";
    public static final String FORGED_EVENT = "FORGED_EVENT";
    public static final String BAD_SIGNATURE = "BAD_SIGNATURE";
    public static final String KEY_MISMATCH = "KEY_MISMATCH";
    public static final String STALE_SIGNATURE = "STALE_SIGNATURE";

    @Override
    public String reason() {
      return code;
    }
  }

  /** The event can never be stored and was set aside ({@code FAILED_PRECONDITION}, {@code QUARANTINED}). */
  record Quarantined(String eventId, String why) implements Refusal {
    @Override
    public String message() {
      return "event " + eventId + " is quarantined: " + why;
    }

    @Override
    public String reason() {
      return "QUARANTINED";
    }
  }

  /** What was asked for is not served here ({@code NOT_FOUND}): another branch, an unknown event. */
  record NotServed(String kind, String id, String message) implements Refusal {
    @Override
    public String reason() {
      return kind;
    }
  }

  /** The tier cannot answer now; nothing was written and the same call may be retried ({@code UNAVAILABLE}). */
  record Unavailable(String message) implements Refusal {
    @Override
    public String reason() {
      return "UNAVAILABLE";
    }
  }

  /** The call carries no credential the tier can check ({@code UNAUTHENTICATED}). */
  record Unauthenticated(String message) implements Refusal {
    @Override
    public String reason() {
      return "UNAUTHENTICATED";
    }
  }

  /**
   * The request is well formed but the state does not allow it ({@code FAILED_PRECONDITION}): {@code code} names the
   * condition (for example {@code MIXED_CURRENCY}), {@code subject} what it is about.
   */
  record Conflict(String code, String subject, String message) implements Refusal {
    @Override
    public String reason() {
      return code;
    }
  }
}
