package com.cps.dcs.localagent.sale;

import com.cps.dcs.kernel.crypto.EnvelopeSealer;
import com.cps.dcs.kernel.crypto.KeyEncryptionKeyProvider;
import com.cps.dcs.kernel.crypto.MetadataMac;
import com.cps.dcs.proto.pos.v1.CheckoutRequest;
import com.cps.dcs.proto.pos.v1.Tender;
import com.cps.dcs.proto.v4.SovereignPayload;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What of a checkout must never rest in clear at the branch or travel in clear beyond it: card and wallet tokens and
 * the customer reference. They are sealed with the tenant's KEK (the same envelope as event payloads) in the saga
 * record, and the public event metadata carries only the customer's pseudonym: HMAC-SHA256 of the reference under
 * a key derived from the tenant's metadata MAC key, so every branch of a tenant (and the query service's loyalty
 * projection) sees the same stable pseudonym, and nobody without the tenant's keys can link it back.
 */
public final class SaleSecrets {
  private static final byte[] PSEUDONYM_KEY_LABEL = "dcs/customer-pseudonym/v1".getBytes(StandardCharsets.UTF_8);

  /** A checkout's secrets in clear, in memory only. */
  public record Open(List<String> tokens, String customerRef) {
    static Open of(CheckoutRequest r) {
      return new Open(r.getTendersList().stream().map(Tender::getCardToken).toList(), r.getCustomerRef());
    }

    String token(int tender) {
      return tender < tokens.size() ? tokens.get(tender) : "";
    }

    /** The plaintext sealed into each event of the sale. */
    byte[] eventPayload() {
      StringBuilder s = new StringBuilder();
      tokens.forEach(t -> s.append("token=").append(t).append(';'));
      return s.append("customer=").append(customerRef).toString().getBytes(StandardCharsets.UTF_8);
    }
  }

  private final EnvelopeSealer sealer;
  private final SecretKeySpec pseudonymKey;

  public SaleSecrets(KeyEncryptionKeyProvider kek, MetadataMac tenantMac) {
    this.sealer = new EnvelopeSealer(kek);
    // HMAC as a key derivation function: the derived key reveals nothing of the MAC key and differs from it.
    byte[] derived = HexFormat.of().parseHex(tenantMac.sign(PSEUDONYM_KEY_LABEL));
    this.pseudonymKey = new SecretKeySpec(Arrays.copyOf(derived, 32), "HmacSHA256");
    Arrays.fill(derived, (byte) 0);
  }

  /** The stable pseudonym of a customer reference ({@code ""} stays {@code ""}). */
  public String pseudonym(String customerRef) {
    if (customerRef == null || customerRef.isEmpty()) {
      return "";
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(pseudonymKey);
      return "cust-" + HexFormat.of().formatHex(mac.doFinal(customerRef.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  ByteString seal(Open secrets, String sagaId) {
    CheckoutRequest.Builder b = CheckoutRequest.newBuilder().setCustomerRef(secrets.customerRef());
    secrets.tokens().forEach(t -> b.addTenders(Tender.newBuilder().setCardToken(t)));
    return sealer.seal(b.build().toByteArray(), sagaId.getBytes(StandardCharsets.UTF_8)).toByteString();
  }

  Open open(ByteString sealed, String sagaId) {
    if (sealed.isEmpty()) {
      return new Open(List.of(), "");
    }
    try {
      byte[] plain = sealer.open(SovereignPayload.parseFrom(sealed), sagaId.getBytes(StandardCharsets.UTF_8));
      return Open.of(CheckoutRequest.parseFrom(plain));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("sealed secrets of saga " + sagaId + " are corrupt", e);
    }
  }
}
