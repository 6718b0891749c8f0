package com.cps.dcs.kernel.crypto;

import com.cps.dcs.kernel.hash.Canonical;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;

/**
 * Who uploads CRDT state to a region ({@code SyncCRDTState} and {@code StreamCRDTUpdates} with bundles): the
 * uploading agent signs, with its registered key, its id, the time and every bundle of the call in order. The
 * wire's {@code CRDTStateBundle} has no signature field (its field numbers are fixed), so the three values travel
 * as call headers, named here for every client and server. Merges are idempotent and monotone, so a replayed call
 * changes nothing; the time only bounds how long a captured signature is accepted.
 */
public final class CrdtUploadSignature {
  /** The uploading agent's id, as registered with the region. */
  public static final String AGENT_HEADER = "dcs-agent-id";
  /** When the call was signed, epoch milliseconds (decimal). */
  public static final String SIGNED_AT_HEADER = "dcs-signed-at-ms";
  /** The DER ECDSA signature (a binary header: gRPC sends it base64-encoded). */
  public static final String SIGNATURE_HEADER = "dcs-upload-signature-bin";
  /** How far the signing time may be from the region's clock. */
  public static final long MAX_SKEW_MS = 5 * 60_000;

  private static final byte[] DOMAIN = "cps-dcs crdt upload v1".getBytes(StandardCharsets.US_ASCII);

  private CrdtUploadSignature() {}

  /** What is signed: the domain, the agent id, the time, the number of bundles and each one's canonical bytes. */
  static byte[] message(String agentId, long signedAtMs, List<CRDTStateBundle> bundles) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.write(DOMAIN);
      byte[] id = agentId.getBytes(StandardCharsets.UTF_8);
      out.writeInt(id.length);
      out.write(id);
      out.writeLong(signedAtMs);
      out.writeInt(bundles.size());
      for (CRDTStateBundle b : bundles) {
        byte[] c = Canonical.bytes(b);
        out.writeInt(c.length);
        out.write(c);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] sign(PrivateKey key, String agentId, long signedAtMs, List<CRDTStateBundle> bundles) {
    return Ecdsa.sign(key, message(agentId, signedAtMs, bundles));
  }

  /** True when {@code signature} is {@code key}'s over exactly these values; false for any other signature. */
  public static boolean verify(PublicKey key, String agentId, long signedAtMs, List<CRDTStateBundle> bundles,
      byte[] signature) {
    return Ecdsa.verify(key, message(agentId, signedAtMs, bundles), signature);
  }
}
