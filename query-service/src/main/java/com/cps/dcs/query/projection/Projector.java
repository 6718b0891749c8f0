package com.cps.dcs.query.projection;

import com.cps.dcs.kernel.event.EventFactsCodec;
import com.cps.dcs.proto.v4.AlertLevel;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.query.projection.RowChange.*;
import com.cps.dcs.swarm.query.ReadModel;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps one event to the read-model changes it causes. Pure: no I/O, no clock. Sale figures come from
 * SALE_COMPLETED (amount = sale total, facts.lines, facts.payment_method); refunds (SALE_PARTIALLY_REFUNDED,
 * SALE_REVERSED) subtract their amount and lines without changing the transaction count.
 */
public final class Projector {

  private Projector() {}

  /** The changes {@code e} causes; empty for event types no read model uses. */
  public static List<RowChange> project(SovereignFinancialEvent e) {
    EventFacts f = e.getPublicMetadata().isEmpty() ? EventFacts.getDefaultInstance() : EventFactsCodec.decode(
        e.getPublicMetadata());
    String tenant = e.getTenantId();
    String branch = e.getBranchId();
    Instant ts = Instant.ofEpochSecond(e.getTs().getSeconds(), e.getTs().getNanos());
    LocalDate day = LocalDate.ofInstant(ts, ZoneOffset.UTC);
    Instant hour = ts.truncatedTo(ChronoUnit.HOURS);
    String cur = e.getCurrency();
    var h = e.getCausalContext().getHlc();
    Hlc hlc = new Hlc(h.getPhysicalMs(), h.getLogical(), h.getNodeId());
    List<RowChange> out = new ArrayList<>();
    out.add(new BranchSeen(tenant, branch, cur, hlc));
    switch (e.getType()) {
      case SALE_COMPLETED -> sale(out, e, f, tenant, branch, day, hour, cur, 1);
      case SALE_PARTIALLY_REFUNDED, SALE_REVERSED -> sale(out, e, f, tenant, branch, day, hour, cur, -1);
      case INVENTORY_RECEIVED, INVENTORY_TRANSFERRED_IN, INVENTORY_ADJUSTMENT ->
          f.getLinesList().forEach(l -> out.add(new InventoryDelta(tenant, branch, l.getProductId(),
              l.getQuantity(), 0, hlc)));
      case INVENTORY_TRANSFERRED_OUT -> f.getLinesList().forEach(l -> out.add(new InventoryDelta(tenant, branch,
          l.getProductId(), -l.getQuantity(), 0, hlc)));
      case INVENTORY_RESERVED -> f.getLinesList().forEach(l -> out.add(new InventoryDelta(tenant, branch,
          l.getProductId(), 0, l.getQuantity(), hlc)));
      case INVENTORY_RESERVATION_CANCELLED -> f.getLinesList().forEach(l -> out.add(new InventoryDelta(tenant,
          branch, l.getProductId(), 0, -l.getQuantity(), hlc)));
      // a sale consumes the reservation made for it
      case INVENTORY_SOLD -> f.getLinesList().forEach(l -> out.add(new InventoryDelta(tenant, branch,
          l.getProductId(), -l.getQuantity(), -l.getQuantity(), hlc)));
      case LOW_STOCK_ALERT, STOCKOUT_DETECTED -> {
        boolean out0 = e.getType().getNumber() == com.cps.dcs.proto.v4.EventType.STOCKOUT_DETECTED_VALUE;
        for (EventFacts.Line l : f.getLinesList()) {
          out.add(new ReorderPoint(tenant, branch, l.getProductId(), f.getReorderPoint(), hlc));
          out.add(new AlertRow(e.getEventId(), tenant, branch,
              (out0 ? AlertLevel.CRITICAL : AlertLevel.WARNING).getNumber(), out0 ? "STOCKOUT" : "LOW_STOCK",
              l.getProductId(), (out0 ? "stockout: " : "low stock: ") + l.getProductId() + " on hand "
                  + f.getQuantityOnHand() + ", reorder point " + f.getReorderPoint(), ts));
          break; // one alert row per event (the event id is its key)
        }
      }
      case PAYMENT_FAILED -> out.add(new AlertRow(e.getEventId(), tenant, branch, AlertLevel.WARNING.getNumber(),
          "PAYMENT_FAILED", f.getPaymentMethod().isEmpty() ? "payment" : f.getPaymentMethod(),
          "payment failed: " + e.getAmountMinor() + " " + cur + (f.getReason().isEmpty() ? "" : " (" + f.getReason()
              + ")"), ts));
      case DATA_INTEGRITY_CHECK, SECURITY_ALERT -> out.add(new AlertRow(e.getEventId(), tenant, branch,
          AlertLevel.CRITICAL.getNumber(), "INTEGRITY", e.getAgentId(), e.getType().name().toLowerCase()
              .replace('_', ' ') + (f.getReason().isEmpty() ? "" : ": " + f.getReason()), ts));
      case LEDGER_ENTRY_POSTED, LEDGER_REVERSAL_POSTED -> f.getPostingsList().forEach(p -> out.add(new LedgerDelta(
          tenant, branch, p.getAccountCode(), p.getAccountName(), day, cur, p.getDebitMinor(), p.getCreditMinor(),
          hlc)));
      case LOYALTY_POINTS_EARNED -> {
        if (!f.getCustomerRef().isEmpty()) {
          out.add(new LoyaltyDelta(tenant, branch, f.getCustomerRef(), f.getLoyaltyPoints(), f.getLoyaltyPoints(),
              0));
        }
      }
      case LOYALTY_POINTS_REDEEMED, LOYALTY_POINTS_EXPIRED -> {
        if (!f.getCustomerRef().isEmpty()) {
          out.add(new LoyaltyDelta(tenant, branch, f.getCustomerRef(), -f.getLoyaltyPoints(), 0, 0));
        }
      }
      default -> { }
    }
    return out;
  }

  private static void sale(List<RowChange> out, SovereignFinancialEvent e, EventFacts f, String tenant,
      String branch, LocalDate day, Instant hour, String cur, int sign) {
    long items = 0;
    long tax = 0;
    for (EventFacts.Line l : f.getLinesList()) {
      // exact: a sum past a long is an ArithmeticException (the record is dead-lettered), never a wrapped figure
      items = Math.addExact(items, l.getQuantity());
      tax = Math.addExact(tax, l.getTaxMinor());
      String category = l.getCategory().isEmpty() ? ReadModel.UNCATEGORIZED : l.getCategory();
      out.add(new CategoryDelta(tenant, branch, day, hour, category, cur, Math.multiplyExact(sign,
          l.getLineTotalMinor()), Math.multiplyExact(sign, l.getQuantity())));
    }
    long amount = Math.absExact(e.getAmountMinor());
    long tx = sign > 0 ? 1 : 0;
    out.add(new SalesDelta(tenant, branch, day, hour, cur, Math.multiplyExact(sign, amount), tx,
        Math.multiplyExact(sign, items), Math.multiplyExact(sign, tax)));
    String method = f.getPaymentMethod().isEmpty() ? "UNKNOWN" : f.getPaymentMethod();
    out.add(new PaymentDelta(tenant, branch, day, method, cur, sign * amount, tx));
    if (sign > 0 && !f.getSessionId().isEmpty()) {
      out.add(new SessionSeen(tenant, branch, day, f.getSessionId()));
    }
    if (!f.getCustomerRef().isEmpty()) {
      out.add(new LoyaltyDelta(tenant, branch, f.getCustomerRef(), 0, 0, sign * amount));
    }
  }
}
