package com.cps.dcs.kernel.validation;

import com.cps.dcs.kernel.ledger.Reconciliation;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.ReconciliationRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * The bounds of a {@link ReconciliationRequest}, the same at every tier: a range of at most
 * {@link Reconciliation#MAX_RANGE_MS}, ids, and at most {@value #MAX_TYPES} event type names, each a known one.
 */
public final class ReconciliationRules {
  public static final int MAX_TYPES = 64;

  private ReconciliationRules() {}

  /**
   * Checks {@code r} received at {@code nowMs}; its range ends at {@code end_timestamp}, or now when that is 0.
   *
   * @return the event type numbers its filter names (empty: every type)
   * @throws InputRefused naming every bad field
   */
  public static List<Integer> check(ReconciliationRequest r, long nowMs) {
    List<Violation> bad = new ArrayList<>();
    long to = r.getEndTimestamp() == 0 ? Math.max(nowMs, r.getStartTimestamp()) : r.getEndTimestamp();
    if (r.getStartTimestamp() < 0) {
      bad.add(new Violation("start_timestamp", "must be >= 0 (Unix milliseconds)"));
    } else if (to < r.getStartTimestamp()) {
      bad.add(new Violation("end_timestamp", "must not be before start_timestamp"));
    } else if (to - r.getStartTimestamp() > Reconciliation.MAX_RANGE_MS) {
      bad.add(new Violation(r.getEndTimestamp() == 0 ? "start_timestamp" : "end_timestamp",
          "a reconciliation covers at most 366 days"));
    }
    Texts.collect(bad, Texts.id("branch_id", r.getBranchId()));
    Texts.collect(bad, Texts.id("requested_by_agent", r.getRequestedByAgent()));
    List<Integer> types = new ArrayList<>();
    if (r.getEventTypeFilterCount() > MAX_TYPES) {
      bad.add(new Violation("event_type_filter", "more than " + MAX_TYPES + " types"));
    } else {
      for (String t : r.getEventTypeFilterList()) {
        try {
          types.add(EventType.valueOf(t).getNumber());
        } catch (IllegalArgumentException e) {
          Violation unknown = Texts.id("event_type_filter", t);
          bad.add(new Violation("event_type_filter", unknown != null ? unknown.description()
              : "unknown event type '" + t + "'"));
        }
      }
    }
    InputRefused.throwIfAny(bad);
    return types;
  }
}
