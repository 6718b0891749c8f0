package com.cps.dcs.kernel.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * An agent's ECDSA P-256 signing key pair, kept as {@code agent-<id>.p8} (PKCS#8, owner-only) and
 * {@code agent-<id>.pub} (X.509 SubjectPublicKeyInfo), created on first start.
 */
public record AgentKeys(PrivateKey privateKey, PublicKey publicKey) {

  public static AgentKeys loadOrCreate(Path dir, String agentId) {
    if (!agentId.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("agent id must be letters, digits, '.', '_' or '-': " + agentId);
    }
    Path priv = dir.resolve("agent-" + agentId + ".p8");
    Path pub = dir.resolve("agent-" + agentId + ".pub");
    try {
      if (!Files.exists(priv)) {
        KeyPair pair = generate();
        Secrets.writeOwnerOnly(pub, pair.getPublic().getEncoded());
        Secrets.writeOwnerOnly(priv, pair.getPrivate().getEncoded());
      }
      KeyFactory kf = KeyFactory.getInstance("EC", Ecdsa.PROVIDER);
      PrivateKey privateKey = kf.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(priv)));
      return new AgentKeys(privateKey, publicKeyFromX509(Files.readAllBytes(pub)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the agent keys in " + dir, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("agent key files in " + dir + " are not EC keys", e);
    }
  }

  /** A fresh key pair held only in memory (tests, ephemeral tools). */
  public static AgentKeys generateEphemeral() {
    KeyPair pair = generate();
    return new AgentKeys(Ecdsa.bcKey(pair.getPrivate()), Ecdsa.bcKey(pair.getPublic()));
  }

  public static PublicKey publicKeyFromX509(byte[] encoded) {
    try {
      return KeyFactory.getInstance("EC", Ecdsa.PROVIDER).generatePublic(new X509EncodedKeySpec(encoded));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an X.509-encoded EC public key", e);
    }
  }

  public byte[] publicKeyBytes() {
    return publicKey.getEncoded();
  }

  private static KeyPair generate() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("P-256 unavailable", e);
    }
  }
}
