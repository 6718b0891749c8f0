package com.cps.dcs.service.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.kernel.auth.InMemoryRevocationSet;
import com.cps.dcs.kernel.auth.Role;
import com.cps.dcs.kernel.auth.TokenKeys;
import com.cps.dcs.kernel.auth.TokenScope;
import com.cps.dcs.kernel.auth.TokenVerifier;
import com.cps.dcs.proto.v4.EventType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenMinterTest {
  static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");
  final InstantSource clock = () -> T0;

  @TempDir
  Path keyDir;

  @Test
  void peopleGetAWorkingDayAndTheirScope() {
    TokenMinter minter = TokenMinter.fromKeyDir(keyDir, "tenant-a", clock);
    var m = minter.manager("staff-7", List.of("branch-1"));
    assertThat(m.claims().lifetime()).isEqualTo(Duration.ofHours(12));
    assertThat(m.claims().issuedAt()).isEqualTo(T0);
    assertThat(m.claims().roles()).containsExactlyInAnyOrder(Role.MANAGER, Role.CASHIER);
    assertThat(m.claims().scope()).isEqualTo(TokenScope.branches(List.of("branch-1")));
    assertThat(minter.cashier("staff-8", List.of("branch-1")).claims().roles()).containsExactly(Role.CASHIER);
    assertThat(minter.admin("alice").claims().scope()).isEqualTo(TokenScope.everything());
    assertThat(m.toString()).doesNotContain(m.token());
    // a service of the tenant verifies it with the key folder alone
    TokenVerifier v = new TokenVerifier("tenant-a", TokenKeys.loadForVerification(keyDir, "tenant-a"),
        new InMemoryRevocationSet(clock), clock);
    assertThat(v.verify(m.token())).isEqualTo(m.claims());
  }

  @Test
  void integratorsGetTheLifeAskedUpToTheMaximum() {
    TokenMinter minter = new TokenMinter(new com.cps.dcs.kernel.auth.TokenIssuer("tenant-a",
        TokenKeys.generateEphemeral()), clock);
    TokenScope scope = TokenScope.integrator(Optional.of(List.of("branch-1")),
        Optional.of(List.of(EventType.SALE_COMPLETED)), false);
    assertThat(minter.integrator("acme", scope, Duration.ofDays(30)).claims().lifetime())
        .isEqualTo(Duration.ofDays(30));
    assertThat(minter.integrator("acme", scope, TokenMinter.INTEGRATOR_MAX_LIFE).claims().scope()).isEqualTo(scope);
    assertThatThrownBy(() -> minter.integrator("acme", scope, TokenMinter.INTEGRATOR_MAX_LIFE.plusSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2160 hours");
    assertThatThrownBy(() -> minter.integrator("acme", scope, Duration.ofSeconds(59)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> minter.mint("x", EnumSet.of(Role.ADMIN, Role.INTEGRATOR), TokenScope.everything(),
        Duration.ofDays(2))).hasMessageContaining("12 hours");
    assertThatThrownBy(() -> minter.mint("x", Set.of(), TokenScope.everything(), Duration.ofHours(1)))
        .hasMessageContaining("role");
    assertThatThrownBy(() -> minter.integrator("acme corp", scope, Duration.ofDays(1)))
        .hasMessageContaining("subject");
  }

  @Test
  void everyTokenHasItsOwnId() {
    TokenMinter minter = new TokenMinter(new com.cps.dcs.kernel.auth.TokenIssuer("tenant-a",
        TokenKeys.generateEphemeral()), clock);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      ids.add(minter.agent("agent-1", TokenScope.branches(List.of("branch-1"))).claims().tokenId());
    }
    assertThat(ids).hasSize(200);
  }
}
