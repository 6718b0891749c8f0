package com.cps.dcs.kernel.validation;

import java.util.List;

/**
 * Bounds for the texts that enter the system. An id (event, stream, idempotency key, branch, agent, cashier,
 * product...) is at most {@value #MAX_ID} characters of printable, non-blank characters: no whitespace, no control or
 * format characters, no lone surrogates, no non-characters. A free text (a name, a reason) may hold spaces but no
 * control characters. PostgreSQL refuses a NUL in a text column, and a bidi override in an id could disguise one id
 * as another on an operator's screen: neither may get past the edge.
 */
public final class Texts {
  /** The longest id accepted anywhere. */
  public static final int MAX_ID = 128;
  /** The longest free text (a reason, a display name) accepted anywhere. */
  public static final int MAX_TEXT = 512;

  private Texts() {}

  /** The violation of an optional id ({@code ""} passes), or null. */
  public static Violation id(String field, String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    if (value.length() > MAX_ID) {
      return new Violation(field, "longer than " + MAX_ID + " characters");
    }
    int bad = firstBadIdChar(value);
    return bad < 0 ? null : new Violation(field, "character at index " + bad + " is not allowed in an id ("
        + describe(value, bad) + "); ids are printable characters without spaces");
  }

  /** The violation of a required id, or null. */
  public static Violation requiredId(String field, String value) {
    return value == null || value.isEmpty() ? new Violation(field, "is required") : id(field, value);
  }

  /** The violation of an optional free text of at most {@code max} characters, or null. */
  public static Violation text(String field, String value, int max) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    if (value.length() > max) {
      return new Violation(field, "longer than " + max + " characters");
    }
    int bad = firstBadTextChar(value);
    return bad < 0 ? null : new Violation(field, "character at index " + bad + " is not allowed ("
        + describe(value, bad) + ")");
  }

  /** Throws {@link InputRefused} when the optional id is bad. */
  public static void checkId(String field, String value) {
    throwIf(id(field, value));
  }

  /** Throws {@link InputRefused} when the required id is missing or bad. */
  public static void requireId(String field, String value) {
    throwIf(requiredId(field, value));
  }

  /** Throws {@link InputRefused} when the free text is too long or holds control characters. */
  public static void checkText(String field, String value, int max) {
    throwIf(text(field, value, max));
  }

  /** Adds the violation to {@code out} when not null. */
  public static void collect(List<Violation> out, Violation v) {
    if (v != null) {
      out.add(v);
    }
  }

  private static void throwIf(Violation v) {
    if (v != null) {
      throw new InputRefused(List.of(v));
    }
  }

  static int firstBadIdChar(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (!printable(cp) || Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
        return i;
      }
      i += Character.charCount(cp);
    }
    return -1;
  }

  static int firstBadTextChar(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (!printable(cp) && cp != ' ') {
        return i;
      }
      i += Character.charCount(cp);
    }
    return -1;
  }

  private static boolean printable(int cp) {
    int type = Character.getType(cp);
    if (type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
        || type == Character.UNASSIGNED || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR || type == Character.PRIVATE_USE) {
      return false;
    }
    return (cp & 0xFFFE) != 0xFFFE && !(cp >= 0xFDD0 && cp <= 0xFDEF);
  }

  private static String describe(String s, int index) {
    return String.format("U+%04X", s.codePointAt(index));
  }
}
