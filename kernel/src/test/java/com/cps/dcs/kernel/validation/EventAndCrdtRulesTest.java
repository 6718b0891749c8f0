package com.cps.dcs.kernel.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.crdt.CrdtBundles;
import com.cps.dcs.kernel.crdt.LwwRegister;
import com.cps.dcs.kernel.crdt.PnCounter;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.HybridLogicalClock;
import com.cps.dcs.proto.v4.LWWRegister;
import com.cps.dcs.proto.v4.PNCounter;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.google.protobuf.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class EventAndCrdtRulesTest {
  private static final long NOW = 1_800_000_000_000L;
  private static final ClockBounds BOUNDS = ClockBounds.withDrift(Duration.ofMinutes(1));

  private static SovereignFinancialEvent sale() {
    return SovereignFinancialEvent.newBuilder().setStreamId("sale-1").setType(EventType.SALE_COMPLETED)
        .setAmountMinor(11900).setAmount(119.0).setCurrency("EUR").setCreatedBy("1001").build();
  }

  private static List<String> refused(UnaryOperator<SovereignFinancialEvent.Builder> change) {
    return EventRules.all(change.apply(sale().toBuilder()).build(), BOUNDS, NOW).stream().map(Violation::field)
        .toList();
  }

  @Test
  void aPlainSalePasses() {
    assertThat(refused(b -> b)).isEmpty();
  }

  @Test
  void eachKindOfBadFieldIsNamed() {
    assertThat(refused(b -> b.setStreamId("a\u0000b"))).containsExactly("stream_id");
    assertThat(refused(b -> b.setType(EventType.UNKNOWN))).containsExactly("type");
    assertThat(refused(b -> b.setEventId("not-a-uuid"))).containsExactly("event_id");
    assertThat(refused(b -> b.setAmountMinor(-11900).setAmount(-119.0))).containsExactly("amount_minor");
    assertThat(refused(b -> b.setAmountMinor(Long.MAX_VALUE).setAmount(9.2e16))).containsExactly("amount_minor");
    assertThat(refused(b -> b.setAmountMinor(11400).setAmount(114.01))).containsExactly("amount");
    assertThat(refused(b -> b.setCurrency("XYZ"))).containsExactly("currency");
    assertThat(refused(b -> b.setCausalContext(CausalContext.newBuilder().setHlc(
        HybridLogicalClock.newBuilder().setPhysicalMs(-1))))).containsExactly("causal_context.hlc.physical_ms");
    assertThat(refused(b -> b.setCausalContext(CausalContext.newBuilder().setHlc(HybridLogicalClock.newBuilder()
        .setPhysicalMs(NOW + 50_000).setLogical(2147483646))))).containsExactly("causal_context.hlc.logical");
    assertThat(refused(b -> b.setTs(Timestamp.newBuilder().setSeconds(4102444800L)))).containsExactly("ts");
    assertThat(refused(b -> b.setTs(Timestamp.newBuilder().setSeconds(1577836800L)))).containsExactly("ts");
    assertThat(refused(b -> b.setPublicMetadata(EventFacts.newBuilder().addLines(EventFacts.Line.newBuilder()
        .setProductId("p-milk").setQuantity(1).setLineTotalMinor(-5)).build().toByteString())))
        .containsExactly("public_metadata.lines[0].line_total_minor");
    assertThat(refused(b -> b.setPublicMetadata(com.google.protobuf.ByteString.copyFromUtf8("\u00ff\u00ff"))))
        .containsExactly("public_metadata");
  }

  @Test
  void floatNoiseInTheDoubleAgreesWithTheExactAmount() {
    assertThat(refused(b -> b.setAmountMinor(114).setAmount(1.0 + 0.14))).isEmpty();
    assertThat(EventRules.exactAmount(sale().toBuilder().clearAmountMinor().setAmount(1.0 + 0.14).build()))
        .isEqualTo(114);
  }

  @Test
  void theContentVerdictDependsOnTheEventAlone() {
    var e = sale().toBuilder().setStreamId("a\u0000b").setCreatedBy("x y").build();
    assertThat(EventRules.content(e)).isEqualTo(EventRules.content(e.toBuilder().build()));
    assertThat(EventRules.content(e)).extracting(Violation::field).containsExactly("stream_id", "created_by");
  }

  private static CRDTStateBundle price(String value, long atMs) {
    return CRDTStateBundle.newBuilder().setCrdtId("price:p-milk").setCrdtType("LWWRegister")
        .setSerializedState(LWWRegister.newBuilder().setValue(value).setNodeId("branch-1")
            .setTimestamp(HybridLogicalClock.newBuilder().setPhysicalMs(atMs).setNodeId("branch-1")).build()
            .toByteString()).build();
  }

  private static List<String> crdtRefused(CRDTStateBundle b) {
    return CrdtRules.check("", b, BOUNDS, NOW).stream().map(Violation::field).toList();
  }

  @Test
  void pricesAreNonNegativeWholeMinorUnitsSetNoLaterThanTheDriftAllows() {
    assertThat(crdtRefused(price("119", NOW))).isEmpty();
    assertThat(crdtRefused(price("119", NOW - Duration.ofDays(400).toMillis()))).isEmpty(); // state is as old as it is
    assertThat(crdtRefused(price("-5000", NOW))).containsExactly("serialized_state.value");
    assertThat(crdtRefused(price("cheap", NOW))).containsExactly("serialized_state.value");
    assertThat(crdtRefused(price("1.19", NOW))).containsExactly("serialized_state.value");
    assertThat(crdtRefused(price("119", 4102444800000L))).containsExactly("serialized_state.timestamp.physical_ms");
    assertThat(crdtRefused(price("119", NOW).toBuilder().setCrdtType("PNCounter").build()))
        .containsExactly("crdt_type");
  }

  @Test
  void countersAreBoundedPerNodeAndBundlesMustParse() {
    var ok = CrdtBundles.toBundle("branch-1", "stock:p-milk", PnCounter.empty().increment("branch-1", 40), Hlc.zero("b"), 1);
    assertThat(crdtRefused(ok)).isEmpty();
    var huge = ok.toBuilder().setSerializedState(PNCounter.newBuilder().putIncrements("branch-1", Long.MAX_VALUE)
        .build().toByteString()).build();
    assertThat(crdtRefused(huge)).containsExactly("serialized_state.increments[branch-1]");
    var wrapped = ok.toBuilder().setSerializedState(PNCounter.newBuilder().putDecrements("branch-1", -1L)
        .build().toByteString()).build();
    assertThat(crdtRefused(wrapped)).containsExactly("serialized_state.decrements[branch-1]");
    assertThat(crdtRefused(ok.toBuilder().setCrdtId("").build())).contains("crdt_id");
    assertThat(crdtRefused(ok.toBuilder().setCrdtType("Blob").setCrdtId("misc").build())).contains("crdt_type");
    assertThat(crdtRefused(CrdtBundles.toBundle("b", "misc", new LwwRegister("x", Hlc.zero("b")), Hlc.zero("b"), 1)
        .toBuilder().setSerializedState(com.google.protobuf.ByteString.copyFromUtf8("\u00ff")).build()))
        .containsExactly("serialized_state");
  }
}
