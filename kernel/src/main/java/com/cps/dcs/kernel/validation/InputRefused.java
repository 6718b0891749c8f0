package com.cps.dcs.kernel.validation;

import java.util.List;

/**
 * An input refused before anything was written, naming every bad field. Thrown by the shared checks; every service's
 * error mapping turns it into {@code INVALID_ARGUMENT} with a {@code BadRequest} detail.
 */
public final class InputRefused extends IllegalArgumentException {
  private final transient List<Violation> violations;

  public InputRefused(List<Violation> violations) {
    super(message(violations));
    if (violations.isEmpty()) {
      throw new IllegalArgumentException("an InputRefused names at least one field");
    }
    this.violations = List.copyOf(violations);
  }

  public InputRefused(String field, String description) {
    this(List.of(new Violation(field, description)));
  }

  public List<Violation> violations() {
    return violations;
  }

  /** Throws when {@code violations} is not empty. */
  public static void throwIfAny(List<Violation> violations) {
    if (!violations.isEmpty()) {
      throw new InputRefused(violations);
    }
  }

  private static String message(List<Violation> v) {
    if (v.isEmpty()) {
      return "no violation";
    }
    Violation first = v.get(0);
    return v.size() == 1 ? first.field() + ": " + first.description()
        : v.size() + " invalid fields, first " + first.field() + ": " + first.description();
  }
}
