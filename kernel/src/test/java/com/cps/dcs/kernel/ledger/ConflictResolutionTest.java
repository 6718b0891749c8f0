package com.cps.dcs.kernel.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.clock.VectorClock;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.ConflictStrategy;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConflictResolutionTest {

  private static SovereignFinancialEvent event(String id, long wall, int logical, String node, VectorClock vc,
      long minor) {
    return SovereignFinancialEvent.newBuilder().setEventId(id).setStreamId("ledger-b1")
        .setType(EventType.LEDGER_ENTRY_POSTED).setCurrency("EUR").setAmountMinor(minor).setAmount(minor / 100.0)
        .setCausalContext(CausalContext.newBuilder().setHlc(new Hlc(wall, logical, node, 0).toProto())
            .setVClock(vc.toProto()))
        .build();
  }

  private static SovereignFinancialEvent winner(ConflictResolution.Outcome o) {
    assertThat(o).isInstanceOf(ConflictResolution.Outcome.Winner.class);
    return ((ConflictResolution.Outcome.Winner) o).event();
  }

  @Test
  void lastWriterWinsTakesTheLatestHlcAndBreaksTiesByEventId() {
    VectorClock vc = VectorClock.empty();
    var a = event("a", 1000, 0, "n1", vc, 100);
    var b = event("b", 1000, 1, "n2", vc, 200);
    var c = event("c", 999, 5, "n3", vc, 300);
    assertThat(winner(ConflictResolution.resolve(ConflictStrategy.LAST_WRITER_WINS, List.of(a, b, c))).getEventId())
        .isEqualTo("b");
    assertThat(winner(ConflictResolution.resolve(ConflictStrategy.LAST_WRITER_WINS, List.of(c, b, a))).getEventId())
        .isEqualTo("b");
  }

  @Test
  void vectorClockOrderPicksTheCausallyLatestAndRefusesConcurrentEvents() {
    VectorClock base = VectorClock.empty().increment("n1");
    var earlier = event("e1", 2000, 0, "n1", base, 100);
    var later = event("e2", 1000, 0, "n2", base.increment("n2"), 200); // later causally, earlier by wall clock
    assertThat(winner(ConflictResolution.resolve(ConflictStrategy.VECTOR_CLOCK_ORDER, List.of(later, earlier)))
        .getEventId()).isEqualTo("e2");

    var concurrent = event("e3", 3000, 0, "n3", base.increment("n3"), 300);
    var o = ConflictResolution.resolve(ConflictStrategy.VECTOR_CLOCK_ORDER, List.of(later, concurrent));
    assertThat(o).isInstanceOf(ConflictResolution.Outcome.Undecidable.class);
    assertThat(((ConflictResolution.Outcome.Undecidable) o).reason()).contains("concurrent");
  }

  @Test
  void crdtMergeSumsDistinctEventsOnceAndKeepsThemAsParents() {
    var a = event("a", 1000, 0, "n1", VectorClock.empty().increment("n1"), 150);
    var b = event("b", 1001, 0, "n2", VectorClock.empty().increment("n2"), 275);
    SovereignFinancialEvent merged = winner(ConflictResolution.resolve(ConflictStrategy.CRDT_MERGE,
        List.of(a, b, a)));
    assertThat(merged.getAmountMinor()).isEqualTo(425);
    assertThat(merged.getAmount()).isEqualTo(4.25);
    assertThat(merged.getCausalContext().getParentEventIdsList()).containsExactly("a", "b");
    assertThat(Hlc.fromProto(merged.getCausalContext().getHlc())).isEqualTo(new Hlc(1001, 0, "n2", 0));
    VectorClock vc = VectorClock.fromProto(merged.getCausalContext().getVClock());
    assertThat(vc.compare(VectorClock.empty().increment("n1"))).isEqualTo(VectorClock.Causality.AFTER);
    assertThat(vc.compare(VectorClock.empty().increment("n2"))).isEqualTo(VectorClock.Causality.AFTER);
    // Merging is order-insensitive in the amount.
    assertThat(winner(ConflictResolution.resolve(ConflictStrategy.CRDT_MERGE, List.of(b, a))).getAmountMinor())
        .isEqualTo(425);
  }

  @Test
  void crdtMergeRefusesMixedStreamsAndOtherStrategiesAreNotDecidedHere() {
    var a = event("a", 1000, 0, "n1", VectorClock.empty(), 100);
    var other = a.toBuilder().setEventId("x").setStreamId("ledger-b2").build();
    assertThat(ConflictResolution.resolve(ConflictStrategy.CRDT_MERGE, List.of(a, other)))
        .isInstanceOf(ConflictResolution.Outcome.Undecidable.class);
    assertThat(ConflictResolution.resolve(ConflictStrategy.MASTER_DECIDES, List.of(a)))
        .isInstanceOf(ConflictResolution.Outcome.Undecidable.class);
    assertThat(ConflictResolution.resolve(ConflictStrategy.AGENT_VOTE, List.of(a)))
        .isInstanceOf(ConflictResolution.Outcome.Undecidable.class);
  }
}
