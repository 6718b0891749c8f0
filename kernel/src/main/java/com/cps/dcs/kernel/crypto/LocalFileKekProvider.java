package com.cps.dcs.kernel.crypto;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A KEK held in a local file (32 random bytes, created on first use, owner-only permissions). Data keys are wrapped
 * with AES-256-GCM under it: {@code iv || ciphertext || tag}, the key id bound as associated data. For branches and
 * one-machine runs without Vault.
 */
public final class LocalFileKekProvider implements KeyEncryptionKeyProvider {
  private final byte[] kek;
  private final String keyId;

  public LocalFileKekProvider(Path file, String keyId) {
    this.kek = Secrets.loadOrCreate(file, 32);
    this.keyId = keyId;
  }

  @Override
  public String keyId() {
    return keyId;
  }

  @Override
  public byte[] wrap(byte[] dataKey) {
    byte[] iv = Aes.randomBytes(Aes.IV_BYTES);
    byte[] sealed = Aes.encrypt(kek, iv, dataKey, keyId.getBytes(StandardCharsets.UTF_8));
    byte[] out = Arrays.copyOf(iv, iv.length + sealed.length);
    System.arraycopy(sealed, 0, out, iv.length, sealed.length);
    return out;
  }

  @Override
  public byte[] unwrap(byte[] wrapped, String wrappedKeyId) {
    if (!keyId.equals(wrappedKeyId)) {
      throw new IntegrityException("key", "data key was wrapped by '" + wrappedKeyId + "', this KEK is '" + keyId + "'");
    }
    if (wrapped.length <= Aes.IV_BYTES + Aes.TAG_BYTES) {
      throw new IntegrityException("key", "wrapped data key is too short");
    }
    byte[] iv = Arrays.copyOf(wrapped, Aes.IV_BYTES);
    byte[] rest = Arrays.copyOfRange(wrapped, Aes.IV_BYTES, wrapped.length);
    return Aes.decrypt(kek, iv, rest, keyId.getBytes(StandardCharsets.UTF_8), "key");
  }
}
