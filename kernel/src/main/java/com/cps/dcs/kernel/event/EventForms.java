package com.cps.dcs.kernel.event;

import com.cps.dcs.kernel.hash.Canonical;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;

/** The canonical forms of an event that the HMAC, the hash and the signature cover (docs/design-notes.md). */
final class EventForms {
  private EventForms() {}

  /** What the HMAC covers: everything but event_hash, signature, received_at, hmac and chain link. */
  static byte[] macInput(SovereignFinancialEvent e) {
    if (e.hasPayload() && nothingToClear(e) && e.getPayload().getHmacSignature().isEmpty()
        && e.getPayload().getAuditTrailHash().isEmpty()) {
      return Canonical.bytes(e); // the same bytes, without copying the event to clear what is already clear
    }
    SovereignFinancialEvent.Builder b = common(e);
    b.getPayloadBuilder().clearHmacSignature().clearAuditTrailHash();
    return Canonical.bytes(b.build());
  }

  /** What event_hash covers: everything but event_hash, signature, received_at and chain link. */
  static byte[] hashInput(SovereignFinancialEvent e) {
    if (nothingToClear(e) && e.getPayload().getAuditTrailHash().isEmpty()) {
      return Canonical.bytes(e);
    }
    SovereignFinancialEvent.Builder b = common(e);
    if (e.hasPayload()) {
      b.getPayloadBuilder().clearAuditTrailHash();
    }
    return Canonical.bytes(b.build());
  }

  /** What the signature covers: everything but the signature and received_at. */
  static byte[] signatureInput(SovereignFinancialEvent e) {
    if (e.getDigitalSignature().isEmpty() && e.getReceivedAt() == 0) {
      return Canonical.bytes(e);
    }
    return Canonical.bytes(e.toBuilder().clearDigitalSignature().clearReceivedAt().build());
  }

  /**
   * {@code covered} (an event's encoding without a signature) followed by the {@code digital_signature} field:
   * a valid encoding of the event with that signature, as protobuf parsers take fields in any order.
   */
  static byte[] withSignature(byte[] covered, byte[] signature) {
    int tag = SovereignFinancialEvent.DIGITAL_SIGNATURE_FIELD_NUMBER << 3 | 2; // length-delimited
    int header = CodedOutputStream.computeUInt32SizeNoTag(tag)
        + CodedOutputStream.computeUInt32SizeNoTag(signature.length);
    byte[] out = java.util.Arrays.copyOf(covered, covered.length + header + signature.length);
    CodedOutputStream o = CodedOutputStream.newInstance(out, covered.length, header + signature.length);
    try {
      o.writeUInt32NoTag(tag);
      o.writeUInt32NoTag(signature.length);
      o.writeRawBytes(signature);
      o.checkNoSpaceLeft();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }

  /**
   * True when event_hash, signature and received_at are already at their defaults, which proto3 does not
   * serialize: clearing them would give the same canonical bytes. (The sealer's path: each form is taken before
   * the field it leaves out is set.)
   */
  private static boolean nothingToClear(SovereignFinancialEvent e) {
    return e.getEventHash().isEmpty() && e.getDigitalSignature().isEmpty() && e.getReceivedAt() == 0;
  }

  private static SovereignFinancialEvent.Builder common(SovereignFinancialEvent e) {
    return e.toBuilder().clearEventHash().setDigitalSignature(ByteString.EMPTY).clearReceivedAt();
  }
}
