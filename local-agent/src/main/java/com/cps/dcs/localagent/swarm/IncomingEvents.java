package com.cps.dcs.localagent.swarm;

import com.cps.dcs.kernel.validation.ClockBounds;
import com.cps.dcs.kernel.validation.EventRules;
import com.cps.dcs.kernel.validation.Violation;
import com.cps.dcs.localagent.store.AppendRefused;
import com.cps.dcs.localagent.store.EventDraft;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.List;

/**
 * Validates an event a client submits for this agent to create, and turns it into a draft. The client gives the
 * business fields; the agent owns identity, clock, chain and signature. A client's sensitive payload travels as the
 * plaintext of {@code payload.encrypted_data} with {@code schema_version} 0 ("not yet sealed"); the agent seals it.
 * Every event, a client's or a peer's, first passes the shared {@link EventRules} (ids, amounts, clocks).
 */
public final class IncomingEvents {
  private IncomingEvents() {}

  /** True when the event was sealed and signed by some agent (a peer's event), not a client's request. */
  public static boolean isSealed(SovereignFinancialEvent e) {
    return com.cps.dcs.swarm.Incoming.isSealed(e);
  }

  /**
   * @throws AppendRefused.Invalid naming every bad field
   */
  public static EventDraft toDraft(SovereignFinancialEvent e, LocalStore.Identity me, ClockBounds bounds,
      long nowMs) {
    List<Violation> bad = EventRules.all(e, bounds, nowMs);
    if (!e.getTenantId().isEmpty() && !e.getTenantId().equals(me.tenantId())) {
      bad.add(new Violation("tenant_id", "this agent serves tenant " + me.tenantId()));
    }
    if (!e.getBranchId().isEmpty() && !e.getBranchId().equals(me.branchId())) {
      bad.add(new Violation("branch_id", "this agent serves branch " + me.branchId()));
    }
    if (!e.getAgentId().isEmpty() && !e.getAgentId().equals(me.agentId())) {
      bad.add(new Violation("agent_id",
          "must be empty or " + me.agentId() + ": an event created by another agent must arrive sealed and signed"));
    }
    if (e.getCreatedBy().isBlank()) {
      bad.add(new Violation("created_by", "is required: who created this event"));
    }
    if (e.hasPayload() && (e.getPayload().getSchemaVersion() != 0 || !e.getPayload().getAuthTag().isEmpty())) {
      bad.add(new Violation("payload", "a client sends the plaintext in encrypted_data with schema_version 0;"
          + " the agent seals it"));
    }
    if (!bad.isEmpty()) {
      throw new AppendRefused.Invalid(bad);
    }
    long minor = EventRules.exactAmount(e);
    EventFacts facts = null;
    if (!e.getPublicMetadata().isEmpty()) {
      try {
        facts = EventFacts.parseFrom(e.getPublicMetadata());
      } catch (InvalidProtocolBufferException ex) {
        throw new AppendRefused.Invalid("public_metadata", "is not an encoded EventFacts");
      }
    }
    String stream = e.getStreamId().isEmpty() ? "branch:" + me.branchId() : e.getStreamId();
    return new EventDraft(stream, e.getStreamVersion(), e.getType(), minor, e.getCurrency(), e.getCorrelationId(),
        e.getSagaId(), facts, e.getPayload().getEncryptedData().toByteArray(), e.getCreatedBy(), e.getApprovedBy(),
        "", e.getCausalContext().getParentEventIdsList(), emptyToNull(e.getIdempotencyKey()),
        emptyToNull(e.getEventId()), e.hasTs() ? e.getTs() : null, e.hasCausalContext() ? e.getCausalContext() : null);
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
