package com.cps.dcs.localagent.sale;

import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.localagent.catalog.Catalog;
import com.cps.dcs.localagent.payment.PaymentPort;
import com.cps.dcs.localagent.store.AppendOutcome;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.store.LocalTx;
import com.cps.dcs.localagent.till.TillService;
import com.cps.dcs.proto.pos.v1.PendingRefund;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.ReceiptLine;
import com.cps.dcs.proto.pos.v1.RefundReceipt;
import com.cps.dcs.proto.pos.v1.RefundRequest;
import com.cps.dcs.proto.pos.v1.Role;
import com.cps.dcs.proto.pos.v1.SaleSagaRecord;
import com.cps.dcs.proto.pos.v1.SignInSession;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.pos.v1.TenderResult;
import com.cps.dcs.proto.pos.v1.TillSession;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refunds ({@code REFUND_PROCESSING}), whole or by line, idempotent on the refund id. The refunds of one sale are
 * serialized (one lock per sale), and what is still refundable is decided inside the transaction that reserves it
 * on the sale, with the asked lines merged by product first: however many refunds race, together they never return
 * more than was sold. A card refund is recorded as pending in that same transaction, before the gateway is called
 * with the refund id as its reference (the gateway is idempotent per reference); a crash then leaves a pending
 * refund that the next start retries with the same reference, so a card is never refunded twice.
 */
public final class RefundService {
  private static final Logger log = LoggerFactory.getLogger(RefundService.class);

  private final LocalStore store;
  private final TillService tills;
  private final PaymentPort payments;
  private final KeyedLocks sales = new KeyedLocks();

  public RefundService(LocalStore store, TillService tills, PaymentPort payments) {
    this.store = store;
    this.tills = tills;
    this.payments = payments;
  }

  /** Bounds are checked at the edge ({@code PosInputs}). */
  public RefundReceipt refund(SignInSession cashier, RefundRequest r) {
    Optional<RefundReceipt> done = SaleRecords.refund(store, r.getRefundId());
    if (done.isPresent()) {
      return done.get().toBuilder().setDuplicate(true).build();
    }
    Receipt sale = sale(r);
    RefundPlan.of(sale, r.getLinesList()); // an early answer, before the PIN; decided again inside the transaction
    TillSession till = tills.openTill(store, cashier.getCashierId()).orElseThrow(() -> new SaleFailure(
        SaleFailure.Kind.PRECONDITION, "till", "open a till before refunding"));
    String approvedBy = cashier.getRole() == Role.ROLE_MANAGER ? cashier.getCashierId() : "";
    if (approvedBy.isEmpty()) {
      if (!r.hasApproval()) {
        throw new SaleFailure(SaleFailure.Kind.APPROVAL_REQUIRED, "approval", "a refund needs a manager's approval");
      }
      // last: a wrong and a right PIN on a bad request answer alike, so the PIN is no oracle
      approvedBy = tills.approveAsManager(r.getApproval().getManagerId(), r.getApproval().getPin(),
          till.getTillId());
    }
    String approver = approvedBy;
    return sales.with(sale.getSaleId(), () -> {
      Reservation res = store.transaction(tx -> reserve(tx, r, sale.getSaleId(), cashier, till, approver));
      return res.done() != null ? res.done().toBuilder().setDuplicate(true).build() : settle(res.pending());
    });
  }

  /** Settles refunds a crash left pending: the card refund is asked again with the same reference. */
  public int recover() {
    int settled = 0;
    for (byte[] b : store.documents(SaleRecords.PENDING_REFUNDS)) {
      if (b.length == 0) {
        continue;
      }
      PendingRefund p = SaleRecords.parse(PendingRefund.parser(), b);
      try {
        sales.with(p.getSaleId(), () -> SaleRecords.pendingRefund(store, p.getRefundId()).map(this::settle)
            .orElse(null));
        settled++;
      } catch (SaleFailure e) {
        log.warn("pending refund {} of sale {} is still open: {}", p.getRefundId(), p.getSaleId(), e.getMessage());
      }
    }
    return settled;
  }

  private Receipt sale(RefundRequest r) {
    String id = r.getSaleId();
    if (id.isEmpty()) {
      id = SaleRecords.saleOfReceiptNumber(store, r.getReceiptNumber()).orElseThrow(() -> new SaleFailure(
          SaleFailure.Kind.NOT_FOUND, "receipt_number", "no sale with receipt number " + r.getReceiptNumber()));
    }
    String sid = id;
    return SaleRecords.receipt(store, id).orElseThrow(() -> new SaleFailure(SaleFailure.Kind.NOT_FOUND, "sale_id",
        "no completed sale " + sid));
  }

  private record Reservation(RefundReceipt done, PendingRefund pending) {}

  /**
   * One transaction: the refund id is looked up again, what is still refundable is checked on the sale as stored now,
   * the quantities are reserved on the sale and the refund recorded as pending. Nothing is written on refusal.
   */
  private Reservation reserve(LocalTx tx, RefundRequest r, String saleId, SignInSession cashier, TillSession till,
      String approvedBy) {
    Optional<RefundReceipt> done = SaleRecords.refund(tx, r.getRefundId());
    if (done.isPresent()) {
      return new Reservation(done.get(), null);
    }
    Optional<PendingRefund> pending = SaleRecords.pendingRefund(tx, r.getRefundId());
    if (pending.isPresent()) {
      return new Reservation(null, pending.get());
    }
    Receipt sale = SaleRecords.receipt(tx, saleId).orElseThrow();
    RefundPlan plan = RefundPlan.of(sale, r.getLinesList());
    TenderResult original = sale.getTenders(0);
    PendingRefund p = PendingRefund.newBuilder().setRefundId(r.getRefundId()).setSaleId(saleId)
        .setDraft(RefundReceipt.newBuilder().setRefundId(r.getRefundId()).setSaleId(saleId)
            .addAllLines(plan.lines()).setRefundedMinor(plan.totalMinor()).setMethod(original.getMethod())
            .setFullRefund(plan.full()))
        .setTaxMinor(plan.taxMinor()).setTillSessionId(till.getTillSessionId()).setCashierId(cashier.getCashierId())
        .setApprovedBy(approvedBy).setReason(r.getReason().isBlank() ? "refund" : r.getReason())
        .setAuthorizationCode(original.getAuthorizationCode()).build();
    tx.putDocument(SaleRecords.RECEIPTS, saleId, plan.updated().toByteArray());
    tx.putDocument(SaleRecords.PENDING_REFUNDS, p.getRefundId(), p.toByteArray());
    return new Reservation(null, p);
  }

  /** Pays a pending refund back (card: the gateway, by the refund id) and records it; called under the sale's lock. */
  private RefundReceipt settle(PendingRefund p) {
    RefundReceipt draft = p.getDraft();
    if (draft.getMethod() != TenderMethod.TENDER_CASH) {
      PaymentPort.Result res = payments.refund(p.getAuthorizationCode(), draft.getRefundedMinor(), p.getRefundId());
      if (res instanceof PaymentPort.Result.Declined d) {
        store.transaction(tx -> release(tx, p));
        throw new SaleFailure(SaleFailure.Kind.PRECONDITION, "refund", "the card refund was declined: "
            + d.message());
      }
      if (res instanceof PaymentPort.Result.Unavailable) {
        throw new SaleFailure(SaleFailure.Kind.UNAVAILABLE, "refund", "the card gateway did not answer; the refund"
            + " stays pending and is retried with the same refund id");
      }
    }
    return store.transaction(tx -> record(tx, p));
  }

  /** A declined refund gives its reserved quantities back to the sale. */
  private Void release(LocalTx tx, PendingRefund p) {
    Receipt sale = SaleRecords.receipt(tx, p.getSaleId()).orElseThrow();
    Receipt.Builder b = sale.toBuilder();
    for (ReceiptLine r : p.getDraft().getLinesList()) {
      long give = r.getQuantity();
      for (int i = 0; i < b.getLinesCount() && give > 0; i++) {
        ReceiptLine l = b.getLines(i);
        long back = l.getProductId().equals(r.getProductId()) ? Math.min(give, l.getRefundedQuantity()) : 0;
        if (back > 0) {
          b.setLines(i, l.toBuilder().setRefundedQuantity(l.getRefundedQuantity() - back));
          give -= back;
        }
      }
    }
    tx.putDocument(SaleRecords.RECEIPTS, p.getSaleId(), b.build().toByteArray());
    tx.putDocument(SaleRecords.PENDING_REFUNDS, p.getRefundId(), new byte[0]);
    return null;
  }

  private RefundReceipt record(LocalTx tx, PendingRefund p) {
    Optional<RefundReceipt> done = SaleRecords.refund(tx, p.getRefundId());
    if (done.isPresent()) {
      return done.get();
    }
    RefundReceipt draft = p.getDraft();
    Receipt sale = SaleRecords.receipt(tx, p.getSaleId()).orElseThrow();
    String key = p.getRefundId();
    long total = draft.getRefundedMinor();
    SaleSagaRecord saga = SaleSagaRecord.newBuilder().setSagaId(UuidV7.next().toString()).setSaleId(p.getSaleId())
        .setCashierId(p.getCashierId()).setApprovedBy(p.getApprovedBy()).build();
    EventFacts.Builder facts = EventFacts.newBuilder().setReceiptNumber(sale.getReceiptNumber())
        .setSessionId(p.getTillSessionId()).setReason(p.getReason())
        .setPaymentMethod(SaleRecords.method(draft.getMethod()));
    for (ReceiptLine l : draft.getLinesList()) {
      facts.addLines(EventFacts.Line.newBuilder().setProductId(l.getProductId()).setCategory(l.getCategory())
          .setQuantity(l.getQuantity()).setUnitPriceMinor(l.getUnitPriceMinor()).setLineTotalMinor(
              l.getLineTotalMinor()).setTaxMinor(l.getTaxMinor()));
    }
    byte[] sealed = ("refund=" + key).getBytes(StandardCharsets.UTF_8);
    String sagaStream = "saga-" + saga.getSagaId();
    append(tx, saga, sagaStream, EventType.SAGA_INITIATED, 0, facts.build(), key + ":refund-initiated", sealed);
    append(tx, saga, "payment-" + p.getSaleId(), EventType.PAYMENT_REFUNDED, total, facts.build(),
        key + ":refund-payment", sealed);
    for (ReceiptLine l : draft.getLinesList()) {
      Catalog.adjust(tx, Catalog.stockId(l.getProductId()), store.branchId(), l.getQuantity());
      append(tx, saga, Catalog.stockStream(store.branchId(), l.getProductId()), EventType.INVENTORY_ADJUSTMENT, 0,
          EventFacts.newBuilder().addLines(EventFacts.Line.newBuilder().setProductId(l.getProductId())
              .setCategory(l.getCategory()).setQuantity(l.getQuantity())).setReason("refund")
              .setReceiptNumber(sale.getReceiptNumber()).build(), key + ":return:" + l.getProductId(), sealed);
    }
    AppendOutcome refunded = append(tx, saga, "sale-" + p.getSaleId(),
        draft.getFullRefund() ? EventType.SALE_REVERSED : EventType.SALE_PARTIALLY_REFUNDED, total, facts.build(),
        key + ":sale-refunded", sealed);
    append(tx, saga, "ledger-" + store.branchId(), EventType.LEDGER_REVERSAL_POSTED, total,
        EventFacts.newBuilder().setReceiptNumber(sale.getReceiptNumber())
            .addPostings(Accounts.debit(Accounts.SALES_RETURNS, total - p.getTaxMinor()))
            .addPostings(Accounts.debit(Accounts.SALES_TAX_PAYABLE, p.getTaxMinor()))
            .addPostings(Accounts.credit(Accounts.forTender(draft.getMethod()), total)).build(),
        key + ":ledger-reversal", sealed);
    append(tx, saga, sagaStream, EventType.SAGA_STEP_COMPLETED, 0, EventFacts.newBuilder()
        .setReason("REFUND_PROCESSING completed").build(), key + ":refund-completed", sealed);
    if (draft.getMethod() == TenderMethod.TENDER_CASH) {
      tills.recordCash(tx, p.getTillSessionId(), 0, total, 0);
    }
    RefundReceipt receipt = draft.toBuilder().setReceiptHash(refunded.ack().getReceiptHash())
        .setCompletedAt(refunded.event().getTs()).build();
    tx.putDocument(SaleRecords.REFUNDS, p.getRefundId(), receipt.toByteArray());
    tx.putDocument(SaleRecords.PENDING_REFUNDS, p.getRefundId(), new byte[0]);
    return receipt;
  }

  private AppendOutcome append(LocalTx tx, SaleSagaRecord saga, String stream, EventType type, long amount,
      EventFacts facts, String naturalKey, byte[] sealed) {
    return SaleRecords.append(tx, store.currency(), saga, stream, type, amount, facts, naturalKey, sealed);
  }
}
