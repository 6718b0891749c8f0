package com.cps.dcs.kernel.event;

import com.cps.dcs.kernel.crypto.BatchSignature;
import com.cps.dcs.kernel.crypto.EnvelopeSealer;
import com.cps.dcs.kernel.crypto.IntegrityException;
import com.cps.dcs.kernel.crypto.KeyEncryptionKeyProvider;
import com.cps.dcs.kernel.crypto.MetadataMac;
import com.cps.dcs.kernel.hash.Sha256;
import com.cps.dcs.kernel.money.Money;
import com.cps.dcs.kernel.money.MoneyException;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;

/** Checks a sealed event before anyone trusts it, naming the first check that fails. */
public final class EventVerifier {
  private final MetadataMac mac;

  public EventVerifier(MetadataMac mac) {
    this.mac = mac;
  }

  /**
   * Verifies money agreement, the HMAC, the event hash and the creator's signature (alone, or the signature of its
   * group with the event's inclusion path: {@link BatchSignature}).
   *
   * @throws IntegrityException naming the failed check (amount, hmac, event_hash, signature)
   */
  public void verify(SovereignFinancialEvent e, PublicKey signer) {
    verifyIntegrity(e);
    if (e.getDigitalSignature().isEmpty()
        || !BatchSignature.verify(signer, EventForms.signatureInput(e), e.getDigitalSignature().toByteArray())) {
      throw new IntegrityException("signature", "event " + e.getEventId() + " is not signed by " + e.getAgentId());
    }
  }

  /** Verifies everything but the signature (for holders of the MAC key who lack the creator's public key). */
  public void verifyIntegrity(SovereignFinancialEvent e) {
    try {
      checkAmount(e);
    } catch (MoneyException ex) {
      throw new IntegrityException("amount", ex.getMessage());
    }
    if (!mac.verify(EventForms.macInput(e), e.getPayload().getHmacSignature())) {
      throw new IntegrityException("hmac", "visible metadata of event " + e.getEventId() + " was altered");
    }
    if (!computeEventHash(e).equals(e.getEventHash())) {
      throw new IntegrityException("event_hash", "content of event " + e.getEventId() + " does not match its hash");
    }
  }

  /** The SHA-256 (hex) an event's {@code event_hash} must equal. */
  public static String computeEventHash(SovereignFinancialEvent e) {
    return Sha256.hex(Sha256.digest(EventForms.hashInput(e)));
  }

  /** Opens the sealed payload of a verified event. */
  public byte[] open(SovereignFinancialEvent e, KeyEncryptionKeyProvider kek) {
    return new EnvelopeSealer(kek).open(e.getPayload(), e.getEventId().getBytes(StandardCharsets.UTF_8));
  }

  /** Money agreement: an event without currency carries no money at all. */
  static void checkAmount(SovereignFinancialEvent e) {
    if (e.getCurrency().isEmpty()) {
      if (e.getAmount() != 0 || e.getAmountMinor() != 0) {
        throw new MoneyException("an amount needs a currency");
      }
      return;
    }
    Money.checkAgreement(e.getAmount(), e.getAmountMinor(), e.getCurrency());
  }
}
