package com.cps.dcs.kernel.event;

import com.cps.dcs.kernel.hash.Canonical;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.google.protobuf.ByteString;

/** The canonical forms of an event that the HMAC, the hash and the signature cover (docs/design-notes.md). */
final class EventForms {
  private EventForms() {}

  /** What the HMAC covers: everything but event_hash, signature, received_at, hmac and chain link. */
  static byte[] macInput(SovereignFinancialEvent e) {
    SovereignFinancialEvent.Builder b = common(e);
    b.getPayloadBuilder().clearHmacSignature().clearAuditTrailHash();
    return Canonical.bytes(b.build());
  }

  /** What event_hash covers: everything but event_hash, signature, received_at and chain link. */
  static byte[] hashInput(SovereignFinancialEvent e) {
    SovereignFinancialEvent.Builder b = common(e);
    if (e.hasPayload()) {
      b.getPayloadBuilder().clearAuditTrailHash();
    }
    return Canonical.bytes(b.build());
  }

  /** What the signature covers: everything but the signature and received_at. */
  static byte[] signatureInput(SovereignFinancialEvent e) {
    return Canonical.bytes(e.toBuilder().clearDigitalSignature().clearReceivedAt().build());
  }

  private static SovereignFinancialEvent.Builder common(SovereignFinancialEvent e) {
    return e.toBuilder().clearEventHash().setDigitalSignature(ByteString.EMPTY).clearReceivedAt();
  }
}
