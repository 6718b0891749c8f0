package com.cps.dcs.kernel.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A group signature verifies each message alone, for every group size and position (RFC 9162's tree shape, sizes
 * that are not powers of two included), and any change to a message or to any byte of its signature is refused.
 */
class BatchSignatureTest {
  private static final AgentKeys KEYS = AgentKeys.generateEphemeral();

  private static List<byte[]> messages(int n, int seed) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(("event " + seed + "/" + i).getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void everyMessageOfEveryGroupSizeVerifiesAlone() {
    qt().withExamples(60).forAll(integers().between(1, 300), integers().allPositive()).checkAssert((n, seed) -> {
      List<byte[]> m = messages(n, seed);
      List<byte[]> sigs = BatchSignature.signAll(KEYS.privateKey(), m);
      assertThat(sigs).hasSize(n);
      for (int i = 0; i < n; i++) {
        assertThat(BatchSignature.verify(KEYS.publicKey(), m.get(i), sigs.get(i))).as("message %d of %d", i, n)
            .isTrue();
      }
    });
  }

  @Test
  void aGroupOfOneIsAPlainEcdsaSignature() {
    byte[] m = "alone".getBytes(StandardCharsets.UTF_8);
    byte[] sig = BatchSignature.signAll(KEYS.privateKey(), List.of(m)).get(0);
    assertThat(sig[0]).isEqualTo((byte) 0x30);
    assertThat(Ecdsa.verify(KEYS.publicKey(), m, sig)).isTrue();
    assertThat(BatchSignature.verify(KEYS.publicKey(), m, sig)).isTrue();
  }

  @Test
  void aSignatureDoesNotVerifyAnotherMessageOfItsGroupNorAnAlteredOne() {
    qt().withExamples(40).forAll(integers().between(2, 64), integers().allPositive()).checkAssert((n, seed) -> {
      List<byte[]> m = messages(n, seed);
      List<byte[]> sigs = BatchSignature.signAll(KEYS.privateKey(), m);
      int i = seed % n;
      int j = (i + 1) % n;
      assertThat(BatchSignature.verify(KEYS.publicKey(), m.get(j), sigs.get(i))).isFalse();
      byte[] altered = m.get(i).clone();
      altered[altered.length - 1] ^= 1;
      assertThat(BatchSignature.verify(KEYS.publicKey(), altered, sigs.get(i))).isFalse();
      assertThat(BatchSignature.verify(AgentKeys.generateEphemeral().publicKey(), m.get(i), sigs.get(i))).isFalse();
    });
  }

  @Test
  void flippingAnyByteOfAGroupSignatureIsRefusedEvenOnceItsRootWasVerified() {
    List<byte[]> m = messages(37, 7);
    List<byte[]> sigs = BatchSignature.signAll(KEYS.privateKey(), m);
    byte[] sig = sigs.get(21);
    assertThat(BatchSignature.verify(KEYS.publicKey(), m.get(21), sig)).isTrue(); // the root is now remembered
    for (int pos = 0; pos < sig.length; pos++) {
      for (int mask : new int[] {1, 0x80, 0xff}) {
        byte[] bad = sig.clone();
        bad[pos] ^= (byte) mask;
        assertThat(BatchSignature.verify(KEYS.publicKey(), m.get(21), bad)).as("byte %d ^ %d", pos, mask).isFalse();
      }
    }
    assertThat(BatchSignature.verify(KEYS.publicKey(), m.get(21), java.util.Arrays.copyOf(sig, 12))).isFalse();
    assertThat(BatchSignature.verify(KEYS.publicKey(), m.get(21), new byte[0])).isFalse();
  }
}
