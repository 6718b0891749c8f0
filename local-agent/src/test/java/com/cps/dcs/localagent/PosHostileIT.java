package com.cps.dcs.localagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.kernel.event.EventFactsCodec;
import com.cps.dcs.proto.pos.v1.CartLine;
import com.cps.dcs.proto.pos.v1.CheckoutRequest;
import com.cps.dcs.proto.pos.v1.CloseTillRequest;
import com.cps.dcs.proto.pos.v1.GetReceiptRequest;
import com.cps.dcs.proto.pos.v1.ListCatalogRequest;
import com.cps.dcs.proto.pos.v1.ManagerApproval;
import com.cps.dcs.proto.pos.v1.OpenTillRequest;
import com.cps.dcs.proto.pos.v1.PosServiceGrpc;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.ReceiptLine;
import com.cps.dcs.proto.pos.v1.RefundLine;
import com.cps.dcs.proto.pos.v1.RefundRequest;
import com.cps.dcs.proto.pos.v1.SignInRequest;
import com.cps.dcs.proto.pos.v1.Tender;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.v4.EventBatch;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.GetEventsRangeRequest;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.service.grpc.GrpcErrors;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A hostile client against a real agent over real gRPC: every bad input is refused with the precise status and the
 * field (or reason) named, and refused requests write nothing (events, sales, refunds and stock unchanged).
 */
class PosHostileIT {
  static AgentFixture agent;
  static PosServiceGrpc.PosServiceBlockingStub pos;
  static String token;
  static Receipt milkSale;
  static final ManagerApproval MANAGER = ManagerApproval.newBuilder().setManagerId("9001").setPin("9999").build();

  @BeforeAll
  static void start() {
    agent = new AgentFixture("branch-hostile").start("DCS_SAMPLE_DATA=true");
    pos = PosServiceGrpc.newBlockingStub(agent.channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    token = signIn("1001", "1234", "till-1");
    pos.openTill(OpenTillRequest.newBuilder().setSessionToken(token).setOpeningCashMinor(10_000).build());
    milkSale = pos.checkout(CheckoutRequest.newBuilder().setSessionToken(token).setCheckoutId("co-milk")
        .addLines(CartLine.newBuilder().setProductId("p-milk").setQuantity(1))
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH).setAmountMinor(200))
        .setCustomerRef("loyalty-card-0042").build());
  }

  @AfterAll
  static void stop() {
    agent.close();
  }

  static String signIn(String id, String pin, String till) {
    return pos.signIn(SignInRequest.newBuilder().setCashierId(id).setPin(pin).setTillId(till).build())
        .getSessionToken();
  }

  /** What a refused request must leave as it was: every event, the sale's refunds, the milk on the shelf. */
  record Written(long events, long milkRefunded, long milkStock) {}

  static Written written() {
    long events = 0;
    GetEventsRangeRequest.Builder q = GetEventsRangeRequest.newBuilder().setLimit(1000);
    EventBatch page;
    do {
      page = agent.swarm().getEventsByRange(q.build());
      events += page.getEventsCount();
      q.setCursor(page.getNextCursor());
    } while (page.getHasMore());
    Receipt sale = pos.getReceipt(GetReceiptRequest.newBuilder().setSessionToken(token)
        .setSaleId(milkSale.getSaleId()).build());
    long stock = pos.listCatalog(ListCatalogRequest.newBuilder().setSessionToken(token).build()).getProductsList()
        .stream().filter(p -> p.getProductId().equals("p-milk")).findFirst().orElseThrow().getStockOnHand();
    return new Written(events, sale.getLinesList().stream().mapToLong(ReceiptLine::getRefundedQuantity).sum(), stock);
  }

  /** Runs a hostile call: it must fail with {@code code}, and write nothing. Returns the failure for more checks. */
  static StatusRuntimeException refusedWritingNothing(Status.Code code, Supplier<?> call) {
    Written before = written();
    StatusRuntimeException e = (StatusRuntimeException) org.assertj.core.api.Assertions.catchThrowable(call::get);
    assertThat(e).as("the call must fail").isNotNull();
    assertThat(e.getStatus().getCode()).as(e.getStatus().getDescription()).isEqualTo(code);
    assertThat(written()).as("nothing written").isEqualTo(before);
    return e;
  }

  static void invalidField(String field, Supplier<?> call) {
    StatusRuntimeException e = refusedWritingNothing(Status.Code.INVALID_ARGUMENT, call);
    BadRequest bad = GrpcErrors.detail(GrpcErrors.statusOf(e), BadRequest.class).orElseThrow();
    assertThat(bad.getFieldViolationsList()).extracting(BadRequest.FieldViolation::getField).contains(field);
  }

  static String reason(StatusRuntimeException e) {
    return GrpcErrors.detail(GrpcErrors.statusOf(e), ErrorInfo.class).orElseThrow().getReason();
  }

  static CheckoutRequest.Builder cash(String checkoutId) {
    return CheckoutRequest.newBuilder().setSessionToken(token).setCheckoutId(checkoutId)
        .addLines(CartLine.newBuilder().setProductId("p-milk").setQuantity(1))
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH).setAmountMinor(200));
  }

  static RefundRequest.Builder refundOfMilk(String refundId) {
    return RefundRequest.newBuilder().setSessionToken(token).setRefundId(refundId).setSaleId(milkSale.getSaleId())
        .setApproval(MANAGER);
  }

  @Test
  void aQuantityOfLongMaxIsRefusedNamingTheLineNotAnInternalError() {
    invalidField("lines[0].quantity", () -> pos.checkout(cash("co-qmax").setLines(0, CartLine.newBuilder()
        .setProductId("p-milk").setQuantity(Long.MAX_VALUE)).build()));
  }

  @Test
  void aQuantityAboveTheLineMaximumIsRefused() {
    invalidField("lines[0].quantity", () -> pos.checkout(cash("co-q10001").setLines(0, CartLine.newBuilder()
        .setProductId("p-milk").setQuantity(10_001)).build()));
  }

  @Test
  void twoCardTendersOfLongMaxAreRefusedNamingTheTender() {
    invalidField("tenders[0].amount_minor", () -> pos.checkout(cash("co-tmax").clearTenders()
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CARD).setAmountMinor(Long.MAX_VALUE)
            .setCardToken("4111111111111111"))
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CARD).setAmountMinor(Long.MAX_VALUE)
            .setCardToken("4111111111111111")).build()));
  }

  @Test
  void cardTendersWithinBoundsButAboveTheTotalAreRefusedWithoutCharging() {
    invalidField("tenders", () -> pos.checkout(cash("co-tover").clearTenders()
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CARD).setAmountMinor(1_000_000_000_000_000L)
            .setCardToken("4111111111111111"))
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CARD).setAmountMinor(1_000_000_000_000_000L)
            .setCardToken("4111111111111111")).build()));
  }

  @Test
  void aCheckoutIdLongerThanAnIdOrWithABidiOverrideIsRefused() {
    invalidField("checkout_id", () -> pos.checkout(cash("c".repeat(129)).build()));
    invalidField("checkout_id", () -> pos.checkout(cash("co-\u202Eevil").build()));
    invalidField("checkout_id", () -> pos.checkout(cash("").build()));
  }

  @Test
  void aProductIdWithANulAndATooLongCartAreRefused() {
    invalidField("lines[0].product_id", () -> pos.checkout(cash("co-nul").setLines(0, CartLine.newBuilder()
        .setProductId("p-milk\u0000").setQuantity(1)).build()));
    CheckoutRequest.Builder many = cash("co-many");
    for (int i = 0; i < 200; i++) {
      many.addLines(CartLine.newBuilder().setProductId("p-milk").setQuantity(1));
    }
    invalidField("lines", () -> pos.checkout(many.build()));
  }

  @Test
  void discountsOutOfRangeAreRefused() {
    invalidField("lines[0].line_discount_minor", () -> pos.checkout(cash("co-neg").setLines(0, CartLine
        .newBuilder().setProductId("p-milk").setQuantity(1).setLineDiscountMinor(-1)).build()));
    invalidField("cart_discount_minor", () -> pos.checkout(cash("co-cd").setCartDiscountMinor(Long.MAX_VALUE)
        .build()));
  }

  @Test
  void aCustomerReferenceWithALineBreakIsRefusedAndAGoodOneTravelsOnlyAsAPseudonym() throws Exception {
    invalidField("customer_ref", () -> pos.checkout(cash("co-cref").setCustomerRef("a\nb").build()));
    List<SovereignFinancialEvent> events = agent.swarm().getEventsByRange(GetEventsRangeRequest.newBuilder()
        .setLimit(1000).build()).getEventsList().stream()
        .filter(e -> e.getCorrelationId().equals(milkSale.getSaleId()) && e.getType() == EventType.SALE_COMPLETED)
        .toList();
    String pseudonym = EventFactsCodec.of(events.get(0)).getCustomerRef();
    assertThat(pseudonym).startsWith("cust-").hasSize(5 + 64).doesNotContain("0042");
    // and no file of the branch holds the reference or a card token in clear
    Receipt card = pos.checkout(cash("co-card-secret").clearTenders().setCustomerRef("loyalty-card-0042")
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CARD).setAmountMinor(119)
            .setCardToken("tok_visa_4242424242424242")).build());
    assertThat(card.getDuplicate()).isFalse();
    assertThat(filesContaining("loyalty-card-0042")).isZero();
    assertThat(filesContaining("tok_visa_4242424242424242")).isZero();
  }

  /** Files of the branch's data folder (the SQLite file and its WAL included) holding {@code secret} in clear. */
  static long filesContaining(String secret) throws Exception {
    byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
    try (var files = Files.walk(agent.dataDir)) {
      return files.filter(Files::isRegularFile).filter(f -> {
        try {
          return indexOf(Files.readAllBytes(f), needle) >= 0;
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).count();
    }
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void theSameProductListedTwiceCannotRefundTheLineTwice() {
    StatusRuntimeException e = refusedWritingNothing(Status.Code.FAILED_PRECONDITION, () -> pos.refund(
        refundOfMilk("rf-twice").addLines(RefundLine.newBuilder().setProductId("p-milk").setQuantity(1))
            .addLines(RefundLine.newBuilder().setProductId("p-milk").setQuantity(1)).build()));
    assertThat(reason(e)).isEqualTo("SALE_REFUSED");
  }

  @Test
  void refundQuantitiesAndIdsOutOfBoundsAreRefused() {
    invalidField("lines[0].quantity", () -> pos.refund(refundOfMilk("rf-qmax").addLines(RefundLine.newBuilder()
        .setProductId("p-milk").setQuantity(Long.MAX_VALUE)).build()));
    invalidField("refund_id", () -> pos.refund(refundOfMilk("rf id with spaces").build()));
    invalidField("refund_id", () -> pos.refund(refundOfMilk("r".repeat(129)).build()));
    invalidField("reason", () -> pos.refund(refundOfMilk("rf-reason").setReason("x\u0007").build()));
  }

  @Test
  void anApprovalOnAnUnknownSaleAnswersTheSameForAWrongAndARightPin() {
    RefundRequest.Builder unknown = RefundRequest.newBuilder().setSessionToken(token).setRefundId("rf-oracle")
        .setSaleId("no-such-sale");
    StatusRuntimeException wrong = refusedWritingNothing(Status.Code.NOT_FOUND, () -> pos.refund(unknown
        .setApproval(ManagerApproval.newBuilder().setManagerId("9001").setPin("0000")).build()));
    StatusRuntimeException right = refusedWritingNothing(Status.Code.NOT_FOUND, () -> pos.refund(unknown
        .setApproval(MANAGER).build()));
    assertThat(wrong.getStatus().getDescription()).isEqualTo(right.getStatus().getDescription());
  }

  @Test
  void wrongApprovalPinsLockThatManagerAtThatTillOnly() {
    String t3 = signIn("1002", "2345", "till-2");
    pos.openTill(OpenTillRequest.newBuilder().setSessionToken(t3).setOpeningCashMinor(0).build());
    RefundRequest.Builder r = RefundRequest.newBuilder().setSessionToken(t3).setRefundId("rf-lock")
        .setSaleId(milkSale.getSaleId());
    for (int i = 0; i < 5; i++) {
      refusedWritingNothing(Status.Code.UNAUTHENTICATED, () -> pos.refund(r.setApproval(ManagerApproval
          .newBuilder().setManagerId("9001").setPin("000" + 0)).build()));
    }
    StatusRuntimeException locked = refusedWritingNothing(Status.Code.UNAVAILABLE, () -> pos.refund(
        r.setApproval(MANAGER).build()));
    assertThat(reason(locked)).isEqualTo("UNAVAILABLE");
    // the same manager still approves at till-1: a stranger's guesses did not lock every till
    assertThat(pos.checkout(cash("co-approved").setLines(0, CartLine.newBuilder().setProductId("p-olive-oil")
        .setQuantity(1).setLineDiscountMinor(300)).clearTenders().addTenders(Tender.newBuilder()
            .setMethod(TenderMethod.TENDER_CASH).setAmountMinor(1000)).setApproval(MANAGER).build()).getTotalMinor())
        .isEqualTo(599);
  }

  @Test
  void wrongSignInPinsAtMadeUpTillsLockOnlyThoseNotTheTillsTheCashierUses() {
    signIn("1002", "2345", "till-2"); // 1002 works at till-2
    for (int i = 0; i < 5; i++) {
      int n = i;
      refusedWritingNothing(Status.Code.UNAUTHENTICATED, () -> signIn("1002", "1111", "made-up-" + n));
    }
    StatusRuntimeException locked = refusedWritingNothing(Status.Code.UNAVAILABLE,
        () -> signIn("1002", "2345", "made-up-99"));
    assertThat(reason(locked)).isEqualTo("UNAVAILABLE");
    assertThat(signIn("1002", "2345", "till-2")).isNotEmpty();
  }

  @Test
  void unboundedSignInFieldsAreRefusedBeforeAnyPinIsHashed() {
    invalidField("cashier_id", () -> signIn("9".repeat(10_000), "1234", "till-1"));
    invalidField("pin", () -> signIn("1001", "1".repeat(1_000), "till-1"));
    invalidField("till_id", () -> signIn("1001", "1234", "till\t1"));
    invalidField("session_token", () -> pos.listCatalog(ListCatalogRequest.newBuilder()
        .setSessionToken("t".repeat(100_000)).build()));
  }

  @Test
  void aRequestLargerThanAnyPosCommandIsRefusedBeforeTheServiceSeesIt() {
    StatusRuntimeException e = refusedWritingNothing(Status.Code.RESOURCE_EXHAUSTED, () -> pos.checkout(
        cash("co-huge").setCustomerRef("x".repeat(300_000)).build()));
    assertThat(reason(e)).isEqualTo("REQUEST_TOO_LARGE");
  }

  @Test
  void tillCashOutOfRangeIsRefused() {
    invalidField("opening_cash_minor", () -> pos.openTill(OpenTillRequest.newBuilder().setSessionToken(token)
        .setOpeningCashMinor(Long.MAX_VALUE).build()));
    invalidField("counted_cash_minor", () -> pos.closeTill(CloseTillRequest.newBuilder().setSessionToken(token)
        .setCountedCashMinor(-1).build()));
  }

  @Test
  void aReceiptLookupWithNeitherIdIsRefusedNamingTheField() {
    invalidField("sale_id", () -> pos.getReceipt(GetReceiptRequest.newBuilder().setSessionToken(token).build()));
  }

  @Test
  void aRefusedRefundLeavesTheSaleRefundableAndARightOneRefundsItOnce() {
    Receipt bread = pos.checkout(cash("co-bread").setLines(0, CartLine.newBuilder().setProductId("p-bread")
        .setQuantity(2)).clearTenders().addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH)
            .setAmountMinor(1000)).build());
    RefundRequest.Builder r = RefundRequest.newBuilder().setSessionToken(token).setSaleId(bread.getSaleId())
        .setApproval(MANAGER);
    assertThatThrownBy(() -> pos.refund(r.setRefundId("rf-b0").addLines(RefundLine.newBuilder()
        .setProductId("p-bread").setQuantity(3)).build())).isInstanceOf(StatusRuntimeException.class);
    long refunded = pos.refund(r.clearLines().setRefundId("rf-b1").build()).getRefundedMinor();
    assertThat(refunded).isEqualTo(bread.getTotalMinor());
    StatusRuntimeException again = refusedWritingNothing(Status.Code.FAILED_PRECONDITION,
        () -> pos.refund(r.setRefundId("rf-b2").build()));
    assertThat(reason(again)).isEqualTo("SALE_REFUSED");
  }

  @Test
  void manyRefusalsInARowLeaveTheAgentServing() {
    List<Status.Code> codes = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      try {
        pos.checkout(cash("co-junk-" + i).setLines(0, CartLine.newBuilder().setProductId("p-milk")
            .setQuantity(-i - 1L)).build());
      } catch (StatusRuntimeException e) {
        codes.add(e.getStatus().getCode());
      }
    }
    assertThat(codes).hasSize(50).containsOnly(Status.Code.INVALID_ARGUMENT);
    assertThat(pos.checkout(cash("co-after-junk").build()).getDuplicate()).isFalse();
  }
}
