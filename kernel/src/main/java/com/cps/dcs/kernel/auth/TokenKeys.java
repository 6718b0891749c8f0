package com.cps.dcs.kernel.auth;

import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.Ecdsa;
import com.cps.dcs.kernel.crypto.Secrets;
import com.cps.dcs.kernel.hash.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;

/**
 * A tenant's token key: ECDSA P-256 (the agents' signature, {@link Ecdsa}). Services that mint tokens hold the pair;
 * every other service, an offline branch included, needs only the public key to verify.
 *
 * <p>Kept in the key folder ({@code DCS_KEY_DIR}) like the tenant's other keys, created on first use:
 * {@code token-<tenant>.key} holds the pair (owner-only) and {@code token-<tenant>.pub} the public key alone (X.509),
 * the one file a branch that only verifies needs. The pair is created in one file, published with a hard link that
 * never replaces an existing file, so services starting at once all end up with the first one created.
 */
public final class TokenKeys {
  private static final String TENANT_FILE_ID = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";
  private static final int MAX_KEY_FILE = 4096;

  private final PublicKey publicKey;
  private final PrivateKey privateKey; // null: verification only
  private final byte[] keyId;

  private TokenKeys(PublicKey publicKey, PrivateKey privateKey) {
    this.publicKey = publicKey;
    this.privateKey = privateKey;
    this.keyId = Arrays.copyOf(Sha256.digest(publicKey.getEncoded()), TokenCodec.KEY_ID_BYTES);
  }

  /** The tenant's key pair from {@code keyDir}, created (with its public file) when missing. */
  public static TokenKeys loadOrCreate(Path keyDir, String tenantId) {
    Path pairFile = pairFile(keyDir, tenantId);
    Path pubFile = publicFile(keyDir, tenantId);
    try {
      if (!Files.exists(pairFile)) {
        KeyPair pair = generatePair();
        Secrets.createExclusively(pairFile, pairBytes(pair), true);
      }
      TokenKeys keys = readPair(pairFile);
      byte[] pub = keys.publicKey.getEncoded();
      if (!Files.exists(pubFile)) {
        Secrets.createExclusively(pubFile, pub, false);
      }
      if (!Arrays.equals(Files.readAllBytes(pubFile), pub)) {
        throw new IllegalStateException(pubFile + " is not the public key of " + pairFile
            + ": remove the stale one, or restore the pair that goes with it");
      }
      return keys;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the token key of tenant " + tenantId + " in " + keyDir, e);
    }
  }

  /**
   * The key a verifying service needs: {@code token-<tenant>.pub} when present (a branch may be given that file
   * alone), otherwise the pair, created when missing.
   */
  public static TokenKeys loadForVerification(Path keyDir, String tenantId) {
    Path pubFile = publicFile(keyDir, tenantId);
    if (Files.exists(pubFile) && !Files.exists(pairFile(keyDir, tenantId))) {
      try {
        byte[] pub = Files.readAllBytes(pubFile);
        return new TokenKeys(AgentKeys.publicKeyFromX509(pub), null);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + pubFile, e);
      }
    }
    return loadOrCreate(keyDir, tenantId);
  }

  /** A fresh pair held only in memory (tests, tools). */
  public static TokenKeys generateEphemeral() {
    KeyPair pair = generatePair();
    return new TokenKeys(pair.getPublic(), pair.getPrivate());
  }

  /** A verification-only key from its X.509 encoding. */
  public static TokenKeys ofPublicKey(byte[] x509) {
    return new TokenKeys(AgentKeys.publicKeyFromX509(x509), null);
  }

  /** This key without its private half. */
  public TokenKeys verificationOnly() {
    return new TokenKeys(publicKey, null);
  }

  public boolean canSign() {
    return privateKey != null;
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  /** The first 8 bytes of SHA-256 over the X.509 public key: which key signed a token. */
  public byte[] keyId() {
    return keyId.clone();
  }

  boolean hasKeyId(byte[] id) {
    return Arrays.equals(keyId, id);
  }

  byte[] sign(byte[] data) {
    if (privateKey == null) {
      throw new IllegalStateException("this token key only verifies: the private key is not here");
    }
    return Ecdsa.sign(privateKey, data);
  }

  boolean verify(byte[] data, byte[] signature) {
    return Ecdsa.verify(publicKey, data, signature);
  }

  static Path pairFile(Path keyDir, String tenantId) {
    return keyDir.resolve("token-" + fileId(tenantId) + ".key");
  }

  static Path publicFile(Path keyDir, String tenantId) {
    return keyDir.resolve("token-" + fileId(tenantId) + ".pub");
  }

  private static String fileId(String tenantId) {
    if (tenantId == null || !tenantId.matches(TENANT_FILE_ID)) {
      throw new IllegalArgumentException("a tenant id in a key file name is 1 to 128 letters, digits, '.', '_' or"
          + " '-', starting with a letter or digit");
    }
    return tenantId;
  }

  private static KeyPair generatePair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("P-256 unavailable", e);
    }
  }

  /** u16 length and X.509 public key, then u16 length and PKCS#8 private key. */
  private static byte[] pairBytes(KeyPair pair) {
    byte[] pub = pair.getPublic().getEncoded();
    byte[] priv = pair.getPrivate().getEncoded();
    return ByteBuffer.allocate(4 + pub.length + priv.length).putShort((short) pub.length).put(pub)
        .putShort((short) priv.length).put(priv).array();
  }

  private static TokenKeys readPair(Path file) throws IOException {
    if (Files.size(file) > MAX_KEY_FILE) {
      throw new IllegalStateException(file + " is not a token key file (too large)");
    }
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
    try {
      byte[] pub = new byte[in.getShort() & 0xFFFF];
      in.get(pub);
      byte[] priv = new byte[in.getShort() & 0xFFFF];
      in.get(priv);
      if (in.hasRemaining()) {
        throw new IllegalStateException(file + " is not a token key file (bytes left over)");
      }
      PrivateKey privateKey = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(priv));
      TokenKeys keys = new TokenKeys(AgentKeys.publicKeyFromX509(pub), privateKey);
      byte[] probe = {'p', 'r', 'o', 'b', 'e'};
      if (!keys.verify(probe, keys.sign(probe))) {
        throw new IllegalStateException(file + " holds a private key that does not match its public key");
      }
      return keys;
    } catch (java.nio.BufferUnderflowException | GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException(file + " is not a token key file", e);
    }
  }

  private static void restrict(Path p, String permissions) throws IOException {
    if (p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(permissions));
    }
  }
}
