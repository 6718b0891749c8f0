package com.cps.dcs.localagent.sale;

import com.cps.dcs.kernel.crdt.GCounter;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.kernel.validation.ExactSums;
import com.cps.dcs.localagent.catalog.Catalog;
import com.cps.dcs.localagent.payment.PaymentPort;
import com.cps.dcs.localagent.store.AppendOutcome;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.store.LocalTx;
import com.cps.dcs.localagent.till.TillService;
import com.cps.dcs.proto.pos.v1.CartLine;
import com.cps.dcs.proto.pos.v1.CheckoutRequest;
import com.cps.dcs.proto.pos.v1.Product;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.ReceiptLine;
import com.cps.dcs.proto.pos.v1.SaleSagaRecord;
import com.cps.dcs.proto.pos.v1.SagaStatus;
import com.cps.dcs.proto.pos.v1.SignInSession;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.pos.v1.TenderResult;
import com.cps.dcs.proto.pos.v1.TillSession;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import java.nio.charset.StandardCharsets;
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
 *
 * <p>One checkout id makes one sale however many calls race: every call for a checkout id runs under that id's lock
 * (a POS retrying while its first call still pays waits, then gets the same receipt marked duplicate), and the saga
 * is also looked up inside the transaction that would start it. Card tokens and the customer reference are kept
 * sealed ({@link SaleSecrets}); the events' public metadata carries the customer's pseudonym only.
 */
public final class SaleService {
  private static final Logger log = LoggerFactory.getLogger(SaleService.class);

  private final LocalStore store;
  private final TillService tills;
  private final PaymentPort payments;
  private final SaleSecrets secrets;
  private final int approvalThresholdBp;
  private final KeyedLocks checkouts = new KeyedLocks();

  public SaleService(LocalStore store, TillService tills, PaymentPort payments, SaleSecrets secrets,
      int approvalThresholdBp) {
    this.store = store;
    this.tills = tills;
    this.payments = payments;
    this.secrets = secrets;
    this.approvalThresholdBp = approvalThresholdBp;
  }

  // --- checkout -------------------------------------------------------------------------------------------------

  /** Bounds are checked at the edge ({@code PosInputs}); everything here is a business check. */
  public Receipt checkout(SignInSession cashier, CheckoutRequest request) {
    return checkouts.with(request.getCheckoutId(), () -> checkoutAlone(cashier, request));
  }

  private Receipt checkoutAlone(SignInSession cashier, CheckoutRequest request) {
    Optional<SaleSagaRecord> existing = SaleRecords.sagaOfCheckout(store, request.getCheckoutId());
    if (existing.isPresent()) {
      return resumeOrReport(existing.get());
    }
    TillSession till = tills.openTill(store, cashier.getCashierId()).orElseThrow(() -> new SaleFailure(
        SaleFailure.Kind.PRECONDITION, "till", "open a till before selling"));
    Pricing.PricedCart cart = price(request);
    Tendering.Plan plan = Tendering.plan(cart.totalMinor(), request.getTendersList().stream()
        .map(t -> new Tendering.Offered(t.getMethod(), t.getAmountMinor(), t.getCardToken())).toList());
    String approvedBy = "";
    if (cart.discountBasisPoints() > approvalThresholdBp) {
      if (!request.hasApproval()) {
        throw new SaleFailure(SaleFailure.Kind.APPROVAL_REQUIRED, "approval", "a discount of "
            + cart.discountBasisPoints() / 100.0 + "% needs a manager's approval (above "
            + approvalThresholdBp / 100.0 + "%)");
      }
      // last: the PIN is checked only once everything else is known to be fine
      approvedBy = tills.approveAsManager(request.getApproval().getManagerId(), request.getApproval().getPin(),
          till.getTillId());
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
    SaleSecrets.Open open = SaleSecrets.Open.of(request);
    CheckoutRequest.Builder kept = request.toBuilder().clearSessionToken().clearApproval()
        .setCustomerRef(secrets.pseudonym(request.getCustomerRef()));
    kept.getTendersBuilderList().forEach(t -> t.clearCardToken());
    SaleSagaRecord saga = SaleSagaRecord.newBuilder().setSagaId(sagaId).setCheckoutId(request.getCheckoutId())
        .setSaleId(saleId).setStatus(SagaStatus.SAGA_STATUS_RUNNING).setRequest(kept).setReceipt(receipt)
        .setCashierId(cashier.getCashierId()).setTillSessionId(till.getTillSessionId()).setApprovedBy(approvedBy)
        .setSealedSecrets(secrets.seal(open, sagaId)).build();
    SaleSagaRecord started = start(saga, open);
    if (!started.getSagaId().equals(sagaId)) {
      return resumeOrReport(started); // another agent path recorded this checkout id first
    }
    return run(started, open);
  }

  private Pricing.PricedCart price(CheckoutRequest request) {
    List<Pricing.Line> lines = new ArrayList<>();
    for (int i = 0; i < request.getLinesCount(); i++) {
      CartLine l = request.getLines(i);
      String field = "lines[" + i + "].product_id";
      Product p = Catalog.product(store, l.getProductId()).orElseThrow(() -> new SaleFailure(
          SaleFailure.Kind.NOT_FOUND, field, "unknown product " + l.getProductId()));
      if (!p.getActive()) {
        throw new SaleFailure(SaleFailure.Kind.PRECONDITION, field, p.getName() + " is not on sale");
      }
      lines.add(new Pricing.Line(new Pricing.Item(p.getProductId(), p.getName(), p.getCategory(), p.getPriceMinor(),
          p.getTaxRateBp()), l.getQuantity(), l.getLineDiscountMinor()));
    }
    return Pricing.price(lines, request.getCartDiscountMinor());
  }

  /**
   * Step 1, one transaction: the saga and sale begin and the stock is reserved, or nothing is written. When the
   * checkout id is already recorded, writes nothing and returns that saga instead.
   */
  private SaleSagaRecord start(SaleSagaRecord saga, SaleSecrets.Open open) {
    return store.transaction(tx -> {
      Optional<SaleSagaRecord> recorded = SaleRecords.sagaOfCheckout(tx, saga.getCheckoutId());
      if (recorded.isPresent()) {
        return recorded.get();
      }
      Receipt.Builder receipt = saga.getReceipt().toBuilder().setReceiptNumber(nextReceiptNumber(tx));
      String key = saga.getCheckoutId();
      EventFacts lines = lineFacts(receipt.build(), saga);
      append(tx, saga, open, "saga-" + saga.getSagaId(), EventType.SAGA_INITIATED, 0, lines,
          key + ":saga-initiated");
      append(tx, saga, open, "sale-" + saga.getSaleId(), EventType.SALE_INITIATED, receipt.getTotalMinor(), lines,
          key + ":sale-initiated");
      for (ReceiptLine l : receipt.getLinesList()) {
        Product p = Catalog.product(tx, l.getProductId()).orElseThrow();
        if (p.getStockAvailable() < l.getQuantity()) {
          throw new SaleFailure(SaleFailure.Kind.PRECONDITION, "lines", "not enough " + p.getName() + " in stock: "
              + p.getStockAvailable() + " available, " + l.getQuantity() + " asked");
        }
        Catalog.adjust(tx, Catalog.reservedId(l.getProductId()), store.branchId(), l.getQuantity());
        append(tx, saga, open, Catalog.stockStream(store.branchId(), l.getProductId()),
            EventType.INVENTORY_RESERVED, 0, lineFact(l, saga, receipt.getReceiptNumber()),
            key + ":reserve:" + l.getProductId());
      }
      SaleSagaRecord next = saga.toBuilder().setReceipt(receipt).addCompletedSteps("reserve").build();
      SaleRecords.putSaga(tx, next);
      tx.putDocument(SaleRecords.CHECKOUTS, saga.getCheckoutId(), saga.getSagaId().getBytes(StandardCharsets.UTF_8));
      return next;
    });
  }

  /** Runs the remaining steps: each tender, then completion; a failed payment compensates. */
  private Receipt run(SaleSagaRecord saga, SaleSecrets.Open open) {
    Receipt receipt = saga.getReceipt();
    for (int i = 0; i < receipt.getTendersCount(); i++) {
      String step = "pay:" + i;
      if (saga.getCompletedStepsList().contains(step)) {
        continue;
      }
      TenderResult t = receipt.getTenders(i);
      String token = open.token(i);
      PaymentPort.Result result = t.getMethod() == TenderMethod.TENDER_CASH
          ? new PaymentPort.Result.Approved("CASH")
          : payments.authorize(t.getMethod(), token, t.getAmountMinor(), receipt.getCurrency(),
              saga.getCheckoutId() + ":" + i);
      if (result instanceof PaymentPort.Result.Approved a) {
        PaymentPort.Result capture = t.getMethod() == TenderMethod.TENDER_CASH ? a
            : payments.capture(a.authorizationCode(), t.getAmountMinor(), saga.getCheckoutId() + ":" + i);
        if (capture instanceof PaymentPort.Result.Approved) {
          saga = recordPayment(saga, open, i, a.authorizationCode());
          continue;
        }
        result = capture;
      }
      String code = result instanceof PaymentPort.Result.Declined d ? d.code() : "GATEWAY_UNAVAILABLE";
      String message = result instanceof PaymentPort.Result.Declined d ? d.message()
          : ((PaymentPort.Result.Unavailable) result).message();
      compensate(saga, open, i, code, message);
      throw new SaleFailure(result instanceof PaymentPort.Result.Declined ? SaleFailure.Kind.PRECONDITION
          : SaleFailure.Kind.UNAVAILABLE, "tenders[" + i + "]", message + "; the sale was not made and its"
          + " reservations were released");
    }
    return complete(saga, open);
  }

  private SaleSagaRecord recordPayment(SaleSagaRecord saga, SaleSecrets.Open open, int i, String authorization) {
    return store.transaction(tx -> {
      TenderResult t = saga.getReceipt().getTenders(i);
      String method = t.getMethod().name().replace("TENDER_", "");
      EventFacts facts = EventFacts.newBuilder().setPaymentMethod(method).setSessionId(saga.getTillSessionId())
          .setReceiptNumber(saga.getReceipt().getReceiptNumber()).build();
      String stream = "payment-" + saga.getSaleId();
      append(tx, saga, open, stream, EventType.PAYMENT_AUTHORIZED, t.getAmountMinor(), facts,
          saga.getCheckoutId() + ":authorize:" + i);
      append(tx, saga, open, stream, EventType.PAYMENT_CAPTURED, t.getAmountMinor(), facts,
          saga.getCheckoutId() + ":capture:" + i);
      Receipt receipt = saga.getReceipt().toBuilder().setTenders(i, t.toBuilder()
          .setAuthorizationCode(authorization)).build();
      SaleSagaRecord next = saga.toBuilder().setReceipt(receipt).addCompletedSteps("pay:" + i).build();
      SaleRecords.putSaga(tx, next);
      return next;
    });
  }

  /** The last step, one transaction: stock sold, sale completed, ledger posted, till and counters updated. */
  private Receipt complete(SaleSagaRecord saga, SaleSecrets.Open open) {
    return store.transaction(tx -> {
      SaleSagaRecord stored = SaleRecords.saga(tx, saga.getSagaId()).orElse(saga);
      if (stored.getStatus() == SagaStatus.SAGA_STATUS_COMPLETED) {
        return stored.getReceipt(); // completed by an earlier run: stock and till were counted once, then
      }
      Receipt receipt = saga.getReceipt();
      String key = saga.getCheckoutId();
      for (ReceiptLine l : receipt.getLinesList()) {
        Catalog.adjust(tx, Catalog.reservedId(l.getProductId()), store.branchId(), -l.getQuantity());
        Catalog.adjust(tx, Catalog.stockId(l.getProductId()), store.branchId(), -l.getQuantity());
        append(tx, saga, open, Catalog.stockStream(store.branchId(), l.getProductId()), EventType.INVENTORY_SOLD,
            0, lineFact(l, saga, receipt.getReceiptNumber()), key + ":sold:" + l.getProductId());
        Product p = Catalog.product(tx, l.getProductId()).orElseThrow();
        if (p.getStockOnHand() <= 0 || p.getStockOnHand() <= p.getReorderPoint()) {
          EventType alert = p.getStockOnHand() <= 0 ? EventType.STOCKOUT_DETECTED : EventType.LOW_STOCK_ALERT;
          append(tx, saga, open, Catalog.stockStream(store.branchId(), l.getProductId()), alert, 0,
              EventFacts.newBuilder()
              .addLines(EventFacts.Line.newBuilder().setProductId(p.getProductId()).setCategory(p.getCategory()))
              .setQuantityOnHand(p.getStockOnHand()).setReorderPoint(p.getReorderPoint()).build(),
              key + ":alert:" + l.getProductId());
        }
      }
      EventFacts.Builder sale = lineFacts(receipt, saga).toBuilder().setPaymentMethod(paymentMethod(receipt));
      AppendOutcome completed = append(tx, saga, open, "sale-" + saga.getSaleId(), EventType.SALE_COMPLETED,
          receipt.getTotalMinor(), sale.build(), key + ":sale-completed");
      EventFacts.Builder ledger = EventFacts.newBuilder().setReceiptNumber(receipt.getReceiptNumber())
          .setSessionId(saga.getTillSessionId());
      for (TenderResult t : receipt.getTendersList()) {
        ledger.addPostings(Accounts.debit(Accounts.forTender(t.getMethod()), t.getAmountMinor()));
      }
      ledger.addPostings(Accounts.credit(Accounts.SALES_REVENUE, receipt.getTotalMinor() - receipt.getTaxMinor()));
      ledger.addPostings(Accounts.credit(Accounts.SALES_TAX_PAYABLE, receipt.getTaxMinor()));
      append(tx, saga, open, "ledger-" + store.branchId(), EventType.LEDGER_ENTRY_POSTED, receipt.getTotalMinor(),
          ledger.build(), key + ":ledger");
      append(tx, saga, open, "saga-" + saga.getSagaId(), EventType.SAGA_STEP_COMPLETED, 0, EventFacts.newBuilder()
          .setReason("STANDARD_SALE completed: reserve, pay, sell, post").build(), key + ":saga-completed");
      long cash = ExactSums.sum("tenders", receipt.getTendersList().stream()
          .filter(t -> t.getMethod() == TenderMethod.TENDER_CASH).mapToLong(TenderResult::getAmountMinor).toArray());
      tills.recordCash(tx, saga.getTillSessionId(), cash, 0, 1);
      GCounter count = tx.crdt("tx-count").map(c -> (GCounter) c).orElse(GCounter.empty());
      tx.putCrdt("tx-count", count.increment(store.branchId(), 1));
      Receipt done = receipt.toBuilder().setReceiptHash(completed.ack().getReceiptHash())
          .setCompletedAt(completed.event().getTs()).build();
      SaleRecords.putSaga(tx, saga.toBuilder().setReceipt(done).setStatus(SagaStatus.SAGA_STATUS_COMPLETED)
          .addCompletedSteps("complete").build());
      tx.putDocument(SaleRecords.RECEIPTS, done.getSaleId(), done.toByteArray());
      tx.putDocument(SaleRecords.RECEIPT_NUMBERS, done.getReceiptNumber(), done.getSaleId().getBytes(StandardCharsets.UTF_8));
      return done;
    });
  }

  /**
   * Undoes a sale whose payment failed: voids the captured tenders at the gateway first, outside any transaction (a
   * gateway call must never hold the branch's write lock; each void is idempotent by its reference, so a crash
   * before the transaction below only repeats it on recovery), then records the voids and releases the
   * reservations in one transaction.
   */
  private void compensate(SaleSagaRecord saga, SaleSecrets.Open open, int failedTender, String code,
      String message) {
    for (int i = 0; i < failedTender; i++) {
      TenderResult t = saga.getReceipt().getTenders(i);
      if (t.getMethod() != TenderMethod.TENDER_CASH) {
        payments.refund(t.getAuthorizationCode(), t.getAmountMinor(), saga.getCheckoutId() + ":void:" + i);
      }
    }
    store.transaction(tx -> {
      Receipt receipt = saga.getReceipt();
      String key = saga.getCheckoutId();
      TenderResult failed = receipt.getTenders(failedTender);
      EventFacts reason = EventFacts.newBuilder().setReason(code + ": " + message)
          .setPaymentMethod(failed.getMethod().name().replace("TENDER_", ""))
          .setReceiptNumber(receipt.getReceiptNumber()).build();
      append(tx, saga, open, "payment-" + saga.getSaleId(), EventType.PAYMENT_FAILED, failed.getAmountMinor(), reason,
          key + ":payment-failed:" + failedTender);
      append(tx, saga, open, "saga-" + saga.getSagaId(), EventType.SAGA_COMPENSATION_TRIGGERED, 0, reason,
          key + ":compensation-triggered");
      for (int i = 0; i < failedTender; i++) {
        TenderResult t = receipt.getTenders(i);
        append(tx, saga, open, "payment-" + saga.getSaleId(), EventType.PAYMENT_REFUNDED, t.getAmountMinor(),
            EventFacts.newBuilder().setPaymentMethod(t.getMethod().name().replace("TENDER_", ""))
                .setReason("voided: sale not made").build(), key + ":void:" + i);
      }
      for (ReceiptLine l : receipt.getLinesList()) {
        Catalog.adjust(tx, Catalog.reservedId(l.getProductId()), store.branchId(), -l.getQuantity());
        append(tx, saga, open, Catalog.stockStream(store.branchId(), l.getProductId()), EventType.INVENTORY_RESERVATION_CANCELLED, 0,
            lineFact(l, saga, receipt.getReceiptNumber()), key + ":release:" + l.getProductId());
      }
      append(tx, saga, open, "sale-" + saga.getSaleId(), EventType.TRANSACTION_REJECTED, receipt.getTotalMinor(), reason,
          key + ":rejected");
      append(tx, saga, open, "saga-" + saga.getSagaId(), EventType.SAGA_COMPENSATION_COMPLETED, 0, reason,
          key + ":compensation-completed");
      SaleRecords.putSaga(tx, saga.toBuilder().setStatus(SagaStatus.SAGA_STATUS_COMPENSATED).setFailureCode(code)
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
      default -> run(saga, secrets.open(saga.getSealedSecrets(), saga.getSagaId())).toBuilder().setDuplicate(true)
          .build();
    };
  }

  /** Finishes sagas a crash interrupted: each resumes from its last recorded step. */
  public int recover() {
    int resumed = 0;
    for (byte[] b : store.documents(SaleRecords.SAGAS)) {
      SaleSagaRecord saga = SaleRecords.parse(SaleSagaRecord.parser(), b);
      if (saga.getStatus() == SagaStatus.SAGA_STATUS_RUNNING) {
        try {
          checkouts.with(saga.getCheckoutId(), () -> SaleRecords.sagaOfCheckout(store, saga.getCheckoutId())
              .filter(s -> s.getStatus() == SagaStatus.SAGA_STATUS_RUNNING)
              .map(s -> run(s, secrets.open(s.getSealedSecrets(), s.getSagaId()))).orElse(null));
        } catch (SaleFailure e) {
          log.info("recovered sale {} ended compensated: {}", saga.getSaleId(), e.getMessage());
        }
        resumed++;
      }
    }
    return resumed;
  }

  // --- receipts -------------------------------------------------------------------------------------------------

  public Receipt receipt(String saleId, String receiptNumber) {
    String id = saleId;
    if (id.isEmpty()) {
      id = SaleRecords.saleOfReceiptNumber(store, receiptNumber).orElseThrow(() -> new SaleFailure(
          SaleFailure.Kind.NOT_FOUND, "receipt_number", "no sale with receipt number " + receiptNumber));
    }
    if (id.isEmpty()) {
      throw new SaleFailure(SaleFailure.Kind.INVALID, "sale_id", "give sale_id or receipt_number");
    }
    String sid = id;
    return SaleRecords.receipt(store, id).orElseThrow(() -> new SaleFailure(SaleFailure.Kind.NOT_FOUND, "sale_id",
        "no completed sale " + sid));
  }

  // --- helpers --------------------------------------------------------------------------------------------------

  private AppendOutcome append(LocalTx tx, SaleSagaRecord saga, SaleSecrets.Open open, String stream,
      EventType type, long amount, EventFacts facts, String naturalKey) {
    return SaleRecords.append(tx, store.currency(), saga, stream, type, amount, facts, naturalKey,
        open.eventPayload());
  }

  /** The public facts of the sale's lines; the customer appears only as the pseudonym the saga keeps. */
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
    return r.getTendersCount() > 1 ? "SPLIT" : SaleRecords.method(r.getTenders(0).getMethod());
  }

  private String nextReceiptNumber(LocalTx tx) {
    long n = tx.document("counters", "receipt").map(b -> Long.parseLong(new String(b, StandardCharsets.UTF_8)))
        .orElse(0L) + 1;
    tx.putDocument("counters", "receipt", Long.toString(n).getBytes(StandardCharsets.UTF_8));
    return store.branchId().toUpperCase().replaceAll("[^A-Z0-9]", "") + "-" + String.format("%06d", n);
  }
}
