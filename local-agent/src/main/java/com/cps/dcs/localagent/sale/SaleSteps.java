package com.cps.dcs.localagent.sale;

import com.cps.dcs.kernel.crdt.GCounter;
import com.cps.dcs.kernel.saga.PermanentFailure;
import com.cps.dcs.kernel.saga.SagaRecord;
import com.cps.dcs.kernel.saga.StepAttempt;
import com.cps.dcs.kernel.validation.ExactSums;
import com.cps.dcs.localagent.catalog.Catalog;
import com.cps.dcs.localagent.payment.PaymentPort;
import com.cps.dcs.localagent.saga.SagaEventLog;
import com.cps.dcs.localagent.saga.StepEffects;
import com.cps.dcs.localagent.store.AppendOutcome;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.store.LocalTx;
import com.cps.dcs.localagent.store.StateView;
import com.cps.dcs.localagent.till.TillService;
import com.cps.dcs.proto.pos.v1.Product;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.ReceiptLine;
import com.cps.dcs.proto.pos.v1.SaleSagaRecord;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.pos.v1.TenderResult;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code STANDARD_SALE} steps at the branch. Each step's local effects (events, CRDT changes, documents) commit
 * in one SQLite transaction together with the step's {@link StepEffects} result, so a step run again returns what
 * it did; gateway calls happen outside any transaction (a gateway call must never hold the branch's write lock)
 * and are idempotent by their reference ({@code checkout id:tender}, {@code checkout id:void:tender}). Every
 * event's natural key derives from the checkout id and the step, as before the saga engine ran sales.
 */
final class SaleSteps implements StandardSale.Participants {
  private final LocalStore store;
  private final TillService tills;
  private final PaymentPort payments;
  private final SaleSecrets secrets;

  SaleSteps(LocalStore store, TillService tills, PaymentPort payments, SaleSecrets secrets) {
    this.store = store;
    this.tills = tills;
    this.payments = payments;
    this.secrets = secrets;
  }

  // --- reserve --------------------------------------------------------------------------------------------------

  /** The sale begins and its stock is reserved, or nothing is written (not enough stock: refused, noted). */
  @Override
  public SaleSagaRecord reserve(SaleSagaRecord sale, StepAttempt a) {
    SaleSecrets.Open open = open(sale);
    try {
      return decode(StepEffects.once(store, a, tx -> {
        Receipt.Builder receipt = sale.getReceipt().toBuilder().setReceiptNumber(nextReceiptNumber(tx));
        SaleSagaRecord next = sale.toBuilder().setReceipt(receipt).build();
        String key = sale.getCheckoutId();
        requireStock(tx, receipt.getLinesList());
        append(tx, next, open, "sale-" + sale.getSaleId(), EventType.SALE_INITIATED, receipt.getTotalMinor(),
            lineFacts(receipt.build(), next), key + ":sale-initiated");
        for (ReceiptLine l : receipt.getLinesList()) {
          Catalog.adjust(tx, Catalog.reservedId(l.getProductId()), store.branchId(), l.getQuantity());
          append(tx, next, open, Catalog.stockStream(store.branchId(), l.getProductId()),
              EventType.INVENTORY_RESERVED, 0, lineFact(l, next), key + ":reserve:" + l.getProductId());
        }
        return next.toByteArray();
      }));
    } catch (SaleFailure refused) {
      StepRefusal.note(store, a.sagaId(), StepRefusal.refused(a.step(), refused));
      throw new PermanentFailure(refused.getMessage());
    }
  }

  /**
   * Throws when a line asks more than is available, counting the lines before it (a product may be listed twice).
   */
  static void requireStock(StateView v, List<ReceiptLine> lines) {
    Map<String, Long> asked = new HashMap<>();
    for (ReceiptLine l : lines) {
      Product p = Catalog.product(v, l.getProductId()).orElseThrow(() -> new SaleFailure(SaleFailure.Kind.NOT_FOUND,
          "lines", "unknown product " + l.getProductId()));
      long available = p.getStockAvailable() - asked.getOrDefault(l.getProductId(), 0L);
      if (available < l.getQuantity()) {
        throw new SaleFailure(SaleFailure.Kind.PRECONDITION, "lines", "not enough " + p.getName() + " in stock: "
            + available + " available, " + l.getQuantity() + " asked");
      }
      asked.merge(l.getProductId(), l.getQuantity(), Long::sum);
    }
  }

  /** Releases the reservations and rejects the sale, when it began. */
  @Override
  public void release(SaleSagaRecord sale, StepAttempt a) {
    SaleSecrets.Open open = open(sale);
    StepEffects.undoOnce(store, a, (tx, reserved) -> reserved.map(this::decode).ifPresent(begun -> {
      Receipt receipt = begun.getReceipt();
      String key = begun.getCheckoutId();
      for (ReceiptLine l : receipt.getLinesList()) {
        Catalog.adjust(tx, Catalog.reservedId(l.getProductId()), store.branchId(), -l.getQuantity());
        append(tx, begun, open, Catalog.stockStream(store.branchId(), l.getProductId()),
            EventType.INVENTORY_RESERVATION_CANCELLED, 0, lineFact(l, begun), key + ":release:" + l.getProductId());
      }
      append(tx, begun, open, "sale-" + begun.getSaleId(), EventType.TRANSACTION_REJECTED, receipt.getTotalMinor(),
          failureFacts(tx, begun), key + ":rejected");
    }));
  }

  // --- pay ------------------------------------------------------------------------------------------------------

  /**
   * Authorizes and captures tender {@code i} (cash needs neither) and records it. A decline is noted and final; a
   * gateway that does not answer is noted and the step retried.
   */
  @Override
  public SaleSagaRecord pay(SaleSagaRecord sale, int i, StepAttempt a) {
    Optional<byte[]> paid = StepEffects.result(store, a.sagaId(), a.step());
    if (paid.isPresent()) {
      return decode(paid.get());
    }
    SaleSecrets.Open open = open(sale);
    Receipt receipt = sale.getReceipt();
    TenderResult t = receipt.getTenders(i);
    String reference = sale.getCheckoutId() + ":" + i;
    boolean cash = t.getMethod() == TenderMethod.TENDER_CASH;
    PaymentPort.Result authorized = cash ? new PaymentPort.Result.Approved("CASH")
        : payments.authorize(t.getMethod(), open.token(i), t.getAmountMinor(), receipt.getCurrency(), reference);
    PaymentPort.Result result = authorized;
    if (authorized instanceof PaymentPort.Result.Approved auth && !cash) {
      result = payments.capture(auth.authorizationCode(), t.getAmountMinor(), reference);
    }
    if (result instanceof PaymentPort.Result.Approved && authorized instanceof PaymentPort.Result.Approved approved) {
      try {
        return decode(StepEffects.once(store, a, tx -> recordPayment(tx, sale, open, i, approved)));
      } catch (PermanentFailure compensatedMeanwhile) {
        if (!cash) {
          payments.refund(approved.authorizationCode(), t.getAmountMinor(), sale.getCheckoutId() + ":void:" + i);
        }
        throw compensatedMeanwhile;
      }
    }
    String field = "tenders[" + i + "]";
    if (result instanceof PaymentPort.Result.Declined d) {
      StepRefusal.note(store, a.sagaId(), new StepRefusal(a.step(), SaleFailure.Kind.PRECONDITION, field, d.code(),
          d.message()));
      throw new PermanentFailure(d.message());
    }
    String message = ((PaymentPort.Result.Unavailable) result).message();
    StepRefusal.note(store, a.sagaId(), new StepRefusal(a.step(), SaleFailure.Kind.UNAVAILABLE, field,
        "GATEWAY_UNAVAILABLE", message));
    throw new IllegalStateException(message);
  }

  private byte[] recordPayment(LocalTx tx, SaleSagaRecord sale, SaleSecrets.Open open, int i,
      PaymentPort.Result.Approved approved) {
    TenderResult t = sale.getReceipt().getTenders(i);
    EventFacts facts = EventFacts.newBuilder().setPaymentMethod(SaleRecords.method(t.getMethod()))
        .setSessionId(sale.getTillSessionId()).setReceiptNumber(sale.getReceipt().getReceiptNumber()).build();
    String stream = "payment-" + sale.getSaleId();
    append(tx, sale, open, stream, EventType.PAYMENT_AUTHORIZED, t.getAmountMinor(), facts,
        sale.getCheckoutId() + ":authorize:" + i);
    append(tx, sale, open, stream, EventType.PAYMENT_CAPTURED, t.getAmountMinor(), facts,
        sale.getCheckoutId() + ":capture:" + i);
    Receipt receipt = sale.getReceipt().toBuilder().setTenders(i, t.toBuilder()
        .setAuthorizationCode(approved.authorizationCode())).build();
    return sale.toBuilder().setReceipt(receipt).build().toByteArray();
  }

  /**
   * Voids tender {@code i} when its payment was recorded (at the gateway first, outside any transaction, then the
   * void's event), or records it as failed when it was refused.
   */
  @Override
  public void voidPayment(SaleSagaRecord sale, int i, StepAttempt a) {
    if (StepEffects.compensated(store, a.sagaId(), a.step())) {
      return;
    }
    Optional<SaleSagaRecord> paid = StepEffects.result(store, a.sagaId(), a.step()).map(this::decode);
    TenderResult t = paid.orElse(sale).getReceipt().getTenders(i);
    String reference = sale.getCheckoutId() + ":void:" + i;
    if (paid.isPresent() && t.getMethod() != TenderMethod.TENDER_CASH) {
      PaymentPort.Result voided = payments.refund(t.getAuthorizationCode(), t.getAmountMinor(), reference);
      if (!(voided instanceof PaymentPort.Result.Approved)) {
        throw new IllegalStateException("the gateway did not void tender " + i + ": " + voided);
      }
    }
    SaleSecrets.Open open = open(sale);
    StepEffects.undoOnce(store, a, (tx, recorded) -> {
      if (recorded.isPresent() != paid.isPresent()) {
        throw new IllegalStateException("tender " + i + " was recorded meanwhile: voided on the next attempt");
      }
      String method = SaleRecords.method(t.getMethod());
      if (paid.isPresent()) {
        append(tx, sale, open, "payment-" + sale.getSaleId(), EventType.PAYMENT_REFUNDED, t.getAmountMinor(),
            EventFacts.newBuilder().setPaymentMethod(method).setReason("voided: sale not made").build(), reference);
        return;
      }
      Optional<StepRefusal> refused = store.sagas().find(a.sagaId()).flatMap(saga -> StepRefusal.of(tx, saga))
          .filter(r -> r.step().equals(a.step()));
      refused.ifPresent(r -> append(tx, sale, open, "payment-" + sale.getSaleId(), EventType.PAYMENT_FAILED,
          t.getAmountMinor(), EventFacts.newBuilder().setReason(SagaEventLog.reason(r.reason()))
              .setPaymentMethod(method).setReceiptNumber(sale.getReceipt().getReceiptNumber()).build(),
          sale.getCheckoutId() + ":payment-failed:" + i));
    });
  }

  // --- complete -------------------------------------------------------------------------------------------------

  /** Stock sold, sale completed, ledger posted, till and counters updated, the receipt kept: one transaction. */
  @Override
  public SaleSagaRecord complete(SaleSagaRecord sale, StepAttempt a) {
    SaleSecrets.Open open = open(sale);
    return decode(StepEffects.once(store, a, tx -> {
      Receipt receipt = sale.getReceipt();
      String key = sale.getCheckoutId();
      for (ReceiptLine l : receipt.getLinesList()) {
        Catalog.adjust(tx, Catalog.reservedId(l.getProductId()), store.branchId(), -l.getQuantity());
        Catalog.adjust(tx, Catalog.stockId(l.getProductId()), store.branchId(), -l.getQuantity());
        String stream = Catalog.stockStream(store.branchId(), l.getProductId());
        append(tx, sale, open, stream, EventType.INVENTORY_SOLD, 0, lineFact(l, sale), key + ":sold:"
            + l.getProductId());
        Product p = Catalog.product(tx, l.getProductId()).orElseThrow();
        if (p.getStockOnHand() <= 0 || p.getStockOnHand() <= p.getReorderPoint()) {
          EventType alert = p.getStockOnHand() <= 0 ? EventType.STOCKOUT_DETECTED : EventType.LOW_STOCK_ALERT;
          append(tx, sale, open, stream, alert, 0, EventFacts.newBuilder()
              .addLines(EventFacts.Line.newBuilder().setProductId(p.getProductId()).setCategory(p.getCategory()))
              .setQuantityOnHand(p.getStockOnHand()).setReorderPoint(p.getReorderPoint()).build(),
              key + ":alert:" + l.getProductId());
        }
      }
      EventFacts.Builder facts = lineFacts(receipt, sale).toBuilder().setPaymentMethod(paymentMethod(receipt));
      AppendOutcome completed = append(tx, sale, open, "sale-" + sale.getSaleId(), EventType.SALE_COMPLETED,
          receipt.getTotalMinor(), facts.build(), key + ":sale-completed");
      EventFacts.Builder ledger = EventFacts.newBuilder().setReceiptNumber(receipt.getReceiptNumber())
          .setSessionId(sale.getTillSessionId());
      for (TenderResult t : receipt.getTendersList()) {
        ledger.addPostings(Accounts.debit(Accounts.forTender(t.getMethod()), t.getAmountMinor()));
      }
      ledger.addPostings(Accounts.credit(Accounts.SALES_REVENUE, receipt.getTotalMinor() - receipt.getTaxMinor()));
      ledger.addPostings(Accounts.credit(Accounts.SALES_TAX_PAYABLE, receipt.getTaxMinor()));
      append(tx, sale, open, "ledger-" + store.branchId(), EventType.LEDGER_ENTRY_POSTED, receipt.getTotalMinor(),
          ledger.build(), key + ":ledger");
      long cash = ExactSums.sum("tenders", receipt.getTendersList().stream()
          .filter(t -> t.getMethod() == TenderMethod.TENDER_CASH).mapToLong(TenderResult::getAmountMinor).toArray());
      tills.recordCash(tx, sale.getTillSessionId(), cash, 0, 1);
      GCounter count = tx.crdt("tx-count").map(c -> (GCounter) c).orElse(GCounter.empty());
      tx.putCrdt("tx-count", count.increment(store.branchId(), 1));
      Receipt done = receipt.toBuilder().setReceiptHash(completed.ack().getReceiptHash())
          .setCompletedAt(completed.event().getTs()).build();
      tx.putDocument(SaleRecords.RECEIPTS, done.getSaleId(), done.toByteArray());
      tx.putDocument(SaleRecords.RECEIPT_NUMBERS, done.getReceiptNumber(),
          done.getSaleId().getBytes(StandardCharsets.UTF_8));
      return sale.toBuilder().setReceipt(done).build().toByteArray();
    }));
  }

  @Override
  public void undoComplete(SaleSagaRecord sale, StepAttempt a) {
    StepEffects.undoOnce(store, a, (tx, completed) -> {
      if (completed.isPresent()) {
        throw new IllegalStateException("sale " + sale.getSaleId() + " was completed: it is refunded, never undone");
      }
    });
  }

  // --- helpers --------------------------------------------------------------------------------------------------

  private SaleSecrets.Open open(SaleSagaRecord sale) {
    return secrets.open(sale.getSealedSecrets(), sale.getSagaId());
  }

  private SaleSagaRecord decode(byte[] b) {
    return StandardSale.CODEC.decode(b);
  }

  private AppendOutcome append(LocalTx tx, SaleSagaRecord sale, SaleSecrets.Open open, String stream,
      EventType type, long amount, EventFacts facts, String naturalKey) {
    return SaleRecords.append(tx, store.currency(), sale, stream, type, amount, facts, naturalKey,
        open.eventPayload());
  }

  /** Why the sale was rejected: the refusal a step noted, else the saga's own failure. */
  private EventFacts failureFacts(LocalTx tx, SaleSagaRecord sale) {
    Optional<SagaRecord> saga = store.sagas().find(sale.getSagaId());
    Optional<StepRefusal> refusal = saga.flatMap(r -> StepRefusal.of(tx, r));
    String reason = refusal.map(StepRefusal::reason)
        .orElseGet(() -> "NOT_COMPLETED: " + saga.map(SagaRecord::failure).orElse(""));
    EventFacts.Builder f = EventFacts.newBuilder().setReason(SagaEventLog.reason(reason))
        .setReceiptNumber(sale.getReceipt().getReceiptNumber());
    refusal.filter(r -> r.step().startsWith("pay-")).ifPresent(r -> f.setPaymentMethod(SaleRecords.method(sale
        .getReceipt().getTenders(Integer.parseInt(r.step().substring(4))).getMethod())));
    return f.build();
  }

  /** The public facts of the sale's lines; the customer appears only as the pseudonym the sale keeps. */
  private static EventFacts lineFacts(Receipt receipt, SaleSagaRecord sale) {
    EventFacts.Builder f = EventFacts.newBuilder().setReceiptNumber(receipt.getReceiptNumber())
        .setSessionId(sale.getTillSessionId()).setCustomerRef(sale.getRequest().getCustomerRef());
    for (ReceiptLine l : receipt.getLinesList()) {
      f.addLines(EventFacts.Line.newBuilder().setProductId(l.getProductId()).setCategory(l.getCategory())
          .setQuantity(l.getQuantity()).setUnitPriceMinor(l.getUnitPriceMinor()).setLineTotalMinor(
              l.getLineTotalMinor()).setTaxMinor(l.getTaxMinor()).setDiscountMinor(l.getDiscountMinor()));
    }
    return f.build();
  }

  private static EventFacts lineFact(ReceiptLine l, SaleSagaRecord sale) {
    return EventFacts.newBuilder().addLines(EventFacts.Line.newBuilder().setProductId(l.getProductId())
        .setCategory(l.getCategory()).setQuantity(l.getQuantity()))
        .setReceiptNumber(sale.getReceipt().getReceiptNumber()).setSessionId(sale.getTillSessionId()).build();
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
