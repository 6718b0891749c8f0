package com.cps.dcs.localagent.swarm;

import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.kernel.money.Money;
import com.cps.dcs.kernel.money.MoneyException;
import com.cps.dcs.localagent.store.AppendRefused;
import com.cps.dcs.localagent.store.EventDraft;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.List;

/**
 * Validates an event a client submits for this agent to create, and turns it into a draft. The client gives the
 * business fields; the agent owns identity, clock, chain and signature. A client's sensitive payload travels as the
 * plaintext of {@code payload.encrypted_data} with {@code schema_version} 0 ("not yet sealed"); the agent seals it.
 */
public final class IncomingEvents {
  static final int MAX_TEXT = 256;
  static final int MAX_METADATA = 64 * 1024;
  static final int MAX_PAYLOAD = 256 * 1024;
  static final int MAX_PARENTS = 64;

  private IncomingEvents() {}

  /** True when the event was sealed and signed by some agent (a peer's event), not a client's request. */
  public static boolean isSealed(SovereignFinancialEvent e) {
    return !e.getDigitalSignature().isEmpty();
  }

  /**
   * @throws AppendRefused.Invalid naming the first bad field
   */
  public static EventDraft toDraft(SovereignFinancialEvent e, LocalStore.Identity me) {
    if (e.getType() == EventType.UNKNOWN || e.getType() == EventType.UNRECOGNIZED) {
      throw new AppendRefused.Invalid("type", "must be a known EventType, got " + e.getTypeValue());
    }
    if (!e.getTenantId().isEmpty() && !e.getTenantId().equals(me.tenantId())) {
      throw new AppendRefused.Invalid("tenant_id", "this agent serves tenant " + me.tenantId());
    }
    if (!e.getBranchId().isEmpty() && !e.getBranchId().equals(me.branchId())) {
      throw new AppendRefused.Invalid("branch_id", "this agent serves branch " + me.branchId());
    }
    if (!e.getAgentId().isEmpty() && !e.getAgentId().equals(me.agentId())) {
      throw new AppendRefused.Invalid("agent_id",
          "must be empty or " + me.agentId() + ": an event created by another agent must arrive sealed and signed");
    }
    if (!e.getEventId().isEmpty() && !UuidV7.isV7(e.getEventId())) {
      throw new AppendRefused.Invalid("event_id", "must be a UUID v7 in canonical form, or empty");
    }
    for (var f : List.of(
        new String[] {"correlation_id", e.getCorrelationId()}, new String[] {"idempotency_key", e.getIdempotencyKey()},
        new String[] {"saga_id", e.getSagaId()}, new String[] {"stream_id", e.getStreamId()},
        new String[] {"created_by", e.getCreatedBy()}, new String[] {"approved_by", e.getApprovedBy()})) {
      if (f[1].length() > MAX_TEXT) {
        throw new AppendRefused.Invalid(f[0], "longer than " + MAX_TEXT + " characters");
      }
    }
    if (e.getCreatedBy().isBlank()) {
      throw new AppendRefused.Invalid("created_by", "is required: who created this event");
    }
    long minor = money(e);
    if (e.getPublicMetadata().size() > MAX_METADATA) {
      throw new AppendRefused.Invalid("public_metadata", "larger than " + MAX_METADATA + " bytes");
    }
    EventFacts facts = null;
    if (!e.getPublicMetadata().isEmpty()) {
      try {
        facts = EventFacts.parseFrom(e.getPublicMetadata());
      } catch (InvalidProtocolBufferException ex) {
        throw new AppendRefused.Invalid("public_metadata", "is not an encoded EventFacts");
      }
    }
    if (e.hasPayload() && (e.getPayload().getSchemaVersion() != 0 || !e.getPayload().getAuthTag().isEmpty())) {
      throw new AppendRefused.Invalid("payload", "a client sends the plaintext in encrypted_data with schema_version 0;"
          + " the agent seals it");
    }
    if (e.getPayload().getEncryptedData().size() > MAX_PAYLOAD) {
      throw new AppendRefused.Invalid("payload.encrypted_data", "larger than " + MAX_PAYLOAD + " bytes");
    }
    if (e.getCausalContext().getParentEventIdsCount() > MAX_PARENTS) {
      throw new AppendRefused.Invalid("causal_context.parent_event_ids", "more than " + MAX_PARENTS + " parents");
    }
    String stream = e.getStreamId().isEmpty() ? "branch:" + me.branchId() : e.getStreamId();
    return new EventDraft(stream, e.getStreamVersion(), e.getType(), minor, e.getCurrency(), e.getCorrelationId(),
        e.getSagaId(), facts, e.getPayload().getEncryptedData().toByteArray(), e.getCreatedBy(), e.getApprovedBy(),
        "", e.getCausalContext().getParentEventIdsList(), emptyToNull(e.getIdempotencyKey()),
        emptyToNull(e.getEventId()), e.hasTs() ? e.getTs() : null, e.hasCausalContext() ? e.getCausalContext() : null);
  }

  /** The exact amount: amount_minor when given (it must agree with amount), else the double converted exactly. */
  static long money(SovereignFinancialEvent e) {
    if (e.getCurrency().isEmpty()) {
      if (e.getAmount() != 0 || e.getAmountMinor() != 0) {
        throw new AppendRefused.Invalid("currency", "an amount needs an ISO-4217 currency");
      }
      return 0;
    }
    try {
      Money.currency(e.getCurrency());
      if (e.getAmountMinor() != 0 || e.getAmount() == 0) {
        return Money.checkAgreement(e.getAmount(), e.getAmountMinor(), e.getCurrency()).minor();
      }
      return Money.fromWire(e.getAmount(), e.getCurrency()).minor();
    } catch (MoneyException ex) {
      String field = ex.getMessage().contains("ISO-4217") || ex.getMessage().contains("currency") ? "currency"
          : "amount";
      throw new AppendRefused.Invalid(field, ex.getMessage());
    }
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
