package com.cps.dcs.service.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.auth.InMemoryRevocationSet;
import com.cps.dcs.kernel.auth.Role;
import com.cps.dcs.kernel.auth.TokenIssuer;
import com.cps.dcs.kernel.auth.TokenKeys;
import com.cps.dcs.kernel.auth.TokenScope;
import com.cps.dcs.kernel.auth.TokenVerifier;
import com.cps.dcs.service.grpc.GrpcErrors;
import com.google.rpc.ErrorInfo;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CallerAuthenticatorTest {
  static final String ADMIN_SECRET = BootstrapAdminTest.SECRET;
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T09:00:00Z"));
  final InstantSource clock = () -> now.get();
  final TokenKeys keys = TokenKeys.generateEphemeral();
  final InMemoryRevocationSet revoked = new InMemoryRevocationSet(clock);
  final CallerAuthenticator auth = new CallerAuthenticator(
      new TokenVerifier("tenant-a", keys.verificationOnly(), revoked, clock),
      Optional.of(new BootstrapAdmin(ADMIN_SECRET)));
  final TokenMinter minter = new TokenMinter(new TokenIssuer("tenant-a", keys), clock);

  @Test
  void aValidTokenBecomesTheCaller() {
    var m = minter.manager("staff-7", List.of("branch-1"));
    Caller c = auth.authenticate(headers("Bearer " + m.token()));
    assertThat(c).isEqualTo(new Caller("tenant-a", "staff-7", m.claims().roles(), m.claims().scope(),
        m.claims().tokenId()));
    assertThat(auth.authenticate("bearer   " + m.token() + " ").subject()).isEqualTo("staff-7");
  }

  @Test
  void theBootstrapSecretIsTheTenantsAdmin() {
    Caller c = auth.authenticate("Bearer " + ADMIN_SECRET);
    assertThat(c.roles()).containsExactly(Role.ADMIN);
    assertThat(c.scope()).isEqualTo(TokenScope.everything());
    assertThat(c.tenant()).isEqualTo("tenant-a");
    assertThat(c.subject()).isEqualTo(Caller.BOOTSTRAP_SUBJECT);
    assertThat(reason(() -> auth.authenticate("Bearer " + ADMIN_SECRET.substring(1) + "x")))
        .isEqualTo("CREDENTIAL_MALFORMED");
  }

  @Test
  void missingDuplicatedOrOtherSchemesAreRefused() {
    assertThat(reason(() -> auth.authenticate(new Metadata()))).isEqualTo("CREDENTIAL_MISSING");
    Metadata two = headers("Bearer " + ADMIN_SECRET);
    two.put(CallerAuthenticator.AUTHORIZATION, "Bearer " + ADMIN_SECRET);
    assertThat(reason(() -> auth.authenticate(two))).isEqualTo("CREDENTIAL_MALFORMED");
    for (String bad : List.of("Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer ", ADMIN_SECRET, "Bearer a b",
        "Bearer " + "x".repeat(5000), "Token " + ADMIN_SECRET)) {
      assertThat(reason(() -> auth.authenticate(bad))).as(bad).isEqualTo("CREDENTIAL_MALFORMED");
    }
  }

  @Test
  void aRememberedTokenIsStillCheckedForExpiryAndRevocation() {
    var m = minter.cashier("staff-1", List.of("branch-1"));
    assertThat(auth.authenticate("Bearer " + m.token()).subject()).isEqualTo("staff-1");
    revoked.revoke(m.claims().tokenId(), m.claims().expiresAt());
    assertThat(reason(() -> auth.authenticate("Bearer " + m.token()))).isEqualTo("CREDENTIAL_REVOKED");
    var n = minter.cashier("staff-2", List.of("branch-1"));
    assertThat(auth.authenticate("Bearer " + n.token()).subject()).isEqualTo("staff-2");
    now.set(n.claims().expiresAt());
    assertThat(reason(() -> auth.authenticate("Bearer " + n.token()))).isEqualTo("CREDENTIAL_EXPIRED");
  }

  @Test
  void anotherTenantsTokenIsRefusedExactlyLikeAForgedOne() {
    var other = new TokenMinter(new TokenIssuer("tenant-b", TokenKeys.generateEphemeral()), clock)
        .admin("root");
    var mine = minter.admin("root");
    String forged = mine.token().substring(0, mine.token().length() - 2)
        + (mine.token().endsWith("AA") ? "BA" : "AA");
    StatusRuntimeException a = refusal(() -> auth.authenticate("Bearer " + other.token()));
    StatusRuntimeException b = refusal(() -> auth.authenticate("Bearer " + forged));
    assertThat(a.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAUTHENTICATED);
    assertThat(GrpcErrors.statusOf(a)).isEqualTo(GrpcErrors.statusOf(b));
    assertThat(a.getStatus().getDescription()).isEqualTo("the credential is not valid");
  }

  @Test
  void theCacheStaysBounded() {
    for (int i = 0; i < CallerAuthenticator.CACHE_ENTRIES + 10; i++) {
      auth.authenticate("Bearer " + minter.agent("agent-" + i, TokenScope.everything()).token());
    }
    var last = minter.agent("agent-last", TokenScope.everything());
    assertThat(auth.authenticate("Bearer " + last.token()).subject()).isEqualTo("agent-last");
  }

  static Metadata headers(String authorization) {
    Metadata h = new Metadata();
    h.put(CallerAuthenticator.AUTHORIZATION, authorization);
    return h;
  }

  static String reason(Runnable r) {
    return GrpcErrors.detail(GrpcErrors.statusOf(refusal(r)), ErrorInfo.class).orElseThrow().getReason();
  }

  static StatusRuntimeException refusal(Runnable r) {
    try {
      r.run();
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAUTHENTICATED);
      return e;
    }
    throw new AssertionError("accepted");
  }
}
