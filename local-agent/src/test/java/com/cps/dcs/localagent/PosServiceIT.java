package com.cps.dcs.localagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.kernel.event.EventFactsCodec;
import com.cps.dcs.proto.pos.v1.CartLine;
import com.cps.dcs.proto.pos.v1.CheckoutRequest;
import com.cps.dcs.proto.pos.v1.CloseTillRequest;
import com.cps.dcs.proto.pos.v1.GetReceiptRequest;
import com.cps.dcs.proto.pos.v1.GetSyncStatusRequest;
import com.cps.dcs.proto.pos.v1.ListCatalogRequest;
import com.cps.dcs.proto.pos.v1.LookupBarcodeRequest;
import com.cps.dcs.proto.pos.v1.ManagerApproval;
import com.cps.dcs.proto.pos.v1.OpenTillRequest;
import com.cps.dcs.proto.pos.v1.PosServiceGrpc;
import com.cps.dcs.proto.pos.v1.Product;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.RefundLine;
import com.cps.dcs.proto.pos.v1.RefundReceipt;
import com.cps.dcs.proto.pos.v1.RefundRequest;
import com.cps.dcs.proto.pos.v1.SignInRequest;
import com.cps.dcs.proto.pos.v1.Tender;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.pos.v1.TillCloseReport;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.GetEventsRangeRequest;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A cashier's day against a real local agent over real gRPC. */
class PosServiceIT {
  static AgentFixture agent;
  static PosServiceGrpc.PosServiceBlockingStub pos;
  static String token;

  @BeforeAll
  static void start() {
    agent = new AgentFixture("branch-pos").start("DCS_SAMPLE_DATA=true");
    pos = PosServiceGrpc.newBlockingStub(agent.channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    token = pos.signIn(SignInRequest.newBuilder().setCashierId("1001").setPin("1234").setTillId("till-1").build())
        .getSessionToken();
    pos.openTill(OpenTillRequest.newBuilder().setSessionToken(token).setOpeningCashMinor(10_000).build());
  }

  @AfterAll
  static void stop() {
    agent.close();
  }

  static Product product(String id) {
    return pos.listCatalog(ListCatalogRequest.newBuilder().setSessionToken(token).build()).getProductsList().stream()
        .filter(p -> p.getProductId().equals(id)).findFirst().orElseThrow();
  }

  static List<SovereignFinancialEvent> eventsOf(String saleId) {
    return agent.swarm().getEventsByRange(GetEventsRangeRequest.newBuilder().setLimit(1000).build()).getEventsList()
        .stream().filter(e -> e.getCorrelationId().equals(saleId)).toList();
  }

  static Status.Code codeOf(Runnable r) {
    try {
      r.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
    throw new AssertionError("expected a failure");
  }

  static CheckoutRequest.Builder cart(String checkoutId) {
    return CheckoutRequest.newBuilder().setSessionToken(token).setCheckoutId(checkoutId)
        .addLines(CartLine.newBuilder().setProductId("p-milk").setQuantity(2))
        .addLines(CartLine.newBuilder().setProductId("p-bread").setQuantity(1).setLineDiscountMinor(49))
        .addLines(CartLine.newBuilder().setProductId("p-wine").setQuantity(1));
  }

  @Test
  void aCashSaleWithDiscountAndTaxIsRecordedOnceWithChange() {
    long milkBefore = product("p-milk").getStockOnHand();
    Receipt r = pos.checkout(cart("co-cash").setCartDiscountMinor(50)
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH).setAmountMinor(2000)).build());
    // 2 x 1.19 + (3.49 - 0.49) + 8.99 = 14.37, less 0.50 cart discount = 13.87 (6.7% off: no approval needed)
    assertThat(r.getSubtotalMinor()).isEqualTo(238 + 349 + 899);
    assertThat(r.getTotalMinor()).isEqualTo(1387);
    assertThat(r.getDiscountMinor()).isEqualTo(99);
    assertThat(r.getLinesList().stream().mapToLong(l -> l.getLineTotalMinor()).sum()).isEqualTo(1387);
    assertThat(r.getTaxMinor()).isEqualTo(r.getLinesList().stream().mapToLong(l -> l.getTaxMinor()).sum())
        .isPositive();
    assertThat(r.getChangeMinor()).isEqualTo(613);
    assertThat(r.getReceiptNumber()).startsWith("BRANCHPOS-");
    assertThat(r.getReceiptHash()).hasSize(64);
    assertThat(product("p-milk").getStockOnHand()).isEqualTo(milkBefore - 2);

    Map<EventType, Long> types = eventsOf(r.getSaleId()).stream()
        .collect(Collectors.groupingBy(SovereignFinancialEvent::getType, Collectors.counting()));
    assertThat(types).containsEntry(EventType.SALE_INITIATED, 1L).containsEntry(EventType.SALE_COMPLETED, 1L)
        .containsEntry(EventType.INVENTORY_RESERVED, 3L).containsEntry(EventType.INVENTORY_SOLD, 3L)
        .containsEntry(EventType.PAYMENT_AUTHORIZED, 1L).containsEntry(EventType.PAYMENT_CAPTURED, 1L)
        .containsEntry(EventType.LEDGER_ENTRY_POSTED, 1L).containsEntry(EventType.SAGA_INITIATED, 1L);
    SovereignFinancialEvent ledger = eventsOf(r.getSaleId()).stream()
        .filter(e -> e.getType() == EventType.LEDGER_ENTRY_POSTED).findFirst().orElseThrow();
    EventFacts facts = EventFactsCodec.of(ledger);
    assertThat(facts.getPostingsList().stream().mapToLong(EventFacts.Posting::getDebitMinor).sum())
        .isEqualTo(facts.getPostingsList().stream().mapToLong(EventFacts.Posting::getCreditMinor).sum())
        .isEqualTo(1387);

    int before = eventsOf(r.getSaleId()).size();
    Receipt again = pos.checkout(cart("co-cash").setCartDiscountMinor(50)
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH).setAmountMinor(2000)).build());
    assertThat(again.getDuplicate()).isTrue();
    assertThat(again.getSaleId()).isEqualTo(r.getSaleId());
    assertThat(again.getReceiptHash()).isEqualTo(r.getReceiptHash());
    assertThat(eventsOf(r.getSaleId())).hasSize(before);
    assertThat(pos.getReceipt(GetReceiptRequest.newBuilder().setSessionToken(token)
        .setReceiptNumber(r.getReceiptNumber()).build()).getSaleId()).isEqualTo(r.getSaleId());
  }

  @Test
  void aDeclinedCardCompensatesAndReleasesTheReservedStock() {
    Product before = product("p-coffee");
    CheckoutRequest request = CheckoutRequest.newBuilder().setSessionToken(token).setCheckoutId("co-declined")
        .addLines(CartLine.newBuilder().setProductId("p-coffee").setQuantity(2))
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_MOBILE).setAmountMinor(500)
            .setCardToken("wallet-7777"))
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CARD).setAmountMinor(1098)
            .setCardToken("4000000000000002")).build();
    assertThatThrownBy(() -> pos.checkout(request)).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getDescription()).contains("declined"));
    Product after = product("p-coffee");
    assertThat(after.getStockOnHand()).isEqualTo(before.getStockOnHand());
    assertThat(after.getStockReserved()).isEqualTo(before.getStockReserved());
    List<EventType> types = agent.swarm().getEventsByRange(GetEventsRangeRequest.newBuilder().setLimit(1000).build())
        .getEventsList().stream().filter(e -> e.getIdempotencyKey().length() > 0)
        .map(SovereignFinancialEvent::getType).toList();
    assertThat(types).contains(EventType.PAYMENT_FAILED, EventType.SAGA_COMPENSATION_TRIGGERED,
        EventType.INVENTORY_RESERVATION_CANCELLED, EventType.PAYMENT_REFUNDED, EventType.SAGA_COMPENSATION_COMPLETED);
    assertThat(codeOf(() -> pos.checkout(request))).isEqualTo(Status.Code.FAILED_PRECONDITION);
  }

  @Test
  void splitTenderAndRefundsPartialThenFull() {
    Receipt r = pos.checkout(CheckoutRequest.newBuilder().setSessionToken(token).setCheckoutId("co-split")
        .addLines(CartLine.newBuilder().setProductId("p-apple").setQuantity(3))
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CARD).setAmountMinor(500)
            .setCardToken("4111111111111111"))
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH).setAmountMinor(500)).build());
    assertThat(r.getTotalMinor()).isEqualTo(897);
    assertThat(r.getTendersList()).extracting(t -> t.getAmountMinor()).containsExactly(500L, 397L);
    assertThat(r.getChangeMinor()).isEqualTo(103);

    ManagerApproval manager = ManagerApproval.newBuilder().setManagerId("9001").setPin("9999").build();
    assertThat(codeOf(() -> pos.refund(RefundRequest.newBuilder().setSessionToken(token).setRefundId("rf-0")
        .setSaleId(r.getSaleId()).build()))).isEqualTo(Status.Code.PERMISSION_DENIED);
    RefundReceipt partial = pos.refund(RefundRequest.newBuilder().setSessionToken(token).setRefundId("rf-1")
        .setSaleId(r.getSaleId()).addLines(RefundLine.newBuilder().setProductId("p-apple").setQuantity(1))
        .setApproval(manager).build());
    assertThat(partial.getRefundedMinor()).isEqualTo(299);
    assertThat(partial.getFullRefund()).isFalse();
    assertThat(pos.refund(RefundRequest.newBuilder().setSessionToken(token).setRefundId("rf-1")
        .setSaleId(r.getSaleId()).setApproval(manager).build()).getDuplicate()).isTrue();
    assertThat(codeOf(() -> pos.refund(RefundRequest.newBuilder().setSessionToken(token).setRefundId("rf-x")
        .setSaleId(r.getSaleId()).addLines(RefundLine.newBuilder().setProductId("p-apple").setQuantity(3))
        .setApproval(manager).build()))).isEqualTo(Status.Code.FAILED_PRECONDITION);
    RefundReceipt rest = pos.refund(RefundRequest.newBuilder().setSessionToken(token).setRefundId("rf-2")
        .setSaleId(r.getSaleId()).setApproval(manager).build());
    assertThat(rest.getFullRefund()).isTrue();
    assertThat(partial.getRefundedMinor() + rest.getRefundedMinor()).isEqualTo(897);
    assertThat(eventsOf(r.getSaleId())).extracting(SovereignFinancialEvent::getType)
        .contains(EventType.SALE_PARTIALLY_REFUNDED, EventType.SALE_REVERSED, EventType.LEDGER_REVERSAL_POSTED);
  }

  @Test
  void aBigDiscountNeedsAManagerAndBadInputIsNamed() {
    CheckoutRequest.Builder big = CheckoutRequest.newBuilder().setSessionToken(token).setCheckoutId("co-big")
        .addLines(CartLine.newBuilder().setProductId("p-olive-oil").setQuantity(1).setLineDiscountMinor(300))
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH).setAmountMinor(1000));
    assertThat(codeOf(() -> pos.checkout(big.build()))).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(codeOf(() -> pos.checkout(big.setApproval(ManagerApproval.newBuilder().setManagerId("1002")
        .setPin("2345")).build()))).isEqualTo(Status.Code.PERMISSION_DENIED);
    Receipt approved = pos.checkout(big.setApproval(ManagerApproval.newBuilder().setManagerId("9001")
        .setPin("9999")).build());
    assertThat(approved.getTotalMinor()).isEqualTo(599);

    assertThat(codeOf(() -> pos.checkout(CheckoutRequest.newBuilder().setSessionToken(token).setCheckoutId("co-q")
        .addLines(CartLine.newBuilder().setProductId("p-milk").setQuantity(0))
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH).setAmountMinor(100)).build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(codeOf(() -> pos.checkout(CheckoutRequest.newBuilder().setSessionToken(token).setCheckoutId("co-u")
        .addLines(CartLine.newBuilder().setProductId("p-nope").setQuantity(1))
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH).setAmountMinor(100)).build())))
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(codeOf(() -> pos.checkout(CheckoutRequest.newBuilder().setSessionToken(token).setCheckoutId("co-s")
        .addLines(CartLine.newBuilder().setProductId("p-wine").setQuantity(500))
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH).setAmountMinor(500_000)).build())))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(codeOf(() -> pos.checkout(cart("co-short").addTenders(Tender.newBuilder()
        .setMethod(TenderMethod.TENDER_CASH).setAmountMinor(100)).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(codeOf(() -> pos.checkout(cart("").build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(codeOf(() -> pos.signIn(SignInRequest.newBuilder().setCashierId("1001").setPin("0000").build())))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(codeOf(() -> pos.listCatalog(ListCatalogRequest.newBuilder().setSessionToken("forged").build())))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(pos.lookupBarcode(LookupBarcodeRequest.newBuilder().setSessionToken(token)
        .setBarcode("4000001000016").build()).getProductId()).isEqualTo("p-milk");
    assertThat(pos.getSyncStatus(GetSyncStatusRequest.newBuilder().setSessionToken(token).build())
        .getRegionReachable()).isFalse();
  }

  @Test
  void managersKeepTheCatalogueAndStockAndSessionsEnd() {
    String manager = pos.signIn(SignInRequest.newBuilder().setCashierId("9001").setPin("9999").build())
        .getSessionToken();
    Product tea = pos.upsertProduct(com.cps.dcs.proto.pos.v1.UpsertProductRequest.newBuilder()
        .setSessionToken(manager).setProduct(Product.newBuilder().setProductId("p-green-tea").setName("Green tea x20")
            .setCategory("Pantry").setPriceMinor(299).setTaxRateBp(700).setBarcode("4000009000019").setReorderPoint(3)
            .setActive(true)).build());
    assertThat(tea.getOutOfStock()).isTrue();
    com.cps.dcs.proto.pos.v1.ReceiveStockRequest delivery = com.cps.dcs.proto.pos.v1.ReceiveStockRequest.newBuilder()
        .setSessionToken(manager).setProductId("p-green-tea").setQuantity(12).setReference("DN-1001").build();
    assertThat(pos.receiveStock(delivery).getStockOnHand()).isEqualTo(12);
    assertThat(pos.receiveStock(delivery).getStockOnHand()).as("the same delivery note again").isEqualTo(12);
    assertThat(product("p-green-tea").getPriceMinor()).isEqualTo(299);
    assertThat(codeOf(() -> pos.receiveStock(delivery.toBuilder().setSessionToken(token).build())))
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(codeOf(() -> pos.upsertProduct(com.cps.dcs.proto.pos.v1.UpsertProductRequest.newBuilder()
        .setSessionToken(manager).setProduct(Product.newBuilder().setProductId("bad id!").setName("x")).build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);

    assertThat(pos.getCurrentTill(com.cps.dcs.proto.pos.v1.GetCurrentTillRequest.newBuilder().setSessionToken(token)
        .build()).getOpen()).isTrue();
    assertThat(codeOf(() -> pos.getCurrentTill(com.cps.dcs.proto.pos.v1.GetCurrentTillRequest.newBuilder()
        .setSessionToken(manager).build()))).isEqualTo(Status.Code.NOT_FOUND);
    pos.signOut(com.cps.dcs.proto.pos.v1.SignOutRequest.newBuilder().setSessionToken(manager).build());
    assertThat(codeOf(() -> pos.listCatalog(ListCatalogRequest.newBuilder().setSessionToken(manager).build())))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  void closingATillReportsExpectedCountedAndDifference() {
    String t2 = pos.signIn(SignInRequest.newBuilder().setCashierId("1002").setPin("2345").setTillId("till-2")
        .build()).getSessionToken();
    pos.openTill(OpenTillRequest.newBuilder().setSessionToken(t2).setOpeningCashMinor(5_000).build());
    pos.checkout(CheckoutRequest.newBuilder().setSessionToken(t2).setCheckoutId("co-till2")
        .addLines(CartLine.newBuilder().setProductId("p-water").setQuantity(3))
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH).setAmountMinor(500)).build());
    TillCloseReport report = pos.closeTill(CloseTillRequest.newBuilder().setSessionToken(t2)
        .setCountedCashMinor(5_200).build());
    assertThat(report.getExpectedCashMinor()).isEqualTo(5_000 + 207);
    assertThat(report.getDifferenceMinor()).isEqualTo(5_200 - 5_207);
    assertThat(codeOf(() -> pos.closeTill(CloseTillRequest.newBuilder().setSessionToken(t2).build())))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
  }
}
