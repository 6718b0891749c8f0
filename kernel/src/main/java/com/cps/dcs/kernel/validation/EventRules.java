package com.cps.dcs.kernel.validation;

import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.kernel.money.Money;
import com.cps.dcs.kernel.money.MoneyException;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.proto.v4.SovereignPayload;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one set of rules for a {@link SovereignFinancialEvent} entering any tier. {@link #content} depends on the event
 * alone, so every Raft node and every consumer reaches the same verdict for the same bytes (a region's apply can
 * quarantine on it deterministically); {@link #clocks} compares the event's clocks with the receiver's, so it belongs
 * at the edge, before anything is proposed or written.
 *
 * <p>Absent fields pass: a branch fills in a client's missing {@code event_id}, {@code ts} and HLC; the checks of a
 * sealed event's required fields belong to its verifier.
 */
public final class EventRules {
  /** The largest amount one event may carry, in minor units (10^15: exact in the wire's double, far from overflow). */
  public static final long MAX_AMOUNT_MINOR = 1_000_000_000_000_000L;
  /** The largest magnitude of a quantity (items, points, stock) in one event. */
  public static final long MAX_QUANTITY = 1_000_000_000L;
  public static final int MAX_METADATA = 64 * 1024;
  public static final int MAX_PAYLOAD = 256 * 1024;
  public static final int MAX_PARENTS = 64;
  public static final int MAX_VECTOR_ENTRIES = 256;
  public static final int MAX_LINES = 1000;
  public static final int MAX_POSTINGS = 1000;

  private EventRules() {}

  /** Content violations: everything that depends on the event alone. */
  public static List<Violation> content(SovereignFinancialEvent e) {
    List<Violation> out = new ArrayList<>();
    if (e.getType() == EventType.UNKNOWN || e.getType() == EventType.UNRECOGNIZED) {
      out.add(new Violation("type", "must be a known EventType, got " + e.getTypeValue()));
    }
    String[][] ids = {{"correlation_id", e.getCorrelationId()}, {"idempotency_key", e.getIdempotencyKey()},
        {"stream_id", e.getStreamId()}, {"branch_id", e.getBranchId()}, {"agent_id", e.getAgentId()},
        {"saga_id", e.getSagaId()}, {"tenant_id", e.getTenantId()}, {"created_by", e.getCreatedBy()},
        {"approved_by", e.getApprovedBy()}, {"event_hash", e.getEventHash()}};
    for (String[] f : ids) {
      Texts.collect(out, Texts.id(f[0], f[1]));
    }
    if (!e.getEventId().isEmpty() && !UuidV7.isV7(e.getEventId())) {
      out.add(new Violation("event_id", "must be a UUID v7 in canonical form"));
    }
    money(e, out);
    if (e.getPublicMetadata().size() > MAX_METADATA) {
      out.add(new Violation("public_metadata", "larger than " + MAX_METADATA + " bytes"));
    } else if (!e.getPublicMetadata().isEmpty()) {
      try {
        facts(EventFacts.parseFrom(e.getPublicMetadata()), out);
      } catch (InvalidProtocolBufferException ex) {
        out.add(new Violation("public_metadata", "is not an encoded EventFacts"));
      }
    }
    payload(e.getPayload(), out);
    causal(e.getCausalContext(), out);
    bytes(out, "digital_signature", e.getDigitalSignature(), 256);
    return out;
  }

  /** Clock violations against the receiver's clock at {@code nowMs}. */
  public static List<Violation> clocks(SovereignFinancialEvent e, ClockBounds bounds, long nowMs) {
    List<Violation> out = new ArrayList<>(2);
    if (e.getCausalContext().hasHlc()) {
      var h = e.getCausalContext().getHlc();
      out.addAll(bounds.checkHlc("causal_context.hlc", h.getPhysicalMs(), h.getLogical(), nowMs));
    }
    if (e.hasTs()) {
      Texts.collect(out, bounds.checkTimestamp("ts", e.getTs().getSeconds(), e.getTs().getNanos(), nowMs));
    }
    return out;
  }

  /** Content and clock violations together. */
  public static List<Violation> all(SovereignFinancialEvent e, ClockBounds bounds, long nowMs) {
    List<Violation> out = content(e);
    out.addAll(clocks(e, bounds, nowMs));
    return out;
  }

  /** Throws {@link InputRefused} naming every violation of {@link #all}. */
  public static void check(SovereignFinancialEvent e, ClockBounds bounds, long nowMs) {
    InputRefused.throwIfAny(all(e, bounds, nowMs));
  }

  /**
   * The event's exact amount in minor units: {@code amount_minor} when given (the double must round to it, half-even
   * to the currency's minor unit), else the double converted; 0 without a currency.
   *
   * @throws InputRefused naming the field
   */
  public static long exactAmount(SovereignFinancialEvent e) {
    List<Violation> out = new ArrayList<>(1);
    long minor = money(e, out);
    InputRefused.throwIfAny(out);
    return minor;
  }

  private static long money(SovereignFinancialEvent e, List<Violation> out) {
    if (e.getCurrency().isEmpty()) {
      if (e.getAmount() != 0 || e.getAmountMinor() != 0) {
        out.add(new Violation("currency", "an amount needs an ISO-4217 currency"));
      }
      return 0;
    }
    if (e.getAmountMinor() < 0 || e.getAmount() < 0) {
      out.add(new Violation(e.getAmountMinor() < 0 ? "amount_minor" : "amount",
          "must not be negative: a refund or reversal is an event type of its own"));
      return 0;
    }
    if (e.getAmountMinor() > MAX_AMOUNT_MINOR) {
      out.add(new Violation("amount_minor", "must be at most " + MAX_AMOUNT_MINOR));
      return 0;
    }
    try {
      Money.currency(e.getCurrency());
    } catch (MoneyException ex) {
      out.add(new Violation("currency", ex.getMessage()));
      return 0;
    }
    try {
      long minor = e.getAmountMinor() != 0 || e.getAmount() == 0
          ? Money.checkAgreement(e.getAmount(), e.getAmountMinor(), e.getCurrency()).minor()
          : Money.fromWire(e.getAmount(), e.getCurrency()).minor();
      if (minor > MAX_AMOUNT_MINOR) {
        out.add(new Violation("amount", "must be at most " + MAX_AMOUNT_MINOR + " minor units"));
      }
      return minor;
    } catch (MoneyException ex) {
      out.add(new Violation("amount", ex.getMessage()));
      return 0;
    }
  }

  private static void facts(EventFacts f, List<Violation> out) {
    String p = "public_metadata.";
    if (f.getLinesCount() > MAX_LINES) {
      out.add(new Violation(p + "lines", "more than " + MAX_LINES + " lines"));
      return;
    }
    for (int i = 0; i < f.getLinesCount(); i++) {
      var l = f.getLines(i);
      String lp = p + "lines[" + i + "].";
      Texts.collect(out, Texts.id(lp + "product_id", l.getProductId()));
      Texts.collect(out, Texts.text(lp + "category", l.getCategory(), Texts.MAX_ID));
      quantity(out, lp + "quantity", l.getQuantity());
      amount(out, lp + "unit_price_minor", l.getUnitPriceMinor());
      amount(out, lp + "line_total_minor", l.getLineTotalMinor());
      amount(out, lp + "tax_minor", l.getTaxMinor());
      amount(out, lp + "discount_minor", l.getDiscountMinor());
    }
    if (f.getPostingsCount() > MAX_POSTINGS) {
      out.add(new Violation(p + "postings", "more than " + MAX_POSTINGS + " postings"));
      return;
    }
    for (int i = 0; i < f.getPostingsCount(); i++) {
      var pg = f.getPostings(i);
      String pp = p + "postings[" + i + "].";
      Texts.collect(out, Texts.id(pp + "account_code", pg.getAccountCode()));
      Texts.collect(out, Texts.text(pp + "account_name", pg.getAccountName(), Texts.MAX_ID));
      amount(out, pp + "debit_minor", pg.getDebitMinor());
      amount(out, pp + "credit_minor", pg.getCreditMinor());
    }
    Texts.collect(out, Texts.id(p + "payment_method", f.getPaymentMethod()));
    Texts.collect(out, Texts.id(p + "customer_ref", f.getCustomerRef()));
    Texts.collect(out, Texts.id(p + "session_id", f.getSessionId()));
    Texts.collect(out, Texts.id(p + "receipt_number", f.getReceiptNumber()));
    Texts.collect(out, Texts.id(p + "counterpart_branch_id", f.getCounterpartBranchId()));
    Texts.collect(out, Texts.text(p + "reason", f.getReason(), Texts.MAX_TEXT));
    if (f.getLoyaltyPoints() < 0 || f.getLoyaltyPoints() > MAX_QUANTITY) {
      out.add(new Violation(p + "loyalty_points", "must be within 0.." + MAX_QUANTITY));
    }
    if (f.getReorderPoint() < 0 || f.getReorderPoint() > MAX_QUANTITY) {
      out.add(new Violation(p + "reorder_point", "must be within 0.." + MAX_QUANTITY));
    }
    quantity(out, p + "quantity_on_hand", f.getQuantityOnHand());
  }

  private static void payload(SovereignPayload s, List<Violation> out) {
    bytes(out, "payload.encrypted_data", s.getEncryptedData(), MAX_PAYLOAD);
    bytes(out, "payload.encrypted_dek", s.getEncryptedDek(), 1024);
    bytes(out, "payload.iv", s.getIv(), 64);
    bytes(out, "payload.auth_tag", s.getAuthTag(), 64);
    bytes(out, "payload.encrypted_inner_layer", s.getEncryptedInnerLayer(), MAX_PAYLOAD);
    bytes(out, "payload.compliance_proof", s.getComplianceProof(), MAX_METADATA);
    Texts.collect(out, Texts.id("payload.kms_key_id", s.getKmsKeyId()));
    Texts.collect(out, Texts.text("payload.hmac_signature", s.getHmacSignature(), 256));
    Texts.collect(out, Texts.id("payload.inner_key_derivation", s.getInnerKeyDerivation()));
  }

  private static void causal(CausalContext c, List<Violation> out) {
    if (c.getParentEventIdsCount() > MAX_PARENTS) {
      out.add(new Violation("causal_context.parent_event_ids", "more than " + MAX_PARENTS + " parents"));
    } else {
      for (int i = 0; i < c.getParentEventIdsCount(); i++) {
        Texts.collect(out, Texts.id("causal_context.parent_event_ids[" + i + "]", c.getParentEventIds(i)));
      }
    }
    Texts.collect(out, Texts.id("causal_context.hlc.node_id", c.getHlc().getNodeId()));
    if (c.getLamportTimestamp() < 0) {
      out.add(new Violation("causal_context.lamport_timestamp", "must not be negative"));
    }
    var ticks = c.getVClock().getNodeTicksMap();
    if (ticks.size() > MAX_VECTOR_ENTRIES) {
      out.add(new Violation("causal_context.v_clock.node_ticks", "more than " + MAX_VECTOR_ENTRIES + " entries"));
    } else {
      for (String node : new java.util.TreeSet<>(ticks.keySet())) {
        Texts.collect(out, Texts.requiredId("causal_context.v_clock.node_ticks", node));
      }
    }
  }

  private static void bytes(List<Violation> out, String field, ByteString b, int max) {
    if (b.size() > max) {
      out.add(new Violation(field, "larger than " + max + " bytes"));
    }
  }

  private static void amount(List<Violation> out, String field, long v) {
    if (v < 0 || v > MAX_AMOUNT_MINOR) {
      out.add(new Violation(field, "must be within 0.." + MAX_AMOUNT_MINOR));
    }
  }

  private static void quantity(List<Violation> out, String field, long v) {
    if (v < -MAX_QUANTITY || v > MAX_QUANTITY) {
      out.add(new Violation(field, "must be within -" + MAX_QUANTITY + ".." + MAX_QUANTITY));
    }
  }
}
