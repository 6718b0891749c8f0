package com.cps.dcs.kernel.crypto;

import com.cps.dcs.proto.v4.SovereignPayload;
import com.google.protobuf.ByteString;
import java.util.Arrays;

/**
 * Envelope encryption of one payload: a fresh 256-bit data key per call encrypts the payload with AES-256-GCM
 * (12-byte random IV, 16-byte tag kept in {@code auth_tag}); the data key is wrapped by the KEK and stored beside it.
 */
public final class EnvelopeSealer {
  /** Schema version written into every sealed payload. */
  public static final int SCHEMA_VERSION = 1;

  private final KeyEncryptionKeyProvider kek;

  public EnvelopeSealer(KeyEncryptionKeyProvider kek) {
    this.kek = kek;
  }

  /** Seals {@code plaintext}; {@code aad} (e.g. the event id) is authenticated but not encrypted. */
  public SovereignPayload seal(byte[] plaintext, byte[] aad) {
    byte[] dataKey = Aes.randomBytes(32);
    try {
      byte[] iv = Aes.randomBytes(Aes.IV_BYTES);
      byte[] out = Aes.encrypt(dataKey, iv, plaintext, aad);
      int split = out.length - Aes.TAG_BYTES;
      return SovereignPayload.newBuilder()
          .setEncryptedData(ByteString.copyFrom(out, 0, split))
          .setAuthTag(ByteString.copyFrom(out, split, Aes.TAG_BYTES))
          .setIv(ByteString.copyFrom(iv))
          .setEncryptedDek(ByteString.copyFrom(kek.wrap(dataKey)))
          .setKmsKeyId(kek.keyId())
          .setSchemaVersion(SCHEMA_VERSION)
          .build();
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  /**
   * Opens a sealed payload.
   *
   * @throws IntegrityException when the ciphertext, tag, IV, wrapped key or associated data was altered
   */
  public byte[] open(SovereignPayload payload, byte[] aad) {
    if (payload.getAuthTag().size() != Aes.TAG_BYTES) {
      throw new IntegrityException("envelope", "auth_tag is " + payload.getAuthTag().size() + " bytes, expected 16");
    }
    byte[] dataKey = kek.unwrap(payload.getEncryptedDek().toByteArray(), payload.getKmsKeyId());
    try {
      byte[] ct = payload.getEncryptedData().concat(payload.getAuthTag()).toByteArray();
      return Aes.decrypt(dataKey, payload.getIv().toByteArray(), ct, aad, "envelope");
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }
}
