package com.cps.dcs.kernel.event;

import com.cps.dcs.kernel.chain.HashChain;
import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.BatchSignature;
import com.cps.dcs.kernel.crypto.Ecdsa;
import com.cps.dcs.kernel.crypto.EnvelopeSealer;
import com.cps.dcs.kernel.crypto.KeyEncryptionKeyProvider;
import com.cps.dcs.kernel.crypto.MetadataMac;
import com.cps.dcs.kernel.hash.Sha256;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.proto.v4.SovereignPayload;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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
    Sealing s = begin(draft, sensitivePayload);
    s.chain(previousChainLink);
    return s.sign();
  }

  /**
   * Steps 2 to 4 of the pipeline (seal, HMAC, event hash): everything that does not depend on the chain, so that
   * many events can be prepared at once, in any order and on any thread. Then {@link Sealing#chain} (in append
   * order) and {@link Sealing#sign} (any order, any thread, once chained) finish the event exactly as
   * {@link #seal} does.
   *
   * @throws com.cps.dcs.kernel.money.MoneyException when amount and amount_minor disagree
   */
  public Sealing begin(SovereignFinancialEvent draft, byte[] sensitivePayload) {
    if (draft.getEventId().isEmpty()) {
      throw new IllegalArgumentException("event_id must be assigned before sealing");
    }
    return begin(draft, sealPayload(draft.getEventId(), sensitivePayload));
  }

  /**
   * Step 2 alone: the sensitive payload sealed for the event {@code eventId} (its AAD), which is all it depends on,
   * so it can be done before the event's other fields are known. Pass the result to
   * {@link #begin(SovereignFinancialEvent, SovereignPayload)} with a draft of that id.
   */
  public SovereignPayload sealPayload(String eventId, byte[] sensitivePayload) {
    return envelope.seal(sensitivePayload, eventId.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Steps 3 and 4 for a draft whose payload {@link #sealPayload} sealed for its {@code event_id}.
   *
   * @throws com.cps.dcs.kernel.money.MoneyException when amount and amount_minor disagree
   */
  public Sealing begin(SovereignFinancialEvent draft, SovereignPayload sealed) {
    if (draft.getEventId().isEmpty()) {
      throw new IllegalArgumentException("event_id must be assigned before sealing");
    }
    EventVerifier.checkAmount(draft);
    SovereignPayload.Builder payload = draft.getPayload().toBuilder().mergeFrom(sealed);
    SovereignFinancialEvent.Builder b = draft.toBuilder().setPayload(payload);

    payload.setHmacSignature(mac.sign(EventForms.macInput(b.build())));
    b.setPayload(payload);
    String eventHash = Sha256.hex(Sha256.digest(EventForms.hashInput(b.build())));
    b.setEventHash(eventHash);
    return new Sealing(b, payload, eventHash);
  }

  /**
   * Step 6 for a group of chained events at once: one ECDSA signature over the Merkle root of their covered bytes,
   * each event carrying that signature with its own inclusion path ({@link BatchSignature}), so each still verifies
   * alone. Call {@link Sealing#covered} of each beforehand to spread that work over threads. Returns the finished
   * events in order; each {@link Sealing#signedBytes} is then available.
   */
  public List<SovereignFinancialEvent> signAll(List<Sealing> group) {
    List<byte[]> covered = new ArrayList<>(group.size());
    for (Sealing s : group) {
      covered.add(s.covered());
    }
    List<byte[]> signatures = BatchSignature.signAll(keys.privateKey(), covered);
    List<SovereignFinancialEvent> out = new ArrayList<>(group.size());
    for (int i = 0; i < group.size(); i++) {
      out.add(group.get(i).complete(signatures.get(i)));
    }
    return out;
  }

  /** An event between {@link #begin} and {@link Sealing#sign}. Not thread-safe: one thread at a time. */
  public final class Sealing {
    private final SovereignFinancialEvent.Builder event;
    private final SovereignPayload.Builder payload;
    private final String eventHash;
    private byte[] link;
    private byte[] covered;
    private byte[] signedBytes;

    private Sealing(SovereignFinancialEvent.Builder event, SovereignPayload.Builder payload, String eventHash) {
      this.event = event;
      this.payload = payload;
      this.eventHash = eventHash;
    }

    public String eventHash() {
      return eventHash;
    }

    /** Step 5: links the event after {@code previousChainLink}; returns its own link (the next one's previous). */
    public byte[] chain(byte[] previousChainLink) {
      link = HashChain.link(previousChainLink, eventHash);
      payload.setAuditTrailHash(ByteString.copyFrom(link));
      event.setPayload(payload);
      return link.clone();
    }

    /** Step 6: the agent's signature over everything, chain link included; returns the finished event. */
    public SovereignFinancialEvent sign() {
      return complete(Ecdsa.sign(keys.privateKey(), covered()));
    }

    /** The bytes step 6 signs (the event chained, without signature); computed once. */
    public byte[] covered() {
      if (link == null) {
        throw new IllegalStateException("chain the event before signing it");
      }
      if (covered == null) {
        covered = EventForms.signatureInput(event.build());
      }
      return covered;
    }

    private SovereignFinancialEvent complete(byte[] signature) {
      byte[] bytes = covered();
      event.setDigitalSignature(ByteString.copyFrom(signature));
      signedBytes = EventForms.withSignature(bytes, signature);
      return event.build();
    }

    /**
     * The protobuf encoding of the signed event, made from the bytes the signature covers without serializing the
     * event again: it parses to exactly the event {@link #sign} returned, though its signature field comes last
     * rather than in field-number order (so it is for storage, not for hashing).
     */
    public byte[] signedBytes() {
      if (signedBytes == null) {
        throw new IllegalStateException("sign the event first");
      }
      return signedBytes;
    }
  }

  /** The chain link of a sealed event, to pass as {@code previousChainLink} of the next one. */
  public static byte[] chainLinkOf(SovereignFinancialEvent sealed) {
    return sealed.getPayload().getAuditTrailHash().toByteArray();
  }
}
