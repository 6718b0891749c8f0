package com.cps.dcs.kernel.hash;

import com.cps.dcs.kernel.crypto.NativeCrypto;
import java.security.MessageDigest;
import java.util.HexFormat;

/** SHA-256 helpers (the digest from {@link NativeCrypto}: the JDK's under C2, Conscrypt's in a C1-only JVM). */
public final class Sha256 {
  // A digest per thread: looking one up costs about as much as hashing a small event.
  private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(NativeCrypto::newSha256);

  private Sha256() {}

  /** SHA-256 over the concatenation of {@code parts}. */
  public static byte[] digest(byte[]... parts) {
    MessageDigest md = threadDigest();
    for (byte[] p : parts) {
      md.update(p);
    }
    return md.digest();
  }

  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  public static byte[] unhex(String hex) {
    return HexFormat.of().parseHex(hex);
  }

  static MessageDigest newDigest() {
    return NativeCrypto.newSha256();
  }

  /**
   * This thread's digest, reset: for a caller that hashes several messages in a row. It must not be held across a
   * call that hashes through this class, which resets the same object.
   */
  public static MessageDigest threadDigest() {
    MessageDigest md = DIGESTS.get();
    md.reset();
    return md;
  }
}
