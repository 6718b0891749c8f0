package com.cps.dcs.localagent.store;

import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.google.protobuf.Timestamp;
import java.util.List;

/**
 * An event to append, before the agent assigns what it owns (id, clock, chain, signature).
 *
 * @param streamVersion the version this event must take in its stream: 0 for "next"; anything else must be the
 *     stream's current version + 1 (optimistic concurrency)
 * @param naturalKey what makes this business action unique for its caller (e.g. checkout id + step); part of the
 *     deterministic idempotency key
 * @param idempotencyKey a caller-given key, or null to derive one from the business content
 * @param eventId a caller-given UUID v7, or null
 * @param ts a caller-given time, or null for now
 * @param causalContext a caller-given context (its HLC is received), or null
 */
public record EventDraft(
    String streamId,
    long streamVersion,
    EventType type,
    long amountMinor,
    String currency,
    String correlationId,
    String sagaId,
    EventFacts facts,
    byte[] sensitivePayload,
    String createdBy,
    String approvedBy,
    String naturalKey,
    List<String> parentEventIds,
    String idempotencyKey,
    String eventId,
    Timestamp ts,
    CausalContext causalContext) {

  /** The common case: a domain action appends at the end of its stream. */
  public static EventDraft of(String streamId, EventType type, long amountMinor, String currency, EventFacts facts,
      byte[] sensitivePayload, String createdBy, String naturalKey) {
    return new EventDraft(streamId, 0, type, amountMinor, currency, "", "", facts, sensitivePayload, createdBy, "",
        naturalKey, List.of(), null, null, null, null);
  }
}
