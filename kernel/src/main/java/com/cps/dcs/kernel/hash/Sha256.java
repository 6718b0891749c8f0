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
    MessageDigest md = DIGESTS.get();
    md.reset();
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
}
