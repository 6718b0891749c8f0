package com.cps.dcs.kernel.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.kernel.validation.InputRefused;
import com.cps.dcs.proto.v4.EventType;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TokensTest {
  static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");
  final AtomicReference<Instant> now = new AtomicReference<>(T0);
  final InstantSource clock = () -> now.get();
  final TokenKeys keys = TokenKeys.generateEphemeral();
  final TokenIssuer issuer = new TokenIssuer("tenant-a", keys);
  final InMemoryRevocationSet revoked = new InMemoryRevocationSet(clock);
  final TokenVerifier verifier = new TokenVerifier("tenant-a", keys.verificationOnly(), revoked, clock);

  static TokenClaims manager(String tenant, Instant issuedAt, Duration life) {
    return new TokenClaims(tenant, "staff-7", EnumSet.of(Role.MANAGER, Role.CASHIER),
        TokenScope.branches(List.of("branch-2", "branch-1")), issuedAt, issuedAt.plus(life), "tok-1");
  }

  TokenClaims manager() {
    return manager("tenant-a", T0, Duration.ofHours(12));
  }

  @Test
  void aTokenRoundTripsToItsClaims() {
    TokenClaims claims = new TokenClaims("tenant-a", "acme-erp", Set.of(Role.INTEGRATOR),
        TokenScope.integrator(Optional.of(List.of("branch-9")),
            Optional.of(List.of(EventType.SALE_COMPLETED, EventType.INVENTORY_RECEIVED)), false),
        T0, T0.plus(Duration.ofDays(30)), "tok-int-1");
    String token = issuer.issue(claims);
    assertThat(token).startsWith("dcs1.").hasSizeLessThan(400);
    TokenClaims back = verifier.verify(token);
    assertThat(back).isEqualTo(claims);
    assertThat(back.scope().coversBranch("branch-9")).isTrue();
    assertThat(back.scope().coversBranch("branch-1")).isFalse();
    assertThat(back.scope().coversEventType(EventType.SALE_COMPLETED)).isTrue();
    assertThat(back.scope().coversEventType(EventType.LEDGER_ENTRY_POSTED)).isFalse();
    assertThat(back.scope().write()).isFalse();
    assertThat(verifier.verify(issuer.issue(manager()))).isEqualTo(manager());
  }

  @Test
  void everyAlteredByteOfClaimsOrSignatureIsRefused() {
    String token = issuer.issue(manager());
    String[] parts = token.substring("dcs1.".length()).split("\\.");
    byte[] body = Base64.getUrlDecoder().decode(parts[0]);
    byte[] sig = Base64.getUrlDecoder().decode(parts[1]);
    for (int i = 0; i < body.length + sig.length; i++) {
      byte[] b = body.clone();
      byte[] s = sig.clone();
      if (i < b.length) {
        b[i] ^= 0x01;
      } else {
        s[i - b.length] ^= (byte) 0x80;
      }
      String altered = "dcs1." + b64(b) + "." + b64(s);
      int at = i;
      assertThatThrownBy(() -> verifier.verify(altered)).as("byte %d altered", at).isInstanceOf(TokenRejected.class);
    }
  }

  @Test
  void everyAlteredCharacterOfTheTextIsRefused() {
    String token = issuer.issue(manager());
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      String altered = token.substring(0, i) + (c == 'A' ? 'B' : 'A') + token.substring(i + 1);
      int at = i;
      assertThatThrownBy(() -> verifier.verify(altered)).as("character %d altered", at)
          .isInstanceOf(TokenRejected.class);
    }
    // One character more or less: not base64 of whole bytes (malformed), or a signature that does not verify.
    assertThat(reason(token + "A")).isIn(TokenRejected.Reason.MALFORMED, TokenRejected.Reason.INVALID);
    assertThat(reason(token.substring(0, token.length() - 1))).isIn(TokenRejected.Reason.MALFORMED,
        TokenRejected.Reason.INVALID);
    String body = token.substring(0, token.lastIndexOf('.'));
    assertThat(reason(body + "." + b64(new byte[73]))).isEqualTo(TokenRejected.Reason.MALFORMED); // no P-256 DER
  }

  @Test
  void anExpiredTokenIsRefusedAndOneJustBeforeItsExpiryIsNot() {
    String token = issuer.issue(manager());
    now.set(T0.plus(Duration.ofHours(12)).minusSeconds(1));
    assertThat(verifier.verify(token).subject()).isEqualTo("staff-7");
    now.set(T0.plus(Duration.ofHours(12)));
    assertThat(reason(token)).isEqualTo(TokenRejected.Reason.EXPIRED);
  }

  @Test
  void aTokenIssuedInTheFutureIsNotValidYetBeyondTheSkew() {
    String soon = issuer.issue(manager("tenant-a", T0.plus(TokenVerifier.DEFAULT_CLOCK_SKEW), Duration.ofHours(1)));
    assertThat(verifier.verify(soon).subject()).isEqualTo("staff-7");
    String later = issuer.issue(manager("tenant-a",
        T0.plus(TokenVerifier.DEFAULT_CLOCK_SKEW).plusSeconds(1), Duration.ofHours(1)));
    assertThat(reason(later)).isEqualTo(TokenRejected.Reason.NOT_YET_VALID);
  }

  @Test
  void anotherTenantsTokenLooksExactlyLikeAForgedOne() {
    TokenKeys otherKeys = TokenKeys.generateEphemeral();
    String other = new TokenIssuer("tenant-b", otherKeys).issue(manager("tenant-b", T0, Duration.ofHours(1)));
    TokenRejected foreign = rejection(other);
    String mine = issuer.issue(manager());
    TokenRejected forged = rejection(mine.substring(0, mine.length() - 2) + (mine.endsWith("AA") ? "BA" : "AA"));
    assertThat(foreign.reason()).isEqualTo(TokenRejected.Reason.INVALID);
    assertThat(foreign.reason()).isEqualTo(forged.reason());
    assertThat(foreign.getMessage()).isEqualTo(forged.getMessage());
    // The same key given to two tenants by mistake still does not let one tenant's token in at the other.
    String sameKeyOtherTenant = new TokenIssuer("tenant-b", keys).issue(manager("tenant-b", T0, Duration.ofHours(1)));
    assertThat(reason(sameKeyOtherTenant)).isEqualTo(TokenRejected.Reason.INVALID);
  }

  @Test
  void anOversizeTokenIsRefusedBeforeDecoding() {
    assertThat(reason("dcs1." + "A".repeat(TokenVerifier.MAX_TOKEN_CHARS))).isEqualTo(TokenRejected.Reason.MALFORMED);
    assertThat(reason("x".repeat(1_000_000))).isEqualTo(TokenRejected.Reason.MALFORMED);
    // Claims too large for a token are refused when minting, not cut.
    Set<String> many = IntStream.range(0, TokenScope.MAX_BRANCHES).mapToObj(i -> "b".repeat(100) + i)
        .collect(Collectors.toSet());
    TokenClaims huge = new TokenClaims("tenant-a", "x", Set.of(Role.INTEGRATOR),
        new TokenScope(false, many, true, Set.of(), false), T0, T0.plusSeconds(60), "tok-huge");
    assertThatThrownBy(() -> issuer.issue(huge)).hasMessageContaining("4096");
  }

  @Test
  void aRevokedTokenIsRefusedAndOthersAreNot() {
    String token = issuer.issue(manager());
    TokenClaims other = new TokenClaims("tenant-a", "staff-8", Set.of(Role.CASHIER), TokenScope.branches(
        List.of("branch-1")), T0, T0.plusSeconds(3600), "tok-2");
    String otherToken = issuer.issue(other);
    revoked.revoke("tok-1", T0.plus(Duration.ofHours(12)));
    assertThat(reason(token)).isEqualTo(TokenRejected.Reason.REVOKED);
    assertThat(verifier.verify(otherToken).tokenId()).isEqualTo("tok-2");
  }

  @Test
  void malformedTextsAreRefusedAsMalformed() {
    String token = issuer.issue(manager());
    for (String bad : new String[] {"", "dcs1.", "dcs1..", "Bearer " + token, token.replace("dcs1.", "dcs2."),
        token + ".x", token.replace('.', ','), token.substring(0, 40) + "=" + token.substring(41),
        "dcs1.AAAA.AAAA", "dcs1.\u00e9\u00e9.AAAA"}) {
      assertThat(reason(bad)).as(bad).isEqualTo(TokenRejected.Reason.MALFORMED);
    }
    assertThatThrownBy(() -> verifier.verify(null)).isInstanceOf(TokenRejected.class);
  }

  @Test
  void theCodecIsStrictAndCanonical() {
    byte[] body = TokenCodec.encode(manager(), keys.keyId());
    assertThat(TokenCodec.encode(TokenCodec.decode(body), keys.keyId())).isEqualTo(body);
    byte[] longer = java.util.Arrays.copyOf(body, body.length + 1);
    assertThatThrownBy(() -> TokenCodec.decode(longer)).isInstanceOf(TokenRejected.class);
    for (int cut = 0; cut < body.length; cut++) {
      byte[] shorter = java.util.Arrays.copyOf(body, cut);
      assertThatThrownBy(() -> TokenCodec.decode(shorter)).isInstanceOf(TokenRejected.class);
    }
  }

  @Test
  void claimsAreBoundedLikeEveryOtherInput() {
    Instant t = T0;
    assertThatThrownBy(() -> new TokenClaims("tenant-a", "a b", Set.of(Role.ADMIN), TokenScope.everything(), t,
        t.plusSeconds(1), "id")).isInstanceOf(InputRefused.class).hasMessageContaining("subject");
    assertThatThrownBy(() -> new TokenClaims("tenant-a", "x".repeat(129), Set.of(Role.ADMIN),
        TokenScope.everything(), t, t.plusSeconds(1), "id")).hasMessageContaining("128");
    assertThatThrownBy(() -> new TokenClaims("tenant-a", "s", Set.of(), TokenScope.everything(), t,
        t.plusSeconds(1), "id")).hasMessageContaining("role");
    assertThatThrownBy(() -> new TokenClaims("tenant-a", "s", Set.of(Role.ADMIN), TokenScope.everything(), t,
        t.plus(Duration.ofDays(367)), "id")).hasMessageContaining("366 days");
    assertThatThrownBy(() -> new TokenClaims("tenant-a", "s", Set.of(Role.ADMIN), TokenScope.everything(), t, t,
        "id")).hasMessageContaining("expires_at");
    assertThatThrownBy(() -> TokenScope.branches(List.of("branch\u202e1"))).hasMessageContaining("scope.branches");
    assertThatThrownBy(() -> new TokenScope(false, Set.of(), false, Set.of(EventType.UNKNOWN), false))
        .hasMessageContaining("scope.event_types");
  }

  @Test
  void rolesHaveStableWireNames() {
    assertThat(Role.parse("Manager")).contains(Role.MANAGER);
    assertThat(Role.parse("root")).isEmpty();
    assertThat(Role.fromBits(Role.bits(EnumSet.allOf(Role.class)))).contains(EnumSet.allOf(Role.class));
    assertThat(Role.fromBits(1 << 7)).isEmpty();
  }

  private String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private TokenRejected.Reason reason(String token) {
    return rejection(token).reason();
  }

  private TokenRejected rejection(String token) {
    try {
      verifier.verify(token);
    } catch (TokenRejected e) {
      return e;
    }
    throw new AssertionError("accepted: " + token);
  }
}
