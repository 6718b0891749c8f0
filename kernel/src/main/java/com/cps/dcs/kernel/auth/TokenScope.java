package com.cps.dcs.kernel.auth;

import com.cps.dcs.kernel.validation.InputRefused;
import com.cps.dcs.kernel.validation.Texts;
import com.cps.dcs.kernel.validation.Violation;
import com.cps.dcs.proto.v4.EventType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where a token may act: every branch of the tenant or the branches it names, every event type or the ones it names
 * (integrators), and whether it may write or only read. People's tokens name their branches and every event type;
 * admin tokens cover everything.
 *
 * @param allBranches every branch of the tenant (then {@code branches} is empty)
 * @param branches the branch ids, sorted (at most {@value #MAX_BRANCHES})
 * @param allEventTypes every event type (then {@code eventTypes} is empty)
 * @param eventTypes the event types, never {@code UNKNOWN}
 * @param write may call RPCs that write; false: read-only
 */
public record TokenScope(boolean allBranches, Set<String> branches, boolean allEventTypes, Set<EventType> eventTypes,
    boolean write) {
  /** The most branches one token names; a caller for more gets every branch. */
  public static final int MAX_BRANCHES = 256;

  public TokenScope {
    List<Violation> bad = new ArrayList<>();
    TreeSet<String> sortedBranches = new TreeSet<>();
    for (String b : branches) {
      Texts.collect(bad, Texts.requiredId("scope.branches", b));
      if (b != null) {
        sortedBranches.add(b);
      }
    }
    if (allBranches && !branches.isEmpty()) {
      bad.add(new Violation("scope.branches", "names branches although the scope covers every branch"));
    }
    if (sortedBranches.size() > MAX_BRANCHES) {
      bad.add(new Violation("scope.branches", "more than " + MAX_BRANCHES + " branches"));
    }
    EnumSet<EventType> types = EnumSet.noneOf(EventType.class);
    for (EventType t : eventTypes) {
      if (t == null || t == EventType.UNKNOWN || t == EventType.UNRECOGNIZED) {
        bad.add(new Violation("scope.event_types", "names no known event type"));
      } else {
        types.add(t);
      }
    }
    if (allEventTypes && !eventTypes.isEmpty()) {
      bad.add(new Violation("scope.event_types", "names event types although the scope covers every type"));
    }
    InputRefused.throwIfAny(bad);
    branches = Collections.unmodifiableSortedSet(sortedBranches);
    eventTypes = Collections.unmodifiableSet(types);
  }

  /** Every branch, every event type, read and write: an admin's scope. */
  public static TokenScope everything() {
    return new TokenScope(true, Set.of(), true, Set.of(), true);
  }

  /** The named branches, every event type, read and write: a cashier's or a manager's scope. */
  public static TokenScope branches(Collection<String> branches) {
    return new TokenScope(false, Set.copyOf(branches), true, Set.of(), true);
  }

  /**
   * An integrator's scope.
   *
   * @param branches the branches, or empty for every branch
   * @param eventTypes the event types, or empty for every type
   */
  public static TokenScope integrator(Optional<? extends Collection<String>> branches,
      Optional<? extends Collection<EventType>> eventTypes, boolean write) {
    return new TokenScope(branches.isEmpty(), branches.map(Set::copyOf).orElse(Set.of()), eventTypes.isEmpty(),
        eventTypes.map(Set::copyOf).orElse(Set.of()), write);
  }

  public boolean coversBranch(String branchId) {
    return allBranches || branches.contains(branchId);
  }

  public boolean coversEventType(EventType type) {
    return allEventTypes || eventTypes.contains(type);
  }

  /** A short text for logs and error details: {@code branches=[b-1] event_types=* write}. */
  public String describe() {
    return "branches=" + (allBranches ? "*" : branches) + " event_types=" + (allEventTypes ? "*" : eventTypes)
        + (write ? " write" : " read-only");
  }
}
