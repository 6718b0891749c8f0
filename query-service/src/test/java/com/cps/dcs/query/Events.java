package com.cps.dcs.query;

import com.cps.dcs.kernel.event.EventFactsCodec;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.HybridLogicalClock;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds unsealed events the way the local agent's POS shapes them (test data only). */
final class Events {
  private static final AtomicInteger LOGICAL = new AtomicInteger();

  private Events() {}

  static SovereignFinancialEvent event(String tenant, String branch, String stream, int version, EventType type,
      long amountMinor, Instant ts, EventFacts facts) {
    return SovereignFinancialEvent.newBuilder().setEventId(UuidV7.next().toString()).setTenantId(tenant)
        .setBranchId(branch).setStreamId(stream).setStreamVersion(version).setType(type).setAgentId("agent-" + branch)
        .setAmountMinor(amountMinor).setAmount(amountMinor / 100.0).setCurrency("USD")
        .setTs(Timestamp.newBuilder().setSeconds(ts.getEpochSecond()).setNanos(ts.getNano()))
        .setCausalContext(CausalContext.newBuilder().setHlc(HybridLogicalClock.newBuilder()
            .setPhysicalMs(ts.toEpochMilli()).setLogical(LOGICAL.incrementAndGet()).setNodeId("agent-" + branch)))
        .setPublicMetadata(EventFactsCodec.encode(facts)).build();
  }

  static EventFacts.Line line(String product, String category, long qty, long unitMinor) {
    return EventFacts.Line.newBuilder().setProductId(product).setCategory(category).setQuantity(qty)
        .setUnitPriceMinor(unitMinor).setLineTotalMinor(qty * unitMinor).build();
  }

  static EventFacts.Posting posting(String code, String name, long debit, long credit) {
    return EventFacts.Posting.newBuilder().setAccountCode(code).setAccountName(name).setDebitMinor(debit)
        .setCreditMinor(credit).build();
  }
}
