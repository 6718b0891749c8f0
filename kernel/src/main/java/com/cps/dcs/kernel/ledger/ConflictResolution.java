package com.cps.dcs.kernel.ledger;

import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.clock.VectorClock;
import com.cps.dcs.kernel.money.Money;
import com.cps.dcs.proto.v4.ConflictStrategy;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Decides between conflicting events, for the strategies an agent can decide by itself (shared by local and regional agents). Pure. */
public final class ConflictResolution {
  private ConflictResolution() {}

  /** The outcome: a winner, or a reason why this strategy cannot decide. */
  public sealed interface Outcome {
    record Winner(SovereignFinancialEvent event) implements Outcome {}

    record Undecidable(String reason) implements Outcome {}
  }

  public static Outcome resolve(ConflictStrategy strategy, List<SovereignFinancialEvent> events) {
    return switch (strategy) {
      case LAST_WRITER_WINS -> new Outcome.Winner(events.stream().max(Comparator.comparing(ConflictResolution::hlc)
          .thenComparing(SovereignFinancialEvent::getEventId)).orElseThrow());
      case VECTOR_CLOCK_ORDER -> causallyLatest(events);
      case CRDT_MERGE -> merged(events);
      default -> new Outcome.Undecidable(strategy + " is not decided by a local agent");
    };
  }

  private static Hlc hlc(SovereignFinancialEvent e) {
    return Hlc.fromProto(e.getCausalContext().getHlc());
  }

  /** The event whose vector clock is after every other one; concurrent events have no causal winner. */
  private static Outcome causallyLatest(List<SovereignFinancialEvent> events) {
    for (SovereignFinancialEvent candidate : events) {
      VectorClock vc = VectorClock.fromProto(candidate.getCausalContext().getVClock());
      boolean dominates = events.stream().filter(o -> o != candidate).allMatch(o -> {
        VectorClock.Causality c = vc.compare(VectorClock.fromProto(o.getCausalContext().getVClock()));
        return c == VectorClock.Causality.AFTER;
      });
      if (dominates) {
        return new Outcome.Winner(candidate);
      }
    }
    return new Outcome.Undecidable("the events are causally concurrent (no vector clock is after all others);"
        + " use LAST_WRITER_WINS or CRDT_MERGE");
  }

  /**
   * Counter semantics: conflicting postings to one stream are concurrent increments, so the merge keeps every
   * distinct event once. The result is a new, unsealed event of the same stream and type whose amount is the sum of
   * the distinct events and whose parents are all of them; the caller appends it.
   */
  private static Outcome merged(List<SovereignFinancialEvent> events) {
    SovereignFinancialEvent first = events.get(0);
    Map<String, SovereignFinancialEvent> distinct = new LinkedHashMap<>();
    for (SovereignFinancialEvent e : events) {
      if (!e.getStreamId().equals(first.getStreamId()) || e.getType() != first.getType()
          || !e.getCurrency().equals(first.getCurrency())) {
        return new Outcome.Undecidable("CRDT_MERGE needs events of one stream, type and currency");
      }
      distinct.putIfAbsent(e.getEventId(), e);
    }
    Money total = Money.zero(first.getCurrency());
    for (SovereignFinancialEvent e : distinct.values()) {
      total = total.plus(Money.ofMinor(e.getAmountMinor(), e.getCurrency()));
    }
    Hlc latest = distinct.values().stream().map(ConflictResolution::hlc).max(Comparator.naturalOrder()).orElseThrow();
    VectorClock vc = VectorClock.empty();
    for (SovereignFinancialEvent e : distinct.values()) {
      vc = vc.merge(VectorClock.fromProto(e.getCausalContext().getVClock()));
    }
    SovereignFinancialEvent result = SovereignFinancialEvent.newBuilder()
        .setStreamId(first.getStreamId()).setType(first.getType()).setTenantId(first.getTenantId())
        .setBranchId(first.getBranchId()).setCurrency(first.getCurrency())
        .setAmountMinor(total.minor()).setAmount(total.toWireDouble())
        .setCausalContext(first.getCausalContext().toBuilder().clearParentEventIds()
            .addAllParentEventIds(distinct.keySet()).setHlc(latest.toProto()).setVClock(vc.toProto()))
        .setCorrelationId(first.getCorrelationId())
        .build();
    return new Outcome.Winner(result);
  }
}
