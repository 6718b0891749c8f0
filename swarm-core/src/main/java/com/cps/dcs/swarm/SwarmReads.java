package com.cps.dcs.swarm;

import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.kernel.validation.Texts;
import com.cps.dcs.proto.v4.EventBatch;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.GetEventRequest;
import com.cps.dcs.proto.v4.GetEventsRangeRequest;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.util.ArrayList;
import java.util.List;

/** The protocol's reads at every tier, checked the same way: one event by id, and pages of a range. */
public final class SwarmReads {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  private final TierPolicy policy;
  private final SwarmLog log;

  public SwarmReads(TierPolicy policy, SwarmLog log) {
    this.policy = policy;
    this.log = log;
  }

  public SovereignFinancialEvent event(GetEventRequest r) {
    Texts.requireId("event_id", r.getEventId());
    requireServed(policy, r.getBranchId());
    SovereignFinancialEvent e = log.find(r.getEventId())
        .filter(ev -> r.getBranchId().isEmpty() || ev.getBranchId().equals(r.getBranchId()))
        .orElseThrow(() -> new RefusedException(new Refusal.NotServed("SovereignFinancialEvent", r.getEventId(),
            "no event " + r.getEventId() + (r.getBranchId().isEmpty() ? "" : " of branch " + r.getBranchId())
                + " in " + policy.where())));
    return r.getIncludePayload() ? e : e.toBuilder().clearPayload().build();
  }

  public EventBatch range(GetEventsRangeRequest r) {
    requireServed(policy, r.getBranchId());
    long from = r.getStartTimestamp();
    long to = r.getEndTimestamp() == 0 ? Long.MAX_VALUE : r.getEndTimestamp();
    if (from < 0) {
      throw invalid("start_timestamp", "must be >= 0 (Unix milliseconds)");
    }
    if (to < from) {
      throw invalid("end_timestamp", "must not be before start_timestamp");
    }
    if (r.getLimit() < 0 || r.getLimit() > MAX_LIMIT) {
      throw invalid("limit", "must be between 0 (default " + DEFAULT_LIMIT + ") and " + MAX_LIMIT);
    }
    int limit = r.getLimit() == 0 ? DEFAULT_LIMIT : r.getLimit();
    Position after = Position.ofCursor(r.getCursor());
    Slice slice = new Slice(r.getBranchId(), from, to, typeNumbers(r.getTypeFilterList(), "type_filter"));
    List<Logged> page = log.read(slice, after, limit + 1);
    int total = log.count(slice);
    boolean more = page.size() > limit;
    List<Logged> shown = more ? page.subList(0, limit) : page;
    EventBatch.Builder b = EventBatch.newBuilder().setHasMore(more).setTotalCount(total);
    shown.forEach(s -> b.addEvents(s.event()));
    if (more) {
      b.setNextCursor(shown.get(shown.size() - 1).position().cursor());
    }
    return b.build();
  }

  /** Refuses a branch id that is malformed or that this tier does not serve. */
  static void requireServed(TierPolicy policy, String branchId) {
    Texts.checkId("branch_id", branchId);
    if (!policy.serves(branchId)) {
      throw new RefusedException(new Refusal.NotServed("Branch", branchId, "this agent serves "
          + policy.where() + " only"));
    }
  }

  /** The numbers of the requested event types; refused when unknown or more than there are. */
  static List<Integer> typeNumbers(List<EventType> types, String field) {
    if (types.size() > EventType.values().length) {
      throw invalid(field, "more types than there are event types");
    }
    List<Integer> out = new ArrayList<>();
    for (EventType t : types) {
      if (t == EventType.UNRECOGNIZED) {
        throw invalid(field, "contains an unknown event type");
      }
      out.add(t.getNumber());
    }
    return out;
  }

  private static RefusedException invalid(String field, String description) {
    return new RefusedException(Refusal.Invalid.of(field, description));
  }
}
