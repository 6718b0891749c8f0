package com.cps.dcs.kernel.crypto;

import java.lang.management.ManagementFactory;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Where the kernel's symmetric primitives come from. The JDK's AES-GCM and SHA-256 are fast only in code compiled
 * by C2, whose intrinsics use the CPU's AES and SHA instructions; a JVM limited to C1 (as {@code ./dcs run} and the
 * multi-service tests start the services, {@code -XX:TieredStopAtLevel=1}) runs them as plain Java: AES-GCM of a
 * 400-byte payload about 17 us instead of 1 us, SHA-256 about 4.5 us instead of 0.5 us ({@code docs/benchmarks.md}).
 * Conscrypt (BoringSSL, already the kernel's ECDSA) does both natively at the same speed under either compiler, but
 * each call crosses JNI, which costs more than C2's SHA-256 of a small message. So:
 * <ul>
 *   <li>AES-GCM: Conscrypt wherever its native library loads and passes a round trip with the JDK's cipher;</li>
 *   <li>SHA-256: Conscrypt only when this JVM has no C2, the JDK otherwise;</li>
 *   <li>otherwise the JDK's providers, as before.</li>
 * </ul>
 * Both sides produce the standard outputs (a test checks them against each other), so the choice changes speed,
 * never a result.
 */
public final class NativeCrypto {
  private static final Provider CONSCRYPT = load();
  private static final boolean C2 = hasC2();
  private static final Provider AES = CONSCRYPT != null && aesAgrees(CONSCRYPT) ? CONSCRYPT : null;
  private static final Provider SHA = CONSCRYPT != null && !C2 && shaAgrees(CONSCRYPT) ? CONSCRYPT : null;

  private NativeCrypto() {}

  /** Conscrypt's provider, when its native library loads on this machine. */
  static Optional<Provider> conscrypt() {
    return Optional.ofNullable(CONSCRYPT);
  }

  /** A new AES/GCM/NoPadding cipher from the chosen provider. */
  public static Cipher newAesGcm() {
    try {
      return AES != null ? Cipher.getInstance("AES/GCM/NoPadding", AES) : Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /** A new SHA-256 digest from the chosen provider. */
  public static MessageDigest newSha256() {
    try {
      return SHA != null ? MessageDigest.getInstance("SHA-256", SHA) : MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** For the logs and the benchmarks: which provider does what here. */
  public static String describe() {
    return "AES-GCM " + (AES != null ? AES.getName() : "JDK") + ", SHA-256 " + (SHA != null ? SHA.getName() : "JDK")
        + (C2 ? " (C2 available)" : " (C1 only)");
  }

  private static Provider load() {
    try {
      return org.conscrypt.Conscrypt.newProvider();
    } catch (Throwable e) { // UnsatisfiedLinkError and friends: no native library for this platform
      return null;
    }
  }

  /** False when this HotSpot JVM stops below tier 4 (no C2); true when it cannot tell. */
  static boolean hasC2() {
    try {
      var vm = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
      boolean tiered = Boolean.parseBoolean(vm.getVMOption("TieredCompilation").getValue());
      return !tiered || Integer.parseInt(vm.getVMOption("TieredStopAtLevel").getValue()) >= 4;
    } catch (RuntimeException | LinkageError e) {
      return true;
    }
  }

  /** Encrypts with {@code p}, decrypts with the JDK and back: the same bytes, or {@code p} is not used. */
  static boolean aesAgrees(Provider p) {
    try {
      byte[] key = Aes.randomBytes(32);
      byte[] iv = Aes.randomBytes(Aes.IV_BYTES);
      byte[] aad = {7, 7};
      byte[] plain = Aes.randomBytes(100);
      GCMParameterSpec spec = new GCMParameterSpec(Aes.TAG_BYTES * 8, iv);
      SecretKeySpec k = new SecretKeySpec(key, "AES");
      Cipher ours = Cipher.getInstance("AES/GCM/NoPadding", p);
      ours.init(Cipher.ENCRYPT_MODE, k, spec);
      ours.updateAAD(aad);
      byte[] sealed = ours.doFinal(plain);
      Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
      jdk.init(Cipher.DECRYPT_MODE, k, spec);
      jdk.updateAAD(aad);
      if (!Arrays.equals(jdk.doFinal(sealed), plain)) {
        return false;
      }
      ours.init(Cipher.DECRYPT_MODE, k, spec);
      ours.updateAAD(aad);
      return Arrays.equals(ours.doFinal(sealed), plain);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  static boolean shaAgrees(Provider p) {
    try {
      byte[] data = Aes.randomBytes(300);
      return Arrays.equals(MessageDigest.getInstance("SHA-256", p).digest(data),
          MessageDigest.getInstance("SHA-256").digest(data));
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
