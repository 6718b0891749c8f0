package com.cps.dcs.service.auth;

import com.cps.dcs.kernel.auth.Role;
import com.cps.dcs.kernel.auth.TokenClaims;
import com.cps.dcs.kernel.auth.TokenIssuer;
import com.cps.dcs.kernel.auth.TokenKeys;
import com.cps.dcs.kernel.auth.TokenScope;
import com.cps.dcs.kernel.id.UuidV7;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Mints the tenant's tokens (for the admin RPC and {@code ./dcs token} to come): short lives by default, and a
 * maximum life per role that no request can exceed. Each token gets a fresh UUIDv7 id, which is what a revocation
 * names.
 */
public final class TokenMinter {
  /** The life of a person's token (cashier, manager, admin): a working day. */
  public static final Duration PERSON_LIFE = Duration.ofHours(12);
  /** The default life of an agent's token. */
  public static final Duration AGENT_LIFE = Duration.ofHours(24);
  /** The longest life an integrator's token may be given. */
  public static final Duration INTEGRATOR_MAX_LIFE = Duration.ofDays(90);
  /** The longest life per role; a token of several roles gets the shortest of theirs. */
  public static final Map<Role, Duration> MAX_LIFE = Map.of(
      Role.CASHIER, PERSON_LIFE,
      Role.MANAGER, PERSON_LIFE,
      Role.ADMIN, PERSON_LIFE,
      Role.AGENT, Duration.ofDays(7),
      Role.INTEGRATOR, INTEGRATOR_MAX_LIFE);
  /** The shortest life a token may be given. */
  public static final Duration MIN_LIFE = Duration.ofMinutes(1);

  private final TokenIssuer issuer;
  private final InstantSource clock;
  private final UuidV7 ids;

  public TokenMinter(TokenIssuer issuer, InstantSource clock) {
    this.issuer = issuer;
    this.clock = clock;
    this.ids = UuidV7.generator(clock, new SecureRandom());
  }

  /** A minter over the tenant's token key pair in {@code keyDir} (created when missing). */
  public static TokenMinter fromKeyDir(Path keyDir, String tenantId, InstantSource clock) {
    return new TokenMinter(new TokenIssuer(tenantId, TokenKeys.loadOrCreate(keyDir, tenantId)), clock);
  }

  /** A minted token and what it says. */
  public record Minted(String token, TokenClaims claims) {
    @Override
    public String toString() {
      return "Minted[" + claims + "]"; // the token itself is a secret: not in logs
    }
  }

  /** A cashier of {@code branches}, for {@link #PERSON_LIFE}. */
  public Minted cashier(String staffId, Collection<String> branches) {
    return mint(staffId, EnumSet.of(Role.CASHIER), TokenScope.branches(branches), PERSON_LIFE);
  }

  /** A manager of {@code branches} (who also works the till), for {@link #PERSON_LIFE}. */
  public Minted manager(String staffId, Collection<String> branches) {
    return mint(staffId, EnumSet.of(Role.MANAGER, Role.CASHIER), TokenScope.branches(branches), PERSON_LIFE);
  }

  /** An admin of the whole tenant, for {@link #PERSON_LIFE}. */
  public Minted admin(String user) {
    return mint(user, EnumSet.of(Role.ADMIN), TokenScope.everything(), PERSON_LIFE);
  }

  /** An integrator's program with the scope and life asked for (at most {@link #INTEGRATOR_MAX_LIFE}). */
  public Minted integrator(String name, TokenScope scope, Duration life) {
    return mint(name, EnumSet.of(Role.INTEGRATOR), scope, life);
  }

  /** An agent, for its branch (or every branch: a region, the master), for {@link #AGENT_LIFE}. */
  public Minted agent(String agentId, TokenScope scope) {
    return mint(agentId, EnumSet.of(Role.AGENT), scope, AGENT_LIFE);
  }

  /**
   * A token of any roles and scope, issued now.
   *
   * @throws IllegalArgumentException when {@code life} is shorter than {@link #MIN_LIFE} or longer than the maximum
   *     of one of the roles, or the claims are out of bounds (ids, scope)
   */
  public Minted mint(String subject, Set<Role> roles, TokenScope scope, Duration life) {
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("a token has at least one role");
    }
    Duration max = roles.stream().map(MAX_LIFE::get).min(Duration::compareTo).orElseThrow();
    if (life.compareTo(MIN_LIFE) < 0 || life.compareTo(max) > 0) {
      throw new IllegalArgumentException("a token of " + roles + " lives " + MIN_LIFE.toMinutes() + " minute to "
          + max.toHours() + " hours, asked " + life.toMinutes() + " minutes");
    }
    Instant now = clock.instant();
    TokenClaims claims = new TokenClaims(issuer.tenant(), subject, roles, scope, now, now.plus(life),
        ids.generate().toString());
    return new Minted(issuer.issue(claims), claims);
  }
}
