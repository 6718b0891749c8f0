package com.cps.dcs.query.projection;

import com.cps.dcs.kernel.event.EventFactsCodec;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.HybridLogicalClock;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.google.protobuf.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random event streams for property tests, reproducible from a seed: few tenants, branches, products, days, hours,
 * currencies and account names, so rows collide often; HLCs from a tiny range, so (ms, logical) ties between nodes
 * happen; and redeliveries of earlier events.
 */
final class RandomEvents {
  private static final Instant BASE = Instant.parse("2026-11-22T10:00:00Z");
  private static final EventType[] TYPES = {EventType.SALE_COMPLETED, EventType.SALE_COMPLETED,
      EventType.SALE_PARTIALLY_REFUNDED, EventType.SALE_REVERSED, EventType.INVENTORY_RECEIVED,
      EventType.INVENTORY_ADJUSTMENT, EventType.INVENTORY_TRANSFERRED_OUT, EventType.INVENTORY_RESERVED,
      EventType.INVENTORY_RESERVATION_CANCELLED, EventType.INVENTORY_SOLD, EventType.LOW_STOCK_ALERT,
      EventType.STOCKOUT_DETECTED, EventType.PAYMENT_FAILED, EventType.DATA_INTEGRITY_CHECK,
      EventType.LEDGER_ENTRY_POSTED, EventType.LEDGER_REVERSAL_POSTED, EventType.LOYALTY_POINTS_EARNED,
      EventType.LOYALTY_POINTS_REDEEMED, EventType.SAGA_INITIATED};

  private RandomEvents() {}

  static List<SovereignFinancialEvent> generate(Random r, int n) {
    List<SovereignFinancialEvent> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (!out.isEmpty() && r.nextInt(8) == 0) {
        out.add(out.get(r.nextInt(out.size()))); // an at-least-once redelivery
        continue;
      }
      out.add(event(r, i));
    }
    return out;
  }

  private static SovereignFinancialEvent event(Random r, int i) {
    EventType type = TYPES[r.nextInt(TYPES.length)];
    Instant ts = BASE.plus(Duration.ofDays(r.nextInt(2))).plus(Duration.ofHours(r.nextInt(2)))
        .plusSeconds(r.nextInt(600));
    EventFacts.Builder f = EventFacts.newBuilder();
    long total = 0;
    for (int l = 0, lines = 1 + r.nextInt(2); l < lines; l++) {
      long qty = 1 + r.nextInt(4);
      long unit = 1 + r.nextInt(500);
      f.addLines(EventFacts.Line.newBuilder().setProductId(pick(r, "p1", "p2", "p3"))
          .setCategory(pick(r, "food", "drink", "")).setQuantity(type == EventType.INVENTORY_ADJUSTMENT
              && r.nextBoolean() ? -qty : qty).setUnitPriceMinor(unit).setLineTotalMinor(qty * unit)
          .setTaxMinor(r.nextInt(30)));
      total += qty * unit;
    }
    f.setPaymentMethod(pick(r, "CARD", "CASH", "")).setSessionId(pick(r, "till-1", "till-2", ""))
        .setCustomerRef(pick(r, "cust-1", "cust-2", "")).setLoyaltyPoints(1 + r.nextInt(100))
        .setReorderPoint(r.nextInt(10)).setQuantityOnHand(r.nextInt(10)).setReason(pick(r, "", "declined"));
    long posted = 1 + r.nextInt(1000);
    f.addPostings(EventFacts.Posting.newBuilder().setAccountCode("1000").setAccountName(pick(r, "Cash", "Cash",
        "Cash desk")).setDebitMinor(posted));
    f.addPostings(EventFacts.Posting.newBuilder().setAccountCode("4000").setAccountName("Sales")
        .setCreditMinor(posted));
    String tenant = pick(r, "tenant-a", "tenant-a", "tenant-b");
    String branch = pick(r, "b1", "b2");
    String currency = r.nextInt(12) == 0 ? "EUR" : r.nextInt(20) == 0 ? "" : "USD";
    long amount = currency.isEmpty() ? 0 : total; // content the region accepts: no amount without a currency
    return SovereignFinancialEvent.newBuilder()
        .setEventId(UuidV7.next(InstantSource.fixed(ts), r).toString()) // reproducible from the seed
        .setTenantId(tenant).setBranchId(branch).setStreamId("s-" + r.nextInt(5)).setStreamVersion(i).setType(type)
        .setAgentId("agent-" + branch).setAmountMinor(amount).setAmount(amount / 100.0).setCurrency(currency)
        .setTs(Timestamp.newBuilder().setSeconds(ts.getEpochSecond()).setNanos(ts.getNano()))
        // physical ms from 1 (an HLC is never zero) in a tiny range, so ties between nodes happen
        .setCausalContext(CausalContext.newBuilder().setHlc(HybridLogicalClock.newBuilder()
            .setPhysicalMs(1 + r.nextInt(3)).setLogical(r.nextInt(3)).setNodeId(pick(r, "n1", "n2"))))
        .setPublicMetadata(EventFactsCodec.encode(f.build())).build();
  }

  private static String pick(Random r, String... options) {
    return options[r.nextInt(options.length)];
  }
}
