package com.cps.dcs.query;

import static com.cps.dcs.query.Events.event;
import static com.cps.dcs.query.Events.line;
import static com.cps.dcs.query.Events.posting;
import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.query.projection.Projector;
import com.cps.dcs.query.projection.RowChange;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProjectorTest {
  private static final Instant TS = Instant.parse("2026-11-22T10:15:30Z");

  @Test
  void saleCompletedFeedsSalesCategoriesPaymentSessionAndLoyalty() {
    SovereignFinancialEvent e = event("t", "b", "sale-1", 3, EventType.SALE_COMPLETED, 1250, TS,
        EventFacts.newBuilder().addLines(line("p1", "food", 2, 250)).addLines(line("p2", "drink", 3, 250))
            .setPaymentMethod("CARD").setSessionId("s1").setCustomerRef("c1").build());
    List<RowChange> ch = Projector.project(e);
    assertThat(ch).contains(new RowChange.SalesDelta("t", "b", LocalDate.of(2026, 11, 22),
        Instant.parse("2026-11-22T10:00:00Z"), "USD", 1250, 1, 5, 0));
    assertThat(ch).contains(new RowChange.CategoryDelta("t", "b", LocalDate.of(2026, 11, 22),
        Instant.parse("2026-11-22T10:00:00Z"), "drink", "USD", 750, 3));
    assertThat(ch).contains(new RowChange.PaymentDelta("t", "b", LocalDate.of(2026, 11, 22), "CARD", "USD", 1250, 1));
    assertThat(ch).contains(new RowChange.SessionSeen("t", "b", LocalDate.of(2026, 11, 22), "s1"));
    assertThat(ch).contains(new RowChange.LoyaltyDelta("t", "b", "c1", 0, 0, 1250));
  }

  @Test
  void refundSubtractsWithoutCountingATransaction() {
    SovereignFinancialEvent e = event("t", "b", "sale-1", 9, EventType.SALE_PARTIALLY_REFUNDED, 500, TS,
        EventFacts.newBuilder().addLines(line("p1", "food", 2, 250)).setPaymentMethod("CASH").build());
    assertThat(Projector.project(e)).contains(new RowChange.SalesDelta("t", "b", LocalDate.of(2026, 11, 22),
        Instant.parse("2026-11-22T10:00:00Z"), "USD", -500, 0, -2, 0));
  }

  @Test
  void inventoryMovementsAreDeltas() {
    var rcv = Projector.project(event("t", "b", "stock-p1", 1, EventType.INVENTORY_RECEIVED, 0, TS,
        EventFacts.newBuilder().addLines(line("p1", "food", 10, 0)).build()));
    var res = Projector.project(event("t", "b", "stock-p1", 2, EventType.INVENTORY_RESERVED, 0, TS,
        EventFacts.newBuilder().addLines(line("p1", "food", 3, 0)).build()));
    var sold = Projector.project(event("t", "b", "stock-p1", 3, EventType.INVENTORY_SOLD, 0, TS,
        EventFacts.newBuilder().addLines(line("p1", "food", 3, 0)).build()));
    assertThat(rcv).anyMatch(c -> c instanceof RowChange.InventoryDelta d && d.currentDelta() == 10
        && d.reservedDelta() == 0);
    assertThat(res).anyMatch(c -> c instanceof RowChange.InventoryDelta d && d.currentDelta() == 0
        && d.reservedDelta() == 3);
    assertThat(sold).anyMatch(c -> c instanceof RowChange.InventoryDelta d && d.currentDelta() == -3
        && d.reservedDelta() == -3);
  }

  @Test
  void alertsLedgerAndLoyalty() {
    var low = Projector.project(event("t", "b", "stock-p1", 4, EventType.LOW_STOCK_ALERT, 0, TS,
        EventFacts.newBuilder().addLines(line("p1", "food", 0, 0)).setReorderPoint(5).setQuantityOnHand(4).build()));
    assertThat(low).anyMatch(c -> c instanceof RowChange.ReorderPoint r && r.reorderPoint() == 5);
    assertThat(low).anyMatch(c -> c instanceof RowChange.AlertRow a && a.kind().equals("LOW_STOCK") && a.level() == 1);
    var failed = Projector.project(event("t", "b", "payment-1", 1, EventType.PAYMENT_FAILED, 700, TS,
        EventFacts.newBuilder().setPaymentMethod("CARD").build()));
    assertThat(failed).anyMatch(c -> c instanceof RowChange.AlertRow a && a.kind().equals("PAYMENT_FAILED"));
    var ledger = Projector.project(event("t", "b", "ledger-b", 1, EventType.LEDGER_ENTRY_POSTED, 1000, TS,
        EventFacts.newBuilder().addPostings(posting("1000", "Cash", 1000, 0))
            .addPostings(posting("4000", "Sales", 0, 1000)).build()));
    assertThat(ledger.stream().filter(c -> c instanceof RowChange.LedgerDelta).count()).isEqualTo(2);
    var earned = Projector.project(event("t", "b", "cust-1", 1, EventType.LOYALTY_POINTS_EARNED, 0, TS,
        EventFacts.newBuilder().setCustomerRef("c1").setLoyaltyPoints(40).build()));
    assertThat(earned).contains(new RowChange.LoyaltyDelta("t", "b", "c1", 40, 40, 0));
  }

  @Test
  void unusedTypesOnlyMarkTheBranch() {
    var saga = Projector.project(event("t", "b", "saga-1", 1, EventType.SAGA_INITIATED, 0, TS,
        EventFacts.getDefaultInstance()));
    assertThat(saga).hasSize(1).allMatch(c -> c instanceof RowChange.BranchSeen);
  }
}
