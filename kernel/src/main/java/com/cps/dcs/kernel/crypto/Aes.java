package com.cps.dcs.kernel.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** AES-256-GCM primitives with 12-byte IVs and 16-byte tags. */
final class Aes {
  static final int IV_BYTES = 12;
  static final int TAG_BYTES = 16;
  static final SecureRandom RANDOM = new SecureRandom();
  // One Cipher object per thread (Conscrypt's where it loads: NativeCrypto), re-initialized with each call's key and
  // IV: getInstance costs a provider lookup.
  private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(NativeCrypto::newAesGcm);

  private Aes() {}

  static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /** Ciphertext followed by the 16-byte tag. */
  static byte[] encrypt(byte[] key, byte[] iv, byte[] plaintext, byte[] aad) {
    try {
      Cipher c = CIPHERS.get();
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, iv));
      c.updateAAD(aad);
      return c.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  static byte[] decrypt(byte[] key, byte[] iv, byte[] ciphertextAndTag, byte[] aad, String what) {
    if (key.length != 32) {
      throw new IntegrityException(what, "key is " + key.length + " bytes, expected 32");
    }
    if (iv.length != IV_BYTES) {
      throw new IntegrityException(what, "IV is " + iv.length + " bytes, expected " + IV_BYTES);
    }
    try {
      Cipher c = CIPHERS.get();
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, iv));
      c.updateAAD(aad);
      return c.doFinal(ciphertextAndTag);
    } catch (AEADBadTagException e) {
      throw new IntegrityException(what, "authentication tag does not verify (altered or wrong key)", e);
    } catch (GeneralSecurityException e) {
      throw new IntegrityException(what, "cannot decrypt: " + e.getMessage(), e);
    }
  }
}
