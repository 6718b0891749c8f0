package com.cps.dcs.kernel.validation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How far a caller's clock readings may be from the receiver's: at most {@code maxFutureDrift} ahead (a clock further
 * ahead would drag every HLC it reaches into the future), at most {@code maxAge} behind (generous: a branch back
 * from days offline must never be refused), and an HLC logical counter at most {@code maxLogical}, far below
 * {@code Integer.MAX_VALUE}, so that a receiver's {@code logical + 1} always has room.
 */
public record ClockBounds(Duration maxFutureDrift, Duration maxAge, int maxLogical) {
  /** The default logical bound: 2^24, with 2^31 - 2^24 readings of room above it. */
  public static final int DEFAULT_MAX_LOGICAL = 1 << 24;
  /** {@code DCS_MAX_EVENT_AGE}'s default. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(30);

  public ClockBounds {
    if (maxFutureDrift.isNegative() || maxAge.isNegative() || maxLogical < 0) {
      throw new IllegalArgumentException("clock bounds must not be negative");
    }
  }

  /** The defaults with the given drift. */
  public static ClockBounds withDrift(Duration maxFutureDrift) {
    return new ClockBounds(maxFutureDrift, DEFAULT_MAX_AGE, DEFAULT_MAX_LOGICAL);
  }

  /**
   * Reads {@code DCS_MAX_EVENT_AGE}: an ISO-8601 duration ({@code P30D}, {@code PT12H}) or a number with a unit
   * ({@code 30d}, {@code 12h}, {@code 90m}, {@code 45s}); blank or null gives the default of 30 days.
   */
  public static Duration parseAge(String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT_MAX_AGE;
    }
    String v = value.strip();
    try {
      if (v.startsWith("P") || v.startsWith("p")) {
        return positive(Duration.parse(v), value);
      }
      char unit = Character.toLowerCase(v.charAt(v.length() - 1));
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      return positive(switch (unit) {
        case 'd' -> Duration.ofDays(n);
        case 'h' -> Duration.ofHours(n);
        case 'm' -> Duration.ofMinutes(n);
        case 's' -> Duration.ofSeconds(n);
        default -> throw new IllegalArgumentException("unit");
      }, value);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "DCS_MAX_EVENT_AGE must be a duration such as 30d, 12h or P30D, got '" + value + "'");
    }
  }

  private static Duration positive(Duration d, String value) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("DCS_MAX_EVENT_AGE must be positive, got '" + value + "'");
    }
    return d;
  }

  /**
   * These bounds without the maximum age: for the clocks inside replicated state (when a price was set, when a
   * product was added), which are legitimately as old as the state.
   */
  public ClockBounds withoutAge() {
    return new ClockBounds(maxFutureDrift, Duration.ofMillis(Long.MAX_VALUE), maxLogical);
  }

  /** Violations of an HLC reading ({@code field} is its path) received at {@code nowMs}. */
  public List<Violation> checkHlc(String field, long physicalMs, int logical, long nowMs) {
    List<Violation> out = new ArrayList<>(2);
    Texts.collect(out, checkMillis(field + ".physical_ms", physicalMs, nowMs));
    if (logical < 0) {
      out.add(new Violation(field + ".logical", "must not be negative"));
    } else if (logical > maxLogical) {
      out.add(new Violation(field + ".logical", "must be at most " + maxLogical));
    }
    return out;
  }

  /** The violation of a wall-clock reading in milliseconds received at {@code nowMs}, or null. */
  public Violation checkMillis(String field, long ms, long nowMs) {
    if (ms < 0) {
      return new Violation(field, "must not be negative");
    }
    if (ms - nowMs > maxFutureDrift.toMillis()) {
      return new Violation(field, "is " + (ms - nowMs) + " ms ahead of this node's clock (at most "
          + maxFutureDrift.toMillis() + " ms)");
    }
    if (nowMs - ms > maxAge.toMillis()) {
      return new Violation(field, "is older than the maximum event age of " + maxAge.toDays() + " days ("
          + maxAge + ")");
    }
    return null;
  }

  /** The violation of a protobuf Timestamp ({@code seconds}, {@code nanos}) received at {@code nowMs}, or null. */
  public Violation checkTimestamp(String field, long seconds, int nanos, long nowMs) {
    if (nanos < 0 || nanos > 999_999_999) {
      return new Violation(field + ".nanos", "must be within 0..999999999");
    }
    if (seconds < 0 || seconds > Long.MAX_VALUE / 1000 - 1) {
      return new Violation(field + ".seconds", "is out of range");
    }
    return checkMillis(field, seconds * 1000 + nanos / 1_000_000, nowMs);
  }
}
