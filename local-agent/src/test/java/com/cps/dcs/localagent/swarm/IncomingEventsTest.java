package com.cps.dcs.localagent.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.kernel.validation.ClockBounds;
import com.cps.dcs.kernel.validation.EventRules;
import com.cps.dcs.kernel.validation.Texts;
import com.cps.dcs.localagent.store.AppendRefused;
import com.cps.dcs.localagent.store.EventDraft;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.proto.v4.SovereignPayload;
import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class IncomingEventsTest {
  private static final LocalStore.Identity ME = new LocalStore.Identity("t1", "b1", "agent-b1", "EUR");
  private static final ClockBounds BOUNDS = ClockBounds.withDrift(Duration.ofMinutes(1));
  private static final long NOW = 1_800_000_000_000L;

  private static SovereignFinancialEvent valid() {
    return SovereignFinancialEvent.newBuilder().setStreamId("sale-1").setType(EventType.SALE_COMPLETED)
        .setAmountMinor(1999).setAmount(19.99).setCurrency("EUR").setCreatedBy("cashier-1").build();
  }

  private static String refusedField(UnaryOperator<SovereignFinancialEvent.Builder> change) {
    var e = change.apply(valid().toBuilder()).build();
    try {
      IncomingEvents.toDraft(e, ME, BOUNDS, NOW);
    } catch (AppendRefused.Invalid i) {
      return i.field();
    }
    throw new AssertionError("accepted: " + e);
  }

  @Test
  void aValidEventBecomesADraftWithExactMoney() {
    EventDraft d = IncomingEvents.toDraft(valid(), ME, BOUNDS, NOW);
    assertThat(d.streamId()).isEqualTo("sale-1");
    assertThat(d.amountMinor()).isEqualTo(1999);
    assertThat(d.type()).isEqualTo(EventType.SALE_COMPLETED);
    // amount only: converted exactly
    assertThat(IncomingEvents.toDraft(valid().toBuilder().clearAmountMinor().setAmount(0.1).build(), ME, BOUNDS, NOW)
        .amountMinor()).isEqualTo(10);
    // no stream: the branch's stream
    assertThat(IncomingEvents.toDraft(valid().toBuilder().clearStreamId().build(), ME, BOUNDS, NOW).streamId())
        .isEqualTo("branch:b1");
  }

  @Test
  void eachBadFieldIsNamed() {
    assertThat(refusedField(b -> b.setType(EventType.UNKNOWN))).isEqualTo("type");
    assertThat(refusedField(b -> b.setTypeValue(999))).isEqualTo("type");
    assertThat(refusedField(b -> b.setTenantId("t2"))).isEqualTo("tenant_id");
    assertThat(refusedField(b -> b.setBranchId("b2"))).isEqualTo("branch_id");
    assertThat(refusedField(b -> b.setAgentId("agent-other"))).isEqualTo("agent_id");
    assertThat(refusedField(b -> b.setEventId("not-a-uuid"))).isEqualTo("event_id");
    assertThat(refusedField(b -> b.setCreatedBy(""))).isEqualTo("created_by");
    assertThat(refusedField(b -> b.setStreamId("s".repeat(Texts.MAX_ID + 1)))).isEqualTo("stream_id");
    assertThat(refusedField(b -> b.setAmount(19.98))).isEqualTo("amount"); // disagrees with amount_minor
    assertThat(refusedField(b -> b.setCurrency("XXY"))).isEqualTo("currency");
    assertThat(refusedField(b -> b.setCurrency(""))).isEqualTo("currency");
    assertThat(refusedField(b -> b.clearAmountMinor().setAmount(0.001))).isEqualTo("amount"); // sub-cent
    assertThat(refusedField(b -> b.setPublicMetadata(ByteString.copyFrom(new byte[] {(byte) 0xff, 0x01}))))
        .isEqualTo("public_metadata");
    assertThat(refusedField(b -> b.setPayload(SovereignPayload.newBuilder().setSchemaVersion(1)))).isEqualTo("payload");
    assertThat(refusedField(b -> b.setPayload(SovereignPayload.newBuilder()
        .setEncryptedData(ByteString.copyFrom(new byte[EventRules.MAX_PAYLOAD + 1])))))
        .isEqualTo("payload.encrypted_data");
    CausalContext.Builder many = CausalContext.newBuilder();
    for (int i = 0; i <= EventRules.MAX_PARENTS; i++) {
      many.addParentEventIds("p" + i);
    }
    assertThat(refusedField(b -> b.setCausalContext(many))).isEqualTo("causal_context.parent_event_ids");
  }

  @Test
  void onlyASignatureMakesAnEventAPeersEvent() {
    assertThat(IncomingEvents.isSealed(valid())).isFalse();
    assertThat(IncomingEvents.isSealed(valid().toBuilder().setDigitalSignature(ByteString.copyFromUtf8("3045")).build())).isTrue();
    assertThatThrownBy(() -> IncomingEvents.toDraft(valid().toBuilder().setAgentId("agent-x").build(), ME, BOUNDS, NOW))
        .isInstanceOf(AppendRefused.Invalid.class).hasMessageContaining("sealed and signed");
  }
}
