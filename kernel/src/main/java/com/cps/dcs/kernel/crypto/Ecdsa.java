package com.cps.dcs.kernel.crypto;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * ECDSA P-256 with SHA-256 (DER signatures). Signing and verification use Conscrypt (BoringSSL's constant-time
 * P-256: signing about 4 times Bouncy Castle's speed and 10 times SunEC's, verification about 1.5 times Bouncy
 * Castle's and 6 times SunEC's, docs/benchmarks.md) when its native library loads on this machine, and Bouncy
 * Castle's provider otherwise (used as an instance, not registered globally). Keys and signatures are the standard
 * encodings, so every provider verifies the others' signatures (a test checks it); what a verifier checks does not
 * depend on who signed.
 */
public final class Ecdsa {
  static final Provider PROVIDER = new BouncyCastleProvider();
  // Bouncy Castle is fast only with its own key objects (it keeps its precomputation there); convert others once.
  private static final Map<Key, Key> CONVERTED = new ConcurrentHashMap<>();
  private static final Map<PrivateKey, PrivateKey> SIGNING_KEYS = new ConcurrentHashMap<>();
  private static final Map<PublicKey, PublicKey> VERIFYING_KEYS = new ConcurrentHashMap<>();
  /** The last key converted for the signer, by identity: an agent signs with one key, and hashing a key costs. */
  private static volatile PrivateKey[] lastSigningKey = new PrivateKey[2];
  private static final Provider SIGNER = loadConscrypt(); // last: its probe uses the maps above

  private Ecdsa() {}

  static PrivateKey bcKey(PrivateKey key) {
    if (key instanceof org.bouncycastle.jce.interfaces.ECPrivateKey) {
      return key;
    }
    return (PrivateKey) CONVERTED.computeIfAbsent(key, k -> {
      try {
        return KeyFactory.getInstance("EC", PROVIDER).generatePrivate(new PKCS8EncodedKeySpec(k.getEncoded()));
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("not an EC private key", e);
      }
    });
  }

  static PublicKey bcKey(PublicKey key) {
    if (key instanceof org.bouncycastle.jce.interfaces.ECPublicKey) {
      return key;
    }
    return (PublicKey) CONVERTED.computeIfAbsent(key, k -> {
      try {
        return KeyFactory.getInstance("EC", PROVIDER).generatePublic(new X509EncodedKeySpec(k.getEncoded()));
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("not an EC public key", e);
      }
    });
  }

  private static Provider loadConscrypt() {
    try {
      Provider p = NativeCrypto.conscrypt().orElse(null);
      if (p == null) {
        return null;
      }
      // Prove the provider works here (its native library loaded and signs) before relying on it.
      AgentKeys probe = AgentKeys.generateEphemeral();
      byte[] data = {1, 2, 3};
      Signature s = Signature.getInstance("SHA256withECDSA", p);
      s.initSign(KeyFactory.getInstance("EC", p).generatePrivate(
          new PKCS8EncodedKeySpec(probe.privateKey().getEncoded())));
      s.update(data);
      if (!verify(probe.publicKey(), data, s.sign())) {
        return null;
      }
      return p;
    } catch (Throwable e) { // UnsatisfiedLinkError and friends: no native library for this platform
      return null;
    }
  }

  /** The provider that signs: "Conscrypt" where its native library loads, else "BC". */
  public static String signingProvider() {
    return SIGNER != null ? SIGNER.getName() : PROVIDER.getName();
  }

  public static byte[] sign(PrivateKey key, byte[] data) {
    PrivateKey native_ = SIGNER == null ? null : signingKey(key);
    if (native_ != null) {
      try {
        Signature s = Signature.getInstance("SHA256withECDSA", SIGNER);
        s.initSign(native_);
        s.update(data);
        return s.sign();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("ECDSA signing failed", e);
      }
    }
    return signWithBouncyCastle(key, data);
  }

  static byte[] signWithBouncyCastle(PrivateKey key, byte[] data) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA", PROVIDER);
      s.initSign(bcKey(key));
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ECDSA signing failed", e);
    }
  }

  /** The signer's own form of {@code key}, or null when it cannot take it (then Bouncy Castle signs). */
  private static PrivateKey signingKey(PrivateKey key) {
    PrivateKey[] last = lastSigningKey;
    if (last[0] == key) {
      return last[1];
    }
    PrivateKey usable = nativeKey(SIGNING_KEYS, key,
        (f, encoded) -> f.generatePrivate(new PKCS8EncodedKeySpec(encoded)));
    lastSigningKey = new PrivateKey[] {key, usable};
    return usable;
  }

  /** False for a wrong or malformed signature; never throws for bad input. */
  public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
    PublicKey native_ = SIGNER == null ? null : verifyingKey(key);
    if (native_ != null) {
      try {
        Signature s = Signature.getInstance("SHA256withECDSA", SIGNER);
        s.initVerify(native_);
        s.update(data);
        return s.verify(signature);
      } catch (SignatureException | RuntimeException e) {
        return false; // malformed DER
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("ECDSA verification unavailable", e);
      }
    }
    return verifyWithBouncyCastle(key, data, signature);
  }

  /** Conscrypt's form of {@code key}, or null when it cannot take it (then Bouncy Castle verifies). */
  private static PublicKey verifyingKey(PublicKey key) {
    return nativeKey(VERIFYING_KEYS, key, (f, encoded) -> f.generatePublic(new X509EncodedKeySpec(encoded)));
  }

  private interface Conversion<K> {
    K convert(KeyFactory conscrypt, byte[] encoded) throws GeneralSecurityException;
  }

  /** {@code key} converted once for Conscrypt (kept in {@code cache}), or null when Conscrypt cannot take it. */
  private static <K extends Key> K nativeKey(Map<K, K> cache, K key, Conversion<K> conversion) {
    K converted = cache.computeIfAbsent(key, k -> {
      byte[] encoded = k.getEncoded();
      if (encoded == null) {
        return k; // not exportable: marks "use Bouncy Castle"
      }
      try {
        return conversion.convert(KeyFactory.getInstance("EC", SIGNER), encoded);
      } catch (GeneralSecurityException | RuntimeException e) {
        return k;
      }
    });
    return converted == key ? null : converted;
  }

  static boolean verifyWithBouncyCastle(PublicKey key, byte[] data, byte[] signature) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA", PROVIDER);
      s.initVerify(bcKey(key));
      s.update(data);
      return s.verify(signature);
    } catch (SignatureException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ECDSA verification unavailable", e);
    }
  }
}
