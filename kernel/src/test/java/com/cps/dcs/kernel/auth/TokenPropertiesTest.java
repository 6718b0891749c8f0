package com.cps.dcs.kernel.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.cps.dcs.proto.v4.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Any claims round-trip through a token unchanged, and have exactly one encoding. */
class TokenPropertiesTest {
  static final TokenKeys KEYS = TokenKeys.generateEphemeral();
  static final List<EventType> TYPES = Arrays.stream(EventType.values())
      .filter(t -> t != EventType.UNKNOWN && t != EventType.UNRECOGNIZED).toList();

  @Test
  void anyClaimsRoundTrip() {
    TokenIssuer issuer = new TokenIssuer("tenant-p", KEYS);
    qt().withExamples(300).forAll(integers().between(1, 31), longs().between(0, 1L << 34),
        integers().between(1, 366 * 86_400), longs().all())
        .checkAssert((roleBits, issued, lifeSeconds, seed) -> {
          java.util.Random r = new java.util.Random(seed);
          int width = r.nextInt(41);
          Set<Role> roles = Role.fromBits(roleBits).orElseThrow();
          TreeSet<String> branches = new TreeSet<>();
          int nBranches = r.nextInt(width + 1);
          for (int i = 0; i < nBranches; i++) {
            branches.add(id(r, 1 + r.nextInt(20)));
          }
          EnumSet<EventType> types = EnumSet.noneOf(EventType.class);
          int nTypes = r.nextInt(Math.min(width, TYPES.size()) + 1);
          for (int i = 0; i < nTypes; i++) {
            types.add(TYPES.get(r.nextInt(TYPES.size())));
          }
          boolean allBranches = branches.isEmpty() && r.nextBoolean();
          boolean allTypes = types.isEmpty() && r.nextBoolean();
          TokenScope scope = new TokenScope(allBranches, branches, allTypes, types, r.nextBoolean());
          Instant at = Instant.ofEpochSecond(issued);
          TokenClaims c = new TokenClaims("tenant-p", id(r, 1 + r.nextInt(128)), roles, scope, at,
              at.plus(Duration.ofSeconds(lifeSeconds)), id(r, 1 + r.nextInt(40)));
          String token = issuer.issue(c);
          TokenVerifier v = new TokenVerifier("tenant-p", KEYS, new InMemoryRevocationSet(() -> at), () -> at);
          assertThat(v.verify(token)).isEqualTo(c);
          byte[] body = TokenCodec.encode(c, KEYS.keyId());
          assertThat(TokenCodec.encode(TokenCodec.decode(body), KEYS.keyId())).isEqualTo(body);
        });
  }

  /** An id of printable characters, some beyond ASCII (UTF-8 of two to four bytes). */
  private static String id(java.util.Random r, int length) {
    String alphabet = "abcXYZ019._-:/@\u00e9\u00df\u4e2d\ud83d\ude00";
    StringBuilder b = new StringBuilder();
    while (b.length() < length) {
      int i = r.nextInt(alphabet.length() - 1);
      if (Character.isHighSurrogate(alphabet.charAt(i))) {
        if (b.length() + 2 > length) {
          continue;
        }
        b.append(alphabet, i, i + 2);
      } else if (!Character.isLowSurrogate(alphabet.charAt(i))) {
        b.append(alphabet.charAt(i));
      }
    }
    return b.toString();
  }
}
