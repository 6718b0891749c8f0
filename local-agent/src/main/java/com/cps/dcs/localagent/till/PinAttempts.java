package com.cps.dcs.localagent.till;

import com.cps.dcs.localagent.sale.SaleFailure;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Wrong PINs, counted per (staff id, till) for sign-ins and approvals alike. After {@value #FREE_FAILURES} failures in
 * a row that pair is locked for one minute, then twice as long after each further failure (up to an hour); a right
 * PIN clears the count. The check, the PIN comparison and the count happen under one lock per staff member, so
 * concurrent guesses cannot slip past the limit. Staff ids that exist get an entry each, holding at most
 * {@value #MAX_PLACES} tills; ids that do not exist are counted the same way in a table of the
 * {@value #MAX_STRANGERS} most recent ones, so hostile ids cannot grow memory, and an unknown id locks like a known
 * one (its answers cannot tell whether it exists).
 *
 * <p>A sign-in at a till the staff member never signed in at before counts in one shared "elsewhere" bucket: rotating
 * made-up till ids does not buy fresh guesses, and a stranger exhausting it does not lock the tills the staff member
 * really uses. Approvals count per till of the cashier's session (an authenticated place).
 */
final class PinAttempts {
  static final int FREE_FAILURES = 5;
  static final int MAX_PLACES = 16;
  static final int MAX_STRANGERS = 4096;
  private static final Duration FIRST_LOCK = Duration.ofMinutes(1);
  private static final Duration LONGEST_LOCK = Duration.ofHours(1);
  private static final Duration FORGET_AFTER = Duration.ofHours(24);
  private static final String ELSEWHERE = "\u0000elsewhere";

  private static final class Count {
    int failures;
    Instant lastFailure = Instant.MIN;
    Instant lockedUntil = Instant.MIN;
  }

  /** One staff member's counts by place, and the tills where they signed in (both bounded, oldest dropped). */
  private static final class Member {
    final Map<String, Count> counts = lru();
    final Map<String, Boolean> knownTills = lru();

    private static <V> Map<String, V> lru() {
      return new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
          return size() > MAX_PLACES;
        }
      };
    }
  }

  private final InstantSource time;
  private final Map<String, Member> members = new ConcurrentHashMap<>();
  private final Map<String, Member> strangers = java.util.Collections.synchronizedMap(
      new LinkedHashMap<String, Member>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Member> eldest) {
          return size() > MAX_STRANGERS;
        }
      });

  PinAttempts(InstantSource time) {
    this.time = time;
  }

  private Member member(String staffId, boolean known) {
    return known ? members.computeIfAbsent(staffId, k -> new Member())
        : strangers.computeIfAbsent(staffId, k -> new Member());
  }

  /** A sign-in at {@code tillId} of a staff id ({@code known}: it exists): true when {@code pinMatches}. */
  boolean signIn(String staffId, boolean known, String tillId, BooleanSupplier pinMatches) {
    Member m = member(staffId, known);
    synchronized (m) {
      String place = m.knownTills.containsKey(tillId) ? "till:" + tillId : ELSEWHERE;
      boolean ok = attempt(m, place, pinMatches);
      if (ok) {
        m.knownTills.put(tillId, Boolean.TRUE);
      }
      return ok;
    }
  }

  /** An approval by a staff id ({@code known}: it exists) at the till of a signed-in session. */
  boolean approval(String staffId, boolean known, String tillId, BooleanSupplier pinMatches) {
    Member m = member(staffId, known);
    synchronized (m) {
      return attempt(m, "approval:" + tillId, pinMatches);
    }
  }

  /** Entries held for existing staff (for tests: bounded by staff, never by the ids clients send). */
  int entries() {
    return members.values().stream().mapToInt(m -> {
      synchronized (m) {
        return m.counts.size();
      }
    }).sum();
  }

  /** Unknown ids held (for tests: at most {@value #MAX_STRANGERS}). */
  int strangers() {
    return strangers.size();
  }

  private boolean attempt(Member m, String place, BooleanSupplier pinMatches) {
    Instant now = time.instant();
    Count c = m.counts.get(place);
    if (c != null && c.lastFailure.isBefore(now.minus(FORGET_AFTER))) {
      m.counts.remove(place);
      c = null;
    }
    if (c != null && now.isBefore(c.lockedUntil)) {
      long seconds = Math.max(1, Duration.between(now, c.lockedUntil).toSeconds());
      throw new SaleFailure(SaleFailure.Kind.UNAVAILABLE, "pin",
          "too many wrong PINs here: try again in " + seconds + " s");
    }
    if (pinMatches.getAsBoolean()) {
      m.counts.remove(place);
      return true;
    }
    if (c == null) {
      c = new Count();
      m.counts.put(place, c);
    }
    c.failures++;
    c.lastFailure = now;
    if (c.failures >= FREE_FAILURES) {
      int doublings = Math.min(c.failures - FREE_FAILURES, 6);
      Duration lock = FIRST_LOCK.multipliedBy(1L << doublings);
      c.lockedUntil = now.plus(lock.compareTo(LONGEST_LOCK) > 0 ? LONGEST_LOCK : lock);
    }
    return false;
  }
}
