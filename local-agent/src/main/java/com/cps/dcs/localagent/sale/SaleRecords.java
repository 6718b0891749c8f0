package com.cps.dcs.localagent.sale;

import com.cps.dcs.localagent.store.AppendOutcome;
import com.cps.dcs.localagent.store.EventDraft;
import com.cps.dcs.localagent.store.LocalTx;
import com.cps.dcs.localagent.store.StateView;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.RefundReceipt;
import com.cps.dcs.proto.pos.v1.SaleSagaRecord;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** The documents sales and refunds keep, and how their events are drafted: shared by checkout and refunds. */
final class SaleRecords {
  /** Sale sagas as an earlier version kept them (carried over to the saga engine by {@link LegacySagas}). */
  static final String SAGAS = "sale-sagas";
  static final String CHECKOUTS = "checkouts";
  static final String RECEIPTS = "receipts";
  static final String RECEIPT_NUMBERS = "receipt-numbers";
  static final String REFUNDS = "refunds";
  /** Refunds an earlier version left pending (carried over to the saga engine by {@link LegacySagas}). */
  static final String PENDING_REFUNDS = "refunds-pending";
  static final String REFUND_SAGAS = "refund-sagas";

  private SaleRecords() {}

  /** Appends one event of a sale or refund saga; {@code sealed} is the plaintext its payload seals. */
  static AppendOutcome append(LocalTx tx, String currency, SaleSagaRecord saga, String stream, EventType type,
      long amount, EventFacts facts, String naturalKey, byte[] sealed) {
    EventDraft d = new EventDraft(stream, 0, type, amount, amount == 0 ? "" : currency, saga.getSaleId(),
        saga.getSagaId(), facts, sealed, saga.getCashierId(), saga.getApprovedBy(), naturalKey, List.of(),
        null, null, null, null);
    return tx.append(d);
  }

  static String method(TenderMethod m) {
    return m.name().replace("TENDER_", "");
  }

  static Optional<Receipt> receipt(StateView v, String saleId) {
    return v.document(RECEIPTS, saleId).map(b -> parse(Receipt.parser(), b));
  }

  static Optional<String> saleOfReceiptNumber(StateView v, String receiptNumber) {
    return v.document(RECEIPT_NUMBERS, receiptNumber).map(b -> new String(b, StandardCharsets.UTF_8));
  }

  /** The saga a checkout id is bound to. */
  static Optional<String> sagaIdOfCheckout(StateView v, String checkoutId) {
    return v.document(CHECKOUTS, checkoutId).map(b -> new String(b, StandardCharsets.UTF_8));
  }

  /** The saga a refund id is bound to. */
  static Optional<String> sagaIdOfRefund(StateView v, String refundId) {
    return v.document(REFUND_SAGAS, refundId).map(b -> new String(b, StandardCharsets.UTF_8));
  }

  static Optional<RefundReceipt> refund(StateView v, String refundId) {
    return v.document(REFUNDS, refundId).map(b -> parse(RefundReceipt.parser(), b));
  }

  static <T> T parse(Parser<T> parser, byte[] b) {
    try {
      return parser.parseFrom(b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a stored sale document is corrupt", e);
    }
  }
}
