package com.cps.dcs.kernel.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.kernel.hash.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The providers NativeCrypto picks give the JDK's results, and it picks Conscrypt's SHA-256 only without C2. */
class NativeCryptoTest {
  private final Random random = new Random(42);

  private static boolean linuxX64() {
    String arch = System.getProperty("os.arch");
    return System.getProperty("os.name").toLowerCase().contains("linux")
        && (arch.equals("amd64") || arch.equals("x86_64"));
  }

  @Test
  void conscryptLoadsAndSealsOnThisPlatform() {
    if (linuxX64()) {
      assertThat(NativeCrypto.conscrypt()).isPresent();
      assertThat(NativeCrypto.newAesGcm().getProvider().getName()).isEqualTo("Conscrypt");
    }
  }

  @Test
  void sha256EqualsTheJdksForEveryLength() throws Exception {
    for (int n = 0; n < 600; n += 7) {
      byte[] data = new byte[n];
      random.nextBytes(data);
      byte[] expected = MessageDigest.getInstance("SHA-256").digest(data);
      assertThat(NativeCrypto.newSha256().digest(data)).isEqualTo(expected);
      // split in two parts, through the thread's reused digest
      assertThat(Sha256.digest(java.util.Arrays.copyOf(data, n / 2), java.util.Arrays.copyOfRange(data, n / 2, n)))
          .isEqualTo(expected);
    }
  }

  @Test
  void aesGcmInteroperatesWithTheJdkBothWays() throws Exception {
    for (int n = 0; n < 600; n += 37) {
      byte[] key = new byte[32];
      byte[] iv = new byte[12];
      byte[] plain = new byte[n];
      random.nextBytes(key);
      random.nextBytes(iv);
      random.nextBytes(plain);
      byte[] aad = ("event-" + n).getBytes(StandardCharsets.UTF_8);
      byte[] sealed = Aes.encrypt(key, iv, plain, aad);
      assertThat(jdk(Cipher.DECRYPT_MODE, key, iv, aad, sealed)).isEqualTo(plain);
      assertThat(Aes.decrypt(key, iv, jdk(Cipher.ENCRYPT_MODE, key, iv, aad, plain), aad, "test")).isEqualTo(plain);
      assertThat(sealed).isEqualTo(jdk(Cipher.ENCRYPT_MODE, key, iv, aad, plain));
    }
  }

  @Test
  void aTamperedCiphertextOrAadIsRefused() {
    byte[] key = new byte[32];
    byte[] iv = new byte[12];
    random.nextBytes(key);
    byte[] sealed = Aes.encrypt(key, iv, "a sale".getBytes(StandardCharsets.UTF_8), new byte[] {1});
    byte[] flipped = sealed.clone();
    flipped[0] ^= 1;
    assertThatThrownBy(() -> Aes.decrypt(key, iv, flipped, new byte[] {1}, "payload"))
        .isInstanceOf(IntegrityException.class).hasMessageContaining("authentication tag");
    assertThatThrownBy(() -> Aes.decrypt(key, iv, sealed, new byte[] {2}, "payload"))
        .isInstanceOf(IntegrityException.class).hasMessageContaining("authentication tag");
  }

  @Test
  void withoutC2TheDigestIsNativeWithC2ItIsTheJdks() throws Exception {
    assertThat(describeIn("-XX:TieredStopAtLevel=1"))
        .isEqualTo(NativeCrypto.conscrypt().isPresent() ? "AES-GCM Conscrypt, SHA-256 Conscrypt (C1 only)"
            : "AES-GCM JDK, SHA-256 JDK (C1 only)");
    assertThat(describeIn("-XX:TieredStopAtLevel=4"))
        .isEqualTo(NativeCrypto.conscrypt().isPresent() ? "AES-GCM Conscrypt, SHA-256 JDK (C2 available)"
            : "AES-GCM JDK, SHA-256 JDK (C2 available)");
  }

  /** What {@link NativeCrypto#describe} says in a JVM started with {@code option}. */
  private static String describeIn(String option) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), option,
        "-cp", System.getProperty("java.class.path"), Describe.class.getName()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      return out;
    } finally {
      p.destroyForcibly();
    }
  }

  private static byte[] jdk(int mode, byte[] key, byte[] iv, byte[] aad, byte[] in) throws Exception {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
    c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    c.updateAAD(aad);
    try {
      return c.doFinal(in);
    } catch (AEADBadTagException e) {
      throw new AssertionError("the JDK refused the tag", e);
    }
  }

  /** Prints {@link NativeCrypto#describe} (run in a child JVM by the test above). */
  public static final class Describe {
    public static void main(String[] args) {
      System.out.println(NativeCrypto.describe());
    }
  }
}
