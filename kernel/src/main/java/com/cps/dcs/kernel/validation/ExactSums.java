package com.cps.dcs.kernel.validation;

/**
 * Exact arithmetic on amounts and quantities that a caller supplied: an overflow is the caller's bad input
 * ({@link InputRefused} naming the field), never a wrapped value and never an INTERNAL error.
 */
public final class ExactSums {
  private ExactSums() {}

  public static long add(String field, long a, long b) {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      throw overflow(field);
    }
  }

  public static long subtract(String field, long a, long b) {
    try {
      return Math.subtractExact(a, b);
    } catch (ArithmeticException e) {
      throw overflow(field);
    }
  }

  public static long multiply(String field, long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      throw overflow(field);
    }
  }

  /** The exact sum of {@code values}. */
  public static long sum(String field, long... values) {
    long total = 0;
    for (long v : values) {
      total = add(field, total, v);
    }
    return total;
  }

  private static InputRefused overflow(String field) {
    return new InputRefused(field, "the amount overflows a 64-bit integer of minor units");
  }
}
