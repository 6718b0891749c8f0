package com.cps.dcs.kernel.event;

import com.cps.dcs.kernel.chain.HashChain;
import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.Ecdsa;
import com.cps.dcs.kernel.crypto.EnvelopeSealer;
import com.cps.dcs.kernel.crypto.KeyEncryptionKeyProvider;
import com.cps.dcs.kernel.crypto.MetadataMac;
import com.cps.dcs.kernel.hash.Sha256;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.proto.v4.SovereignPayload;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;

/**
 * Turns a draft event into the immutable, verifiable form every store and peer accepts: payload sealed, visible
 * metadata MAC'd, content hashed, hash-chained after the agent's previous event, and signed by the agent. The exact
 * order and coverage are in docs/design-notes.md ("The event pipeline").
 */
public final class EventSealer {
  private final EnvelopeSealer envelope;
  private final MetadataMac mac;
  private final AgentKeys keys;

  public EventSealer(KeyEncryptionKeyProvider kek, MetadataMac mac, AgentKeys keys) {
    this.envelope = new EnvelopeSealer(kek);
    this.mac = mac;
    this.keys = keys;
  }

  /**
   * Seals {@code draft}, whose business fields (ids, stream, type, money, facts, causal context, ts) are final.
   *
   * @param previousChainLink the previous event's {@code audit_trail_hash}, or {@link HashChain#GENESIS}
   * @throws com.cps.dcs.kernel.money.MoneyException when amount and amount_minor disagree
   */
  public SovereignFinancialEvent seal(
      SovereignFinancialEvent draft, byte[] sensitivePayload, byte[] previousChainLink) {
    if (draft.getEventId().isEmpty()) {
      throw new IllegalArgumentException("event_id must be assigned before sealing");
    }
    EventVerifier.checkAmount(draft);
    SovereignPayload sealed =
        envelope.seal(sensitivePayload, draft.getEventId().getBytes(StandardCharsets.UTF_8));
    SovereignPayload.Builder payload = draft.getPayload().toBuilder().mergeFrom(sealed);
    SovereignFinancialEvent.Builder b = draft.toBuilder().setPayload(payload);

    payload.setHmacSignature(mac.sign(EventForms.macInput(b.build())));
    b.setPayload(payload);
    String eventHash = Sha256.hex(Sha256.digest(EventForms.hashInput(b.build())));
    b.setEventHash(eventHash);
    payload.setAuditTrailHash(ByteString.copyFrom(HashChain.link(previousChainLink, eventHash)));
    b.setPayload(payload);
    b.setDigitalSignature(ByteString.copyFrom(Ecdsa.sign(keys.privateKey(), EventForms.signatureInput(b.build()))));
    return b.build();
  }

  /** The chain link of a sealed event, to pass as {@code previousChainLink} of the next one. */
  public static byte[] chainLinkOf(SovereignFinancialEvent sealed) {
    return sealed.getPayload().getAuditTrailHash().toByteArray();
  }
}
