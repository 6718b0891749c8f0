package com.cps.dcs.eventstore.pg;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * What a PostgreSQL error says about retrying. A consumer that applies a log (the region's Raft state machine, the
 * query service's projection) must retry only what a retry can fix, and set aside what it never will, or one bad
 * record wedges it forever.
 */
public final class SqlStates {
  private SqlStates() {}

  /**
   * The server or the link is away, or the transaction lost a race: connection exceptions (class 08), serialization
   * failure (40001), deadlock (40P01), the server shutting down or starting (57P01..57P03), insufficient resources
   * (class 53), and driver errors with no SQLState (a socket closed under it). The same work may succeed later.
   */
  public static boolean isTransient(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
        return true;
      }
    }
    String s = e.getSQLState();
    return s == null || s.startsWith("08") || s.equals("40001") || s.equals("40P01") || s.startsWith("53")
        || s.equals("57P01") || s.equals("57P02") || s.equals("57P03");
  }

  /**
   * PostgreSQL refused the data itself: data exception (class 22, e.g. a NUL byte in a text, a value out of range),
   * integrity violation (class 23) other than a unique violation (23505, which callers handle as a duplicate), or a
   * program limit (class 54, e.g. a value too large to index). The same row is refused every time.
   */
  public static boolean isContentRefusal(SQLException e) {
    String s = e.getSQLState();
    return s != null && (s.startsWith("22") || (s.startsWith("23") && !s.equals("23505")) || s.startsWith("54"));
  }

  /**
   * What PostgreSQL said, short and printable: the first line of the innermost message (a batch's own message only
   * points to the next exception; the lines after the first may hold a whole row), at most 300 characters.
   */
  public static String describe(SQLException e) {
    SQLException root = e;
    while (root.getNextException() != null && root.getNextException() != root) {
      root = root.getNextException();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    int nl = m.indexOf('\n');
    m = (nl < 0 ? m : m.substring(0, nl)).strip();
    return printable(m.length() > 300 ? m.substring(0, 300) + "..." : m);
  }

  /**
   * A text as a text column can hold and a log line can show: control characters (NUL above all), lone surrogates
   * and the bidi controls as {@code \\uXXXX}, everything else unchanged.
   */
  public static String printable(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      boolean escape = Character.isISOControl(ch) || Character.isSurrogate(ch)
          && !(Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
          && !(Character.isLowSurrogate(ch) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)))
          || (ch >= '\u202a' && ch <= '\u202e') || (ch >= '\u2066' && ch <= '\u2069');
      if (escape) {
        if (b == null) {
          b = new StringBuilder(s.length() + 8).append(s, 0, i);
        }
        b.append(String.format("\\u%04x", (int) ch));
      } else if (b != null) {
        b.append(ch);
      }
    }
    return b == null ? s : b.toString();
  }
}
