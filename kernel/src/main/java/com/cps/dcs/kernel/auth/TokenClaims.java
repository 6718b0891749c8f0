package com.cps.dcs.kernel.auth;

import com.cps.dcs.kernel.validation.InputRefused;
import com.cps.dcs.kernel.validation.Texts;
import com.cps.dcs.kernel.validation.Violation;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a token says: whose tenant, who (a staff id, a user, an integrator's name, an agent id), which roles, where
 * ({@link TokenScope}), from when until when (whole seconds), and its unique id (what a revocation names).
 *
 * @param tenant the tenant id
 * @param subject who calls
 * @param roles at least one
 * @param issuedAt also the time before which the token is not valid
 * @param expiresAt after {@code issuedAt}, at most {@link #MAX_LIFETIME} later
 * @param tokenId unique per token
 */
public record TokenClaims(String tenant, String subject, Set<Role> roles, TokenScope scope, Instant issuedAt,
    Instant expiresAt, String tokenId) {
  /** The longest life any token may have, whatever minted it. */
  public static final Duration MAX_LIFETIME = Duration.ofDays(366);

  public TokenClaims {
    List<Violation> bad = new ArrayList<>();
    Texts.collect(bad, Texts.requiredId("tenant", tenant));
    Texts.collect(bad, Texts.requiredId("subject", subject));
    Texts.collect(bad, Texts.requiredId("token_id", tokenId));
    if (roles == null || roles.isEmpty() || roles.stream().anyMatch(Objects::isNull)) {
      bad.add(new Violation("roles", "a token has at least one role"));
    }
    if (scope == null) {
      bad.add(new Violation("scope", "is required"));
    }
    if (issuedAt == null || expiresAt == null) {
      bad.add(new Violation(issuedAt == null ? "issued_at" : "expires_at", "is required"));
    } else {
      issuedAt = issuedAt.truncatedTo(ChronoUnit.SECONDS);
      expiresAt = expiresAt.truncatedTo(ChronoUnit.SECONDS);
      if (issuedAt.getEpochSecond() < 0) {
        bad.add(new Violation("issued_at", "before 1970"));
      }
      if (!expiresAt.isAfter(issuedAt)) {
        bad.add(new Violation("expires_at", "not after issued_at"));
      } else if (Duration.between(issuedAt, expiresAt).compareTo(MAX_LIFETIME) > 0) {
        bad.add(new Violation("expires_at", "more than " + MAX_LIFETIME.toDays() + " days after issued_at"));
      }
    }
    InputRefused.throwIfAny(bad);
    roles = Collections.unmodifiableSet(EnumSet.copyOf(roles));
    Objects.requireNonNull(scope);
  }

  public boolean hasRole(Role role) {
    return roles.contains(role);
  }

  /** How long the token lives in all. */
  public Duration lifetime() {
    return Duration.between(issuedAt, expiresAt);
  }
}
