package com.cps.dcs.localagent.sale;

import com.cps.dcs.kernel.saga.InDoubt;
import com.cps.dcs.kernel.saga.PermanentFailure;
import com.cps.dcs.kernel.saga.StepAttempt;
import com.cps.dcs.localagent.catalog.Catalog;
import com.cps.dcs.localagent.payment.PaymentPort;
import com.cps.dcs.localagent.saga.StepEffects;
import com.cps.dcs.localagent.store.AppendOutcome;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.store.LocalTx;
import com.cps.dcs.localagent.till.TillService;
import com.cps.dcs.proto.pos.v1.PendingRefund;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.ReceiptLine;
import com.cps.dcs.proto.pos.v1.RefundReceipt;
import com.cps.dcs.proto.pos.v1.SaleSagaRecord;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.pos.v1.TenderResult;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import java.nio.charset.StandardCharsets;

/**
 * The {@code REFUND_PROCESSING} steps at the branch. What is still refundable is decided inside the transaction
 * that reserves it on the sale, so however many refunds of one sale race, together they never return more than was
 * sold; a card refund is asked of the gateway with the refund id as its reference (idempotent there), after the
 * reservation is persisted and outside any transaction; the refund is posted in one transaction. Each step's local
 * effects commit with its {@link StepEffects} result, so a step run again does nothing twice.
 */
final class RefundSteps implements RefundProcessing.Participants {
  static final String UNANSWERED = "the card gateway did not answer; the refund stays pending and is retried with"
      + " the same refund id";

  private final LocalStore store;
  private final TillService tills;
  private final PaymentPort payments;

  RefundSteps(LocalStore store, TillService tills, PaymentPort payments) {
    this.store = store;
    this.tills = tills;
    this.payments = payments;
  }

  /** Plans the refund on the sale as stored and reserves its quantities there, or refuses (noted). */
  @Override
  public RefundProcessing.Context reserve(RefundProcessing.Context c, StepAttempt a) {
    try {
      return decode(StepEffects.once(store, a, tx -> {
        String saleId = c.refund().getSaleId();
        Receipt sale = SaleRecords.receipt(tx, saleId).orElseThrow(() -> new SaleFailure(SaleFailure.Kind.NOT_FOUND,
            "sale_id", "no completed sale " + saleId));
        RefundPlan plan = RefundPlan.of(sale, c.asked().getLinesList());
        TenderResult original = sale.getTenders(0);
        PendingRefund reserved = c.refund().toBuilder()
            .setDraft(RefundReceipt.newBuilder().setRefundId(c.refund().getRefundId()).setSaleId(saleId)
                .addAllLines(plan.lines()).setRefundedMinor(plan.totalMinor()).setMethod(original.getMethod())
                .setFullRefund(plan.full()))
            .setTaxMinor(plan.taxMinor()).setAuthorizationCode(original.getAuthorizationCode()).build();
        tx.putDocument(SaleRecords.RECEIPTS, saleId, plan.updated().toByteArray());
        return RefundProcessing.CODEC.encode(new RefundProcessing.Context(c.asked(), reserved));
      }));
    } catch (SaleFailure refused) {
      StepRefusal.note(store, a.sagaId(), StepRefusal.refused(a.step(), refused));
      throw new PermanentFailure(refused.getMessage());
    }
  }

  /** Gives the reserved quantities back to the sale, when they were reserved. */
  @Override
  public void release(RefundProcessing.Context c, StepAttempt a) {
    StepEffects.undoOnce(store, a, (tx, reserved) -> reserved.map(this::decode).ifPresent(r -> {
      PendingRefund p = r.refund();
      Receipt.Builder b = SaleRecords.receipt(tx, p.getSaleId()).orElseThrow().toBuilder();
      for (ReceiptLine back : p.getDraft().getLinesList()) {
        long give = back.getQuantity();
        for (int i = 0; i < b.getLinesCount() && give > 0; i++) {
          ReceiptLine l = b.getLines(i);
          long n = l.getProductId().equals(back.getProductId()) ? Math.min(give, l.getRefundedQuantity()) : 0;
          if (n > 0) {
            b.setLines(i, l.toBuilder().setRefundedQuantity(l.getRefundedQuantity() - n));
            give -= n;
          }
        }
      }
      tx.putDocument(SaleRecords.RECEIPTS, p.getSaleId(), b.build().toByteArray());
    }));
  }

  /**
   * A card refund at the gateway, by the refund id; cash is handed over with the receipt. Declined: final, noted.
   * No answer: in doubt (noted), as the refund may have gone through.
   */
  @Override
  public RefundProcessing.Context payBack(RefundProcessing.Context c, StepAttempt a) {
    PendingRefund p = c.refund();
    if (p.getDraft().getMethod() == TenderMethod.TENDER_CASH) {
      return c;
    }
    PaymentPort.Result res = payments.refund(p.getAuthorizationCode(), p.getDraft().getRefundedMinor(),
        p.getRefundId());
    if (res instanceof PaymentPort.Result.Declined d) {
      StepRefusal.note(store, a.sagaId(), new StepRefusal(a.step(), SaleFailure.Kind.PRECONDITION, "refund",
          d.code(), "the card refund was declined: " + d.message()));
      throw new PermanentFailure(d.message());
    }
    if (res instanceof PaymentPort.Result.Unavailable u) {
      StepRefusal.note(store, a.sagaId(), new StepRefusal(a.step(), SaleFailure.Kind.UNAVAILABLE, "refund",
          "GATEWAY_UNAVAILABLE", UNANSWERED));
      throw new InDoubt(u.message());
    }
    return decode(StepEffects.once(store, a, tx -> RefundProcessing.CODEC.encode(c)));
  }

  /** Cash, or a card refund the gateway declined: nothing was paid back. Anything else: an operator must look. */
  @Override
  public void undoPayBack(RefundProcessing.Context c, StepAttempt a) {
    String refundId = c.refund().getRefundId();
    StepEffects.undoOnce(store, a, (tx, paid) -> {
      if (c.refund().getDraft().getMethod() == TenderMethod.TENDER_CASH) {
        return;
      }
      if (paid.isPresent()) {
        throw new IllegalStateException("card refund " + refundId + " went through and cannot be taken back:"
            + " an operator must post it");
      }
      boolean declined = StepRefusal.of(tx, a.sagaId())
          .filter(r -> r.step().equals(a.step()) && r.kind() == SaleFailure.Kind.PRECONDITION).isPresent();
      if (!declined) {
        throw new IllegalStateException("card refund " + refundId + " may have gone through (the gateway did not"
            + " say): an operator must check it with the gateway");
      }
    });
  }

  /** The refund's events, stock back on the shelf, the till's cash, and the refund receipt: one transaction. */
  @Override
  public RefundProcessing.Context post(RefundProcessing.Context c, StepAttempt a) {
    return decode(StepEffects.once(store, a, tx -> {
      record(tx, c.refund(), a.sagaId());
      return RefundProcessing.CODEC.encode(c);
    }));
  }

  @Override
  public void undoPost(RefundProcessing.Context c, StepAttempt a) {
    StepEffects.undoOnce(store, a, (tx, posted) -> {
      if (posted.isPresent()) {
        throw new IllegalStateException("refund " + c.refund().getRefundId() + " was posted: it is never undone");
      }
    });
  }

  private void record(LocalTx tx, PendingRefund p, String sagaId) {
    RefundReceipt draft = p.getDraft();
    Receipt sale = SaleRecords.receipt(tx, p.getSaleId()).orElseThrow();
    String key = p.getRefundId();
    long total = draft.getRefundedMinor();
    SaleSagaRecord saga = SaleSagaRecord.newBuilder().setSagaId(sagaId).setSaleId(p.getSaleId())
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
    if (draft.getMethod() == TenderMethod.TENDER_CASH) {
      tills.recordCash(tx, p.getTillSessionId(), 0, total, 0);
    }
    RefundReceipt receipt = draft.toBuilder().setReceiptHash(refunded.ack().getReceiptHash())
        .setCompletedAt(refunded.event().getTs()).build();
    tx.putDocument(SaleRecords.REFUNDS, p.getRefundId(), receipt.toByteArray());
  }

  private RefundProcessing.Context decode(byte[] b) {
    return RefundProcessing.CODEC.decode(b);
  }

  private AppendOutcome append(LocalTx tx, SaleSagaRecord saga, String stream, EventType type, long amount,
      EventFacts facts, String naturalKey, byte[] sealed) {
    return SaleRecords.append(tx, store.currency(), saga, stream, type, amount, facts, naturalKey, sealed);
  }
}
