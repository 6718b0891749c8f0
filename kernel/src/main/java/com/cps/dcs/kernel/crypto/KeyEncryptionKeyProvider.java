package com.cps.dcs.kernel.crypto;

/**
 * Wraps and unwraps per-event data keys with a key-encryption key (KEK) that never leaves its keeper: a local key
 * file ({@link LocalFileKekProvider}) or HashiCorp Vault Transit ({@link VaultTransitKekProvider}).
 */
public interface KeyEncryptionKeyProvider {

  /** The id of the KEK used by {@link #wrap}, stored with each event as {@code kms_key_id}. */
  String keyId();

  byte[] wrap(byte[] dataKey);

  /**
   * @throws IntegrityException when {@code wrapped} was altered or was wrapped by another key
   */
  byte[] unwrap(byte[] wrapped, String keyId);
}
