package com.cps.dcs.kernel.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import org.junit.jupiter.api.Test;

/** Whichever provider signs or verifies, they agree: the wire form is standard DER ECDSA P-256. */
class EcdsaTest {
  private final AgentKeys keys = AgentKeys.generateEphemeral();
  private final byte[] data = "an event's canonical bytes".getBytes(StandardCharsets.UTF_8);

  @Test
  void conscryptSignsOnThisPlatform() {
    String os = System.getProperty("os.name").toLowerCase();
    String arch = System.getProperty("os.arch");
    if (os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
      assertThat(Ecdsa.signingProvider()).isEqualTo("Conscrypt");
    } else {
      assertThat(Ecdsa.signingProvider()).isIn("Conscrypt", "BC");
    }
  }

  @Test
  void signaturesVerifyWithBouncyCastleAndTheJdk() throws Exception {
    for (int i = 0; i < 50; i++) {
      byte[] sig = Ecdsa.sign(keys.privateKey(), data);
      assertThat(Ecdsa.verify(keys.publicKey(), data, sig)).isTrue();
      assertThat(Ecdsa.verifyWithBouncyCastle(keys.publicKey(), data, sig)).isTrue();
      Signature jdk = Signature.getInstance("SHA256withECDSA");
      jdk.initVerify(KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(keys.publicKeyBytes())));
      jdk.update(data);
      assertThat(jdk.verify(sig)).isTrue();
    }
  }

  @Test
  void bouncyCastleSignaturesVerifyToo() {
    byte[] sig = Ecdsa.signWithBouncyCastle(keys.privateKey(), data);
    assertThat(Ecdsa.verify(keys.publicKey(), data, sig)).isTrue();
  }

  @Test
  void jdkSignaturesVerifyToo() throws Exception {
    Signature jdk = Signature.getInstance("SHA256withECDSA");
    jdk.initSign(KeyFactory.getInstance("EC").generatePrivate(
        new java.security.spec.PKCS8EncodedKeySpec(keys.privateKey().getEncoded())));
    jdk.update(data);
    byte[] sig = jdk.sign();
    assertThat(Ecdsa.verify(keys.publicKey(), data, sig)).isTrue();
    assertThat(Ecdsa.verifyWithBouncyCastle(keys.publicKey(), data, sig)).isTrue();
  }

  @Test
  void malformedSignaturesAreRefusedNotThrown() {
    byte[] sig = Ecdsa.sign(keys.privateKey(), data);
    for (byte[] bad : new byte[][] {{}, {1, 2, 3}, java.util.Arrays.copyOf(sig, sig.length - 1), {0x30, 0x02, 0x02, 0x01}}) {
      assertThat(Ecdsa.verify(keys.publicKey(), data, bad)).isFalse();
      assertThat(Ecdsa.verifyWithBouncyCastle(keys.publicKey(), data, bad)).isFalse();
    }
  }

  @Test
  void aSignatureOfOtherDataOrByAnotherKeyIsRefused() {
    byte[] sig = Ecdsa.sign(keys.privateKey(), data);
    byte[] other = data.clone();
    other[0] ^= 1;
    assertThat(Ecdsa.verify(keys.publicKey(), other, sig)).isFalse();
    assertThat(Ecdsa.verify(AgentKeys.generateEphemeral().publicKey(), data, sig)).isFalse();
  }

  @Test
  void signaturesAreRandomizedButAllVerify() {
    byte[] a = Ecdsa.sign(keys.privateKey(), data);
    byte[] b = Ecdsa.sign(keys.privateKey(), data);
    assertThat(a).isNotEqualTo(b);
    assertThat(Ecdsa.verify(keys.publicKey(), data, a)).isTrue();
    assertThat(Ecdsa.verify(keys.publicKey(), data, b)).isTrue();
  }
}
