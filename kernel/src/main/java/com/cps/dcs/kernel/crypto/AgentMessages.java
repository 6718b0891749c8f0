package com.cps.dcs.kernel.crypto;

import com.cps.dcs.kernel.hash.Canonical;
import com.cps.dcs.proto.v4.AgentMessage;
import com.google.protobuf.ByteString;
import java.security.PrivateKey;

/**
 * Signing of {@code AgentMessage}s between agents: ECDSA P-256 over the canonical encoding of the message without
 * its signature. Shared by every agent that speaks {@code AgentCommunication}.
 */
public final class AgentMessages {
  private AgentMessages() {}

  /** The message with {@code signature} set by {@code key}. */
  public static AgentMessage sign(AgentMessage unsigned, PrivateKey key) {
    AgentMessage bare = unsigned.toBuilder().clearSignature().build();
    return bare.toBuilder().setSignature(ByteString.copyFrom(Ecdsa.sign(key, Canonical.bytes(bare)))).build();
  }

  /** True when {@code m} is signed by the X.509-encoded public key; false for a bad signature or key. */
  public static boolean verify(AgentMessage m, byte[] x509PublicKey) {
    try {
      return Ecdsa.verify(AgentKeys.publicKeyFromX509(x509PublicKey), Canonical.bytes(m.toBuilder().clearSignature()
          .build()), m.getSignature().toByteArray());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
