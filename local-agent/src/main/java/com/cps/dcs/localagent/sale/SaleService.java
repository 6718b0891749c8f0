package com.cps.dcs.localagent.sale;

import com.cps.dcs.kernel.crdt.GCounter;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.localagent.catalog.Catalog;
import com.cps.dcs.localagent.payment.PaymentPort;
import com.cps.dcs.localagent.store.AppendOutcome;
import com.cps.dcs.localagent.store.EventDraft;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.store.LocalTx;
import com.cps.dcs.localagent.till.TillService;
import com.cps.dcs.proto.pos.v1.CartLine;
import com.cps.dcs.proto.pos.v1.CheckoutRequest;
import com.cps.dcs.proto.pos.v1.Product;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.ReceiptLine;
import com.cps.dcs.proto.pos.v1.RefundReceipt;
import com.cps.dcs.proto.pos.v1.RefundRequest;
import com.cps.dcs.proto.pos.v1.SaleSagaRecord;
import com.cps.dcs.proto.pos.v1.SagaStatus;
import com.cps.dcs.proto.pos.v1.SignInSession;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.pos.v1.TenderResult;
import com.cps.dcs.proto.pos.v1.TillSession;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkout as a {@code STANDARD_SALE} saga and refunds as {@code REFUND_PROCESSING}. Each saga step is one SQLite
 * transaction holding the step's events, CRDT changes and the saga record, so a crash leaves a saga at a step
 * boundary; a retry with the same checkout id (or the recovery at start) resumes it. Every event's idempotency key
 * derives from the checkout id and the step, so a resumed step never appends twice. A failing payment compensates:
 * captured tenders are refunded and reserved stock released.
 */
public final class SaleService {
  private static final Logger log = LoggerFactory.getLogger(SaleService.class);
  static final String SAGAS = "sale-sagas";
  static final String CHECKOUTS = "checkouts";
  static final String RECEIPTS = "receipts";
  static final String RECEIPT_NUMBERS = "receipt-numbers";
  static final String REFUNDS = "refunds";

  private final LocalStore store;
  private final TillService tills;
  private final PaymentPort payments;
  private final InstantSource time;
  private final int approvalThresholdBp;

  public SaleService(LocalStore store, TillService tills, PaymentPort payments, InstantSource time,
      int approvalThresholdBp) {
    this.store = store;
    this.tills = tills;
    this.payments = payments;
    this.time = time;
    this.approvalThresholdBp = approvalThresholdBp;
  }

  // --- checkout -------------------------------------------------------------------------------------------------

  public Receipt checkout(SignInSession cashier, CheckoutRequest request) {
    if (request.getCheckoutId().isBlank() || request.getCheckoutId().length() > 128) {
      throw new SaleFailure(SaleFailure.Kind.INVALID, "checkout_id",
          "is required (chosen by the POS once per checkout and reused on retries), at most 128 characters");
    }
    Optional<SaleSagaRecord> existing = sagaOfCheckout(request.getCheckoutId());
    if (existing.isPresent()) {
      return resumeOrReport(existing.get());
    }
    TillSession till = tills.openTill(store, cashier.getCashierId()).orElseThrow(() -> new SaleFailure(
        SaleFailure.Kind.PRECONDITION, "till", "open a till before selling"));
    Pricing.PricedCart cart = price(request);
    String approvedBy = "";
    if (cart.discountBasisPoints() > approvalThresholdBp) {
      if (!request.hasApproval()) {
        throw new SaleFailure(SaleFailure.Kind.APPROVAL_REQUIRED, "approval", "a discount of "
            + cart.discountBasisPoints() / 100.0 + "% needs a manager's approval (above "
            + approvalThresholdBp / 100.0 + "%)");
      }
      approvedBy = tills.approveAsManager(request.getApproval().getManagerId(), request.getApproval().getPin());
    }
    Tendering.Plan plan;
    try {
      plan = Tendering.plan(cart.totalMinor(), request.getTendersList().stream()
          .map(t -> new Tendering.Offered(t.getMethod(), t.getAmountMinor(), t.getCardToken())).toList());
    } catch (Tendering.TenderException e) {
      throw new SaleFailure(SaleFailure.Kind.INVALID, e.field(), e.getMessage());
    }
    String sagaId = UuidV7.next().toString();
    String saleId = UuidV7.next().toString();
    Receipt.Builder receipt = Receipt.newBuilder().setSaleId(saleId).setBranchId(store.branchId())
        .setCashierId(cashier.getCashierId()).setSubtotalMinor(cart.subtotalMinor())
        .setDiscountMinor(cart.discountMinor()).setTaxMinor(cart.taxMinor()).setTotalMinor(cart.totalMinor())
        .setChangeMinor(plan.changeMinor()).setCurrency(store.currency()).setSagaId(sagaId)
        .setTillSessionId(till.getTillSessionId());
    for (Pricing.PricedLine l : cart.lines()) {
      receipt.addLines(ReceiptLine.newBuilder().setProductId(l.item().productId()).setName(l.item().name())
          .setCategory(l.item().category()).setQuantity(l.quantity()).setUnitPriceMinor(l.item().unitPriceMinor())
          .setDiscountMinor(l.discountMinor()).setTaxRateBp(l.item().taxRateBp()).setTaxMinor(l.taxMinor())
          .setLineTotalMinor(l.totalMinor()));
    }
    for (Tendering.Applied t : plan.tenders()) {
      receipt.addTenders(TenderResult.newBuilder().setMethod(t.method()).setAmountMinor(t.appliedMinor())
          .setTenderedMinor(t.tenderedMinor()));
    }
    SaleSagaRecord saga = SaleSagaRecord.newBuilder().setSagaId(sagaId).setCheckoutId(request.getCheckoutId())
        .setSaleId(saleId).setStatus(SagaStatus.SAGA_STATUS_RUNNING)
        .setRequest(request.toBuilder().clearSessionToken().clearApproval()).setReceipt(receipt)
        .setCashierId(cashier.getCashierId()).setTillSessionId(till.getTillSessionId()).setApprovedBy(approvedBy)
        .build();
    saga = start(saga, cart);
    return run(saga);
  }

  private Pricing.PricedCart price(CheckoutRequest request) {
    List<Pricing.Line> lines = new ArrayList<>();
    for (int i = 0; i < request.getLinesCount(); i++) {
      CartLine l = request.getLines(i);
      String field = "lines[" + i + "].product_id";
      if (l.getProductId().isBlank()) {
        throw new SaleFailure(SaleFailure.Kind.INVALID, field, "is required");
      }
      Product p = Catalog.product(store, l.getProductId()).orElseThrow(() -> new SaleFailure(
          SaleFailure.Kind.NOT_FOUND, field, "unknown product " + l.getProductId()));
      if (!p.getActive()) {
        throw new SaleFailure(SaleFailure.Kind.PRECONDITION, field, p.getName() + " is not on sale");
      }
      lines.add(new Pricing.Line(new Pricing.Item(p.getProductId(), p.getName(), p.getCategory(), p.getPriceMinor(),
          p.getTaxRateBp()), l.getQuantity(), l.getLineDiscountMinor()));
    }
    try {
      return Pricing.price(lines, request.getCartDiscountMinor());
    } catch (Pricing.PricingException e) {
      throw new SaleFailure(SaleFailure.Kind.INVALID, e.field(), e.getMessage());
    }
  }

  /** Step 1, one transaction: the saga and sale begin and the stock is reserved, or nothing is written. */
  private SaleSagaRecord start(SaleSagaRecord saga, Pricing.PricedCart cart) {
    return store.transaction(tx -> {
      Receipt.Builder receipt = saga.getReceipt().toBuilder().setReceiptNumber(nextReceiptNumber(tx));
      String key = saga.getCheckoutId();
      EventFacts lines = lineFacts(receipt.build(), saga);
      append(tx, saga, "saga-" + saga.getSagaId(), EventType.SAGA_INITIATED, 0, lines, key + ":saga-initiated");
      append(tx, saga, "sale-" + saga.getSaleId(), EventType.SALE_INITIATED, receipt.getTotalMinor(), lines,
          key + ":sale-initiated");
      for (ReceiptLine l : receipt.getLinesList()) {
        Product p = Catalog.product(tx, l.getProductId()).orElseThrow();
        if (p.getStockAvailable() < l.getQuantity()) {
          throw new SaleFailure(SaleFailure.Kind.PRECONDITION, "lines", "not enough " + p.getName() + " in stock: "
              + p.getStockAvailable() + " available, " + l.getQuantity() + " asked");
        }
        Catalog.adjust(tx, Catalog.reservedId(l.getProductId()), store.branchId(), l.getQuantity());
        append(tx, saga, Catalog.stockStream(store.branchId(), l.getProductId()), EventType.INVENTORY_RESERVED, 0, lineFact(l, saga, receipt
            .getReceiptNumber()), key + ":reserve:" + l.getProductId());
      }
      SaleSagaRecord next = saga.toBuilder().setReceipt(receipt).addCompletedSteps("reserve").build();
      putSaga(tx, next);
      tx.putDocument(CHECKOUTS, saga.getCheckoutId(), saga.getSagaId().getBytes(StandardCharsets.UTF_8));
      return next;
    });
  }

  /** Runs the remaining steps: each tender, then completion; a failed payment compensates. */
  private Receipt run(SaleSagaRecord saga) {
    Receipt receipt = saga.getReceipt();
    for (int i = 0; i < receipt.getTendersCount(); i++) {
      String step = "pay:" + i;
      if (saga.getCompletedStepsList().contains(step)) {
        continue;
      }
      TenderResult t = receipt.getTenders(i);
      String token = saga.getRequest().getTendersCount() > i ? saga.getRequest().getTenders(i).getCardToken() : "";
      PaymentPort.Result result = t.getMethod() == TenderMethod.TENDER_CASH
          ? new PaymentPort.Result.Approved("CASH")
          : payments.authorize(t.getMethod(), token, t.getAmountMinor(), receipt.getCurrency(),
              saga.getCheckoutId() + ":" + i);
      if (result instanceof PaymentPort.Result.Approved a) {
        PaymentPort.Result capture = t.getMethod() == TenderMethod.TENDER_CASH ? a
            : payments.capture(a.authorizationCode(), t.getAmountMinor(), saga.getCheckoutId() + ":" + i);
        if (capture instanceof PaymentPort.Result.Approved) {
          saga = recordPayment(saga, i, a.authorizationCode());
          continue;
        }
        result = capture;
      }
      String code = result instanceof PaymentPort.Result.Declined d ? d.code() : "GATEWAY_UNAVAILABLE";
      String message = result instanceof PaymentPort.Result.Declined d ? d.message()
          : ((PaymentPort.Result.Unavailable) result).message();
      compensate(saga, i, code, message);
      throw new SaleFailure(result instanceof PaymentPort.Result.Declined ? SaleFailure.Kind.PRECONDITION
          : SaleFailure.Kind.UNAVAILABLE, "tenders[" + i + "]", message + "; the sale was not made and its"
          + " reservations were released");
    }
    return complete(saga);
  }

  private SaleSagaRecord recordPayment(SaleSagaRecord saga, int i, String authorization) {
    return store.transaction(tx -> {
      TenderResult t = saga.getReceipt().getTenders(i);
      String method = t.getMethod().name().replace("TENDER_", "");
      EventFacts facts = EventFacts.newBuilder().setPaymentMethod(method).setSessionId(saga.getTillSessionId())
          .setReceiptNumber(saga.getReceipt().getReceiptNumber()).build();
      String stream = "payment-" + saga.getSaleId();
      append(tx, saga, stream, EventType.PAYMENT_AUTHORIZED, t.getAmountMinor(), facts,
          saga.getCheckoutId() + ":authorize:" + i);
      append(tx, saga, stream, EventType.PAYMENT_CAPTURED, t.getAmountMinor(), facts,
          saga.getCheckoutId() + ":capture:" + i);
      Receipt receipt = saga.getReceipt().toBuilder().setTenders(i, t.toBuilder()
          .setAuthorizationCode(authorization)).build();
      SaleSagaRecord next = saga.toBuilder().setReceipt(receipt).addCompletedSteps("pay:" + i).build();
      putSaga(tx, next);
      return next;
    });
  }

  /** The last step, one transaction: stock sold, sale completed, ledger posted, till and counters updated. */
  private Receipt complete(SaleSagaRecord saga) {
    return store.transaction(tx -> {
      Receipt receipt = saga.getReceipt();
      String key = saga.getCheckoutId();
      for (ReceiptLine l : receipt.getLinesList()) {
        Catalog.adjust(tx, Catalog.reservedId(l.getProductId()), store.branchId(), -l.getQuantity());
        Catalog.adjust(tx, Catalog.stockId(l.getProductId()), store.branchId(), -l.getQuantity());
        append(tx, saga, Catalog.stockStream(store.branchId(), l.getProductId()), EventType.INVENTORY_SOLD, 0,
            lineFact(l, saga, receipt.getReceiptNumber()), key + ":sold:" + l.getProductId());
        Product p = Catalog.product(tx, l.getProductId()).orElseThrow();
        if (p.getStockOnHand() <= 0 || p.getStockOnHand() <= p.getReorderPoint()) {
          EventType alert = p.getStockOnHand() <= 0 ? EventType.STOCKOUT_DETECTED : EventType.LOW_STOCK_ALERT;
          append(tx, saga, Catalog.stockStream(store.branchId(), l.getProductId()), alert, 0, EventFacts.newBuilder()
              .addLines(EventFacts.Line.newBuilder().setProductId(p.getProductId()).setCategory(p.getCategory()))
              .setQuantityOnHand(p.getStockOnHand()).setReorderPoint(p.getReorderPoint()).build(),
              key + ":alert:" + l.getProductId());
        }
      }
      EventFacts.Builder sale = lineFacts(receipt, saga).toBuilder().setPaymentMethod(paymentMethod(receipt));
      AppendOutcome completed = append(tx, saga, "sale-" + saga.getSaleId(), EventType.SALE_COMPLETED,
          receipt.getTotalMinor(), sale.build(), key + ":sale-completed");
      EventFacts.Builder ledger = EventFacts.newBuilder().setReceiptNumber(receipt.getReceiptNumber())
          .setSessionId(saga.getTillSessionId());
      for (TenderResult t : receipt.getTendersList()) {
        ledger.addPostings(Accounts.debit(Accounts.forTender(t.getMethod()), t.getAmountMinor()));
      }
      ledger.addPostings(Accounts.credit(Accounts.SALES_REVENUE, receipt.getTotalMinor() - receipt.getTaxMinor()));
      ledger.addPostings(Accounts.credit(Accounts.SALES_TAX_PAYABLE, receipt.getTaxMinor()));
      append(tx, saga, "ledger-" + store.branchId(), EventType.LEDGER_ENTRY_POSTED, receipt.getTotalMinor(),
          ledger.build(), key + ":ledger");
      append(tx, saga, "saga-" + saga.getSagaId(), EventType.SAGA_STEP_COMPLETED, 0, EventFacts.newBuilder()
          .setReason("STANDARD_SALE completed: reserve, pay, sell, post").build(), key + ":saga-completed");
      long cash = receipt.getTendersList().stream().filter(t -> t.getMethod() == TenderMethod.TENDER_CASH)
          .mapToLong(TenderResult::getAmountMinor).sum();
      tills.recordCash(tx, saga.getTillSessionId(), cash, 0, 1);
      GCounter count = tx.crdt("tx-count").map(c -> (GCounter) c).orElse(GCounter.empty());
      tx.putCrdt("tx-count", count.increment(store.branchId(), 1));
      Receipt done = receipt.toBuilder().setReceiptHash(completed.ack().getReceiptHash())
          .setCompletedAt(completed.event().getTs()).build();
      putSaga(tx, saga.toBuilder().setReceipt(done).setStatus(SagaStatus.SAGA_STATUS_COMPLETED)
          .addCompletedSteps("complete").build());
      tx.putDocument(RECEIPTS, done.getSaleId(), done.toByteArray());
      tx.putDocument(RECEIPT_NUMBERS, done.getReceiptNumber(), done.getSaleId().getBytes(StandardCharsets.UTF_8));
      return done;
    });
  }

  /** Undoes a sale whose payment failed: refunds captured tenders and releases reservations, in one transaction. */
  private void compensate(SaleSagaRecord saga, int failedTender, String code, String message) {
    store.transaction(tx -> {
      Receipt receipt = saga.getReceipt();
      String key = saga.getCheckoutId();
      TenderResult failed = receipt.getTenders(failedTender);
      EventFacts reason = EventFacts.newBuilder().setReason(code + ": " + message)
          .setPaymentMethod(failed.getMethod().name().replace("TENDER_", ""))
          .setReceiptNumber(receipt.getReceiptNumber()).build();
      append(tx, saga, "payment-" + saga.getSaleId(), EventType.PAYMENT_FAILED, failed.getAmountMinor(), reason,
          key + ":payment-failed:" + failedTender);
      append(tx, saga, "saga-" + saga.getSagaId(), EventType.SAGA_COMPENSATION_TRIGGERED, 0, reason,
          key + ":compensation-triggered");
      for (int i = 0; i < failedTender; i++) {
        TenderResult t = receipt.getTenders(i);
        if (t.getMethod() != TenderMethod.TENDER_CASH) {
          payments.refund(t.getAuthorizationCode(), t.getAmountMinor(), key + ":void:" + i);
        }
        append(tx, saga, "payment-" + saga.getSaleId(), EventType.PAYMENT_REFUNDED, t.getAmountMinor(),
            EventFacts.newBuilder().setPaymentMethod(t.getMethod().name().replace("TENDER_", ""))
                .setReason("voided: sale not made").build(), key + ":void:" + i);
      }
      for (ReceiptLine l : receipt.getLinesList()) {
        Catalog.adjust(tx, Catalog.reservedId(l.getProductId()), store.branchId(), -l.getQuantity());
        append(tx, saga, Catalog.stockStream(store.branchId(), l.getProductId()), EventType.INVENTORY_RESERVATION_CANCELLED, 0,
            lineFact(l, saga, receipt.getReceiptNumber()), key + ":release:" + l.getProductId());
      }
      append(tx, saga, "sale-" + saga.getSaleId(), EventType.TRANSACTION_REJECTED, receipt.getTotalMinor(), reason,
          key + ":rejected");
      append(tx, saga, "saga-" + saga.getSagaId(), EventType.SAGA_COMPENSATION_COMPLETED, 0, reason,
          key + ":compensation-completed");
      putSaga(tx, saga.toBuilder().setStatus(SagaStatus.SAGA_STATUS_COMPENSATED).setFailureCode(code)
          .setFailureMessage(message).build());
      return null;
    });
  }

  private Receipt resumeOrReport(SaleSagaRecord saga) {
    return switch (saga.getStatus()) {
      case SAGA_STATUS_COMPLETED -> saga.getReceipt().toBuilder().setDuplicate(true).build();
      case SAGA_STATUS_COMPENSATED -> throw new SaleFailure(SaleFailure.Kind.PRECONDITION, "checkout_id",
          "this checkout failed earlier (" + saga.getFailureCode() + ": " + saga.getFailureMessage()
              + "); start a new checkout");
      default -> run(saga).toBuilder().setDuplicate(true).build();
    };
  }

  /** Finishes sagas a crash interrupted: each resumes from its last recorded step. */
  public int recover() {
    int resumed = 0;
    for (byte[] b : store.documents(SAGAS)) {
      SaleSagaRecord saga = parseSaga(b);
      if (saga.getStatus() == SagaStatus.SAGA_STATUS_RUNNING) {
        try {
          run(saga);
        } catch (SaleFailure e) {
          log.info("recovered sale {} ended compensated: {}", saga.getSaleId(), e.getMessage());
        }
        resumed++;
      }
    }
    return resumed;
  }

  // --- refunds --------------------------------------------------------------------------------------------------

  public RefundReceipt refund(SignInSession cashier, RefundRequest r) {
    if (r.getRefundId().isBlank()) {
      throw new SaleFailure(SaleFailure.Kind.INVALID, "refund_id", "is required (reused on retries)");
    }
    Optional<byte[]> done = store.document(REFUNDS, r.getRefundId());
    if (done.isPresent()) {
      return parseRefund(done.get()).toBuilder().setDuplicate(true).build();
    }
    String approvedBy = cashier.getRole() == com.cps.dcs.proto.pos.v1.Role.ROLE_MANAGER ? cashier.getCashierId() : "";
    if (approvedBy.isEmpty()) {
      if (!r.hasApproval()) {
        throw new SaleFailure(SaleFailure.Kind.APPROVAL_REQUIRED, "approval", "a refund needs a manager's approval");
      }
      approvedBy = tills.approveAsManager(r.getApproval().getManagerId(), r.getApproval().getPin());
    }
    Receipt sale = receipt(r.getSaleId(), r.getReceiptNumber());
    List<long[]> plan = new ArrayList<>(); // index, quantity, amount, tax
    if (r.getLinesCount() == 0) {
      for (int i = 0; i < sale.getLinesCount(); i++) {
        long left = sale.getLines(i).getQuantity() - sale.getLines(i).getRefundedQuantity();
        if (left > 0) {
          plan.add(new long[] {i, left});
        }
      }
    } else {
      for (int k = 0; k < r.getLinesCount(); k++) {
        var rl = r.getLines(k);
        int i = indexOf(sale, rl.getProductId());
        if (i < 0) {
          throw new SaleFailure(SaleFailure.Kind.INVALID, "lines[" + k + "].product_id",
              rl.getProductId() + " is not on receipt " + sale.getReceiptNumber());
        }
        long left = sale.getLines(i).getQuantity() - sale.getLines(i).getRefundedQuantity();
        if (rl.getQuantity() <= 0 || rl.getQuantity() > left) {
          throw new SaleFailure(SaleFailure.Kind.PRECONDITION, "lines[" + k + "].quantity",
              "between 1 and " + left + " can still be refunded");
        }
        plan.add(new long[] {i, rl.getQuantity()});
      }
    }
    if (plan.isEmpty()) {
      throw new SaleFailure(SaleFailure.Kind.PRECONDITION, "sale_id", "everything on this sale was refunded already");
    }
    TillSession till = tills.openTill(store, cashier.getCashierId()).orElseThrow(() -> new SaleFailure(
        SaleFailure.Kind.PRECONDITION, "till", "open a till before refunding"));
    TenderResult original = sale.getTenders(0);
    long total = 0;
    long tax = 0;
    List<ReceiptLine> refundedLines = new ArrayList<>();
    Receipt.Builder updated = sale.toBuilder();
    for (long[] p : plan) {
      ReceiptLine l = sale.getLines((int) p[0]);
      long qty = p[1];
      long amount = share(l.getLineTotalMinor(), qty, l.getQuantity(), l.getRefundedQuantity());
      long lineTax = share(l.getTaxMinor(), qty, l.getQuantity(), l.getRefundedQuantity());
      total += amount;
      tax += lineTax;
      refundedLines.add(l.toBuilder().setQuantity(qty).setLineTotalMinor(amount).setTaxMinor(lineTax)
          .setRefundedQuantity(0).build());
      updated.setLines((int) p[0], l.toBuilder().setRefundedQuantity(l.getRefundedQuantity() + qty));
    }
    boolean full = updated.getLinesList().stream().allMatch(l -> l.getRefundedQuantity() == l.getQuantity());
    if (original.getMethod() != TenderMethod.TENDER_CASH) {
      PaymentPort.Result res = payments.refund(original.getAuthorizationCode(), total, r.getRefundId());
      if (!(res instanceof PaymentPort.Result.Approved)) {
        throw new SaleFailure(SaleFailure.Kind.UNAVAILABLE, "refund", "the card refund did not go through");
      }
    }
    long refundTotal = total;
    long refundTax = tax;
    String approver = approvedBy;
    return store.transaction(tx -> {
      String key = r.getRefundId();
      String sagaId = UuidV7.next().toString();
      SaleSagaRecord saga = SaleSagaRecord.newBuilder().setSagaId(sagaId).setSaleId(sale.getSaleId())
          .setCashierId(cashier.getCashierId()).setApprovedBy(approver).build();
      EventFacts.Builder facts = EventFacts.newBuilder().setReceiptNumber(sale.getReceiptNumber())
          .setSessionId(till.getTillSessionId()).setReason(r.getReason().isBlank() ? "refund" : r.getReason())
          .setPaymentMethod(original.getMethod().name().replace("TENDER_", ""));
      for (ReceiptLine l : refundedLines) {
        facts.addLines(EventFacts.Line.newBuilder().setProductId(l.getProductId()).setCategory(l.getCategory())
            .setQuantity(l.getQuantity()).setUnitPriceMinor(l.getUnitPriceMinor()).setLineTotalMinor(
                l.getLineTotalMinor()).setTaxMinor(l.getTaxMinor()));
      }
      append(tx, saga, "saga-" + sagaId, EventType.SAGA_INITIATED, 0, facts.build(), key + ":refund-initiated");
      append(tx, saga, "payment-" + sale.getSaleId(), EventType.PAYMENT_REFUNDED, refundTotal, facts.build(),
          key + ":refund-payment");
      for (ReceiptLine l : refundedLines) {
        Catalog.adjust(tx, Catalog.stockId(l.getProductId()), store.branchId(), l.getQuantity());
        append(tx, saga, Catalog.stockStream(store.branchId(), l.getProductId()), EventType.INVENTORY_ADJUSTMENT, 0, EventFacts.newBuilder()
            .addLines(EventFacts.Line.newBuilder().setProductId(l.getProductId()).setCategory(l.getCategory())
                .setQuantity(l.getQuantity())).setReason("refund").setReceiptNumber(sale.getReceiptNumber()).build(),
            key + ":return:" + l.getProductId());
      }
      AppendOutcome refunded = append(tx, saga, "sale-" + sale.getSaleId(),
          full ? EventType.SALE_REVERSED : EventType.SALE_PARTIALLY_REFUNDED, refundTotal, facts.build(),
          key + ":sale-refunded");
      append(tx, saga, "ledger-" + store.branchId(), EventType.LEDGER_REVERSAL_POSTED, refundTotal,
          EventFacts.newBuilder().setReceiptNumber(sale.getReceiptNumber())
              .addPostings(Accounts.debit(Accounts.SALES_RETURNS, refundTotal - refundTax))
              .addPostings(Accounts.debit(Accounts.SALES_TAX_PAYABLE, refundTax))
              .addPostings(Accounts.credit(Accounts.forTender(original.getMethod()), refundTotal)).build(),
          key + ":ledger-reversal");
      append(tx, saga, "saga-" + sagaId, EventType.SAGA_STEP_COMPLETED, 0, EventFacts.newBuilder()
          .setReason("REFUND_PROCESSING completed").build(), key + ":refund-completed");
      if (original.getMethod() == TenderMethod.TENDER_CASH) {
        tills.recordCash(tx, till.getTillSessionId(), 0, refundTotal, 0);
      }
      tx.putDocument(RECEIPTS, sale.getSaleId(), updated.build().toByteArray());
      RefundReceipt receipt = RefundReceipt.newBuilder().setRefundId(r.getRefundId()).setSaleId(sale.getSaleId())
          .addAllLines(refundedLines).setRefundedMinor(refundTotal).setMethod(original.getMethod())
          .setReceiptHash(refunded.ack().getReceiptHash()).setFullRefund(full)
          .setCompletedAt(refunded.event().getTs()).build();
      tx.putDocument(REFUNDS, r.getRefundId(), receipt.toByteArray());
      return receipt;
    });
  }

  /** The part of {@code whole} for {@code qty} of {@code of} units; the last units take what is left, exactly. */
  static long share(long whole, long qty, long of, long alreadyRefunded) {
    long before = BigDecimal.valueOf(whole).multiply(BigDecimal.valueOf(alreadyRefunded))
        .divide(BigDecimal.valueOf(of), 0, RoundingMode.HALF_EVEN).longValueExact();
    long after = BigDecimal.valueOf(whole).multiply(BigDecimal.valueOf(alreadyRefunded + qty))
        .divide(BigDecimal.valueOf(of), 0, RoundingMode.HALF_EVEN).longValueExact();
    return after - before;
  }

  // --- receipts -------------------------------------------------------------------------------------------------

  public Receipt receipt(String saleId, String receiptNumber) {
    String id = saleId;
    if ((id == null || id.isBlank()) && receiptNumber != null && !receiptNumber.isBlank()) {
      id = store.document(RECEIPT_NUMBERS, receiptNumber).map(b -> new String(b, StandardCharsets.UTF_8))
          .orElseThrow(() -> new SaleFailure(SaleFailure.Kind.NOT_FOUND, "receipt_number",
              "no sale with receipt number " + receiptNumber));
    }
    if (id == null || id.isBlank()) {
      throw new SaleFailure(SaleFailure.Kind.INVALID, "sale_id", "give sale_id or receipt_number");
    }
    String sid = id;
    return store.document(RECEIPTS, id).map(SaleService::parseReceipt).orElseThrow(() -> new SaleFailure(
        SaleFailure.Kind.NOT_FOUND, "sale_id", "no completed sale " + sid));
  }

  // --- helpers --------------------------------------------------------------------------------------------------

  private AppendOutcome append(LocalTx tx, SaleSagaRecord saga, String stream, EventType type, long amount,
      EventFacts facts, String naturalKey) {
    EventDraft d = new EventDraft(stream, 0, type, amount, amount == 0 ? "" : store.currency(), saga.getSaleId(),
        saga.getSagaId(), facts, sensitive(saga), saga.getCashierId(), saga.getApprovedBy(), naturalKey, List.of(),
        null, null, null, null);
    return tx.append(d);
  }

  /** What stays sealed: the card tokens and customer reference of the sale. */
  private static byte[] sensitive(SaleSagaRecord saga) {
    StringBuilder s = new StringBuilder();
    saga.getRequest().getTendersList().forEach(t -> s.append("token=").append(t.getCardToken()).append(';'));
    s.append("customer=").append(saga.getRequest().getCustomerRef());
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  private EventFacts lineFacts(Receipt receipt, SaleSagaRecord saga) {
    EventFacts.Builder f = EventFacts.newBuilder().setReceiptNumber(receipt.getReceiptNumber())
        .setSessionId(saga.getTillSessionId()).setCustomerRef(saga.getRequest().getCustomerRef());
    for (ReceiptLine l : receipt.getLinesList()) {
      f.addLines(EventFacts.Line.newBuilder().setProductId(l.getProductId()).setCategory(l.getCategory())
          .setQuantity(l.getQuantity()).setUnitPriceMinor(l.getUnitPriceMinor()).setLineTotalMinor(
              l.getLineTotalMinor()).setTaxMinor(l.getTaxMinor()).setDiscountMinor(l.getDiscountMinor()));
    }
    return f.build();
  }

  private static EventFacts lineFact(ReceiptLine l, SaleSagaRecord saga, String receiptNumber) {
    return EventFacts.newBuilder().addLines(EventFacts.Line.newBuilder().setProductId(l.getProductId())
        .setCategory(l.getCategory()).setQuantity(l.getQuantity())).setReceiptNumber(receiptNumber)
        .setSessionId(saga.getTillSessionId()).build();
  }

  private static String paymentMethod(Receipt r) {
    if (r.getTendersCount() > 1) {
      return "SPLIT";
    }
    return r.getTenders(0).getMethod().name().replace("TENDER_", "");
  }

  private String nextReceiptNumber(LocalTx tx) {
    long n = tx.document("counters", "receipt").map(b -> Long.parseLong(new String(b, StandardCharsets.UTF_8)))
        .orElse(0L) + 1;
    tx.putDocument("counters", "receipt", Long.toString(n).getBytes(StandardCharsets.UTF_8));
    return store.branchId().toUpperCase().replaceAll("[^A-Z0-9]", "") + "-" + String.format("%06d", n);
  }

  private Optional<SaleSagaRecord> sagaOfCheckout(String checkoutId) {
    return store.document(CHECKOUTS, checkoutId).map(b -> new String(b, StandardCharsets.UTF_8))
        .flatMap(id -> store.document(SAGAS, id)).map(SaleService::parseSaga);
  }

  private static void putSaga(LocalTx tx, SaleSagaRecord saga) {
    tx.putDocument(SAGAS, saga.getSagaId(), saga.toByteArray());
  }

  private static int indexOf(Receipt r, String productId) {
    for (int i = 0; i < r.getLinesCount(); i++) {
      if (r.getLines(i).getProductId().equals(productId)) {
        return i;
      }
    }
    return -1;
  }

  static SaleSagaRecord parseSaga(byte[] b) {
    try {
      return SaleSagaRecord.parseFrom(b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  static Receipt parseReceipt(byte[] b) {
    try {
      return Receipt.parseFrom(b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  static RefundReceipt parseRefund(byte[] b) {
    try {
      return RefundReceipt.parseFrom(b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  static Timestamp ts(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
