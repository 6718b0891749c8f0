package com.cps.dcs.kernel.auth;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * Checks a bearer token with the tenant's public token key alone (no network: an offline branch verifies too): its
 * form and size, its signature, its tenant, its times against an injected clock, and its id against the revoked
 * ones. The first failure is thrown as {@link TokenRejected}.
 */
public final class TokenVerifier {
  /** The longest token text accepted; a longer one is refused before it is decoded. */
  public static final int MAX_TOKEN_CHARS = TokenFormat.MAX_TOKEN_CHARS;
  /** How far in the future an issue time may lie (the minter's clock ahead of this one). */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofMinutes(2);

  private final String tenant;
  private final TokenKeys keys;
  private final RevocationSet revocations;
  private final InstantSource clock;
  private final Duration skew;

  public TokenVerifier(String tenant, TokenKeys keys, RevocationSet revocations, InstantSource clock, Duration skew) {
    this.tenant = Objects.requireNonNull(tenant, "tenant");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.revocations = Objects.requireNonNull(revocations, "revocations");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (skew.isNegative()) {
      throw new IllegalArgumentException("clock skew must not be negative");
    }
    this.skew = skew;
  }

  public TokenVerifier(String tenant, TokenKeys keys, RevocationSet revocations, InstantSource clock) {
    this(tenant, keys, revocations, clock, DEFAULT_CLOCK_SKEW);
  }

  public String tenant() {
    return tenant;
  }

  /** The claims of a token that is authentic, of this tenant, within its times and not revoked. */
  public TokenClaims verify(String token) {
    TokenClaims claims = authentic(token);
    checkCurrent(claims);
    return claims;
  }

  /**
   * The claims of a token signed by this tenant's key, without looking at the time or the revocations (a cache of
   * authentic tokens calls {@link #checkCurrent} on each use).
   */
  public TokenClaims authentic(String token) {
    byte[][] parts = TokenFormat.parts(token);
    byte[] body = parts[0];
    if (!keys.hasKeyId(TokenCodec.keyId(body)) || !keys.verify(TokenFormat.signed(body), parts[1])) {
      throw new TokenRejected(TokenRejected.Reason.INVALID);
    }
    TokenClaims claims;
    try {
      claims = TokenCodec.decode(body);
    } catch (TokenRejected signedButUnreadable) {
      throw new TokenRejected(TokenRejected.Reason.INVALID);
    }
    if (!claims.tenant().equals(tenant)) {
      throw new TokenRejected(TokenRejected.Reason.INVALID); // exactly like a forged one
    }
    return claims;
  }

  /** Throws unless {@code claims} are within their times now and their id is not revoked. */
  public void checkCurrent(TokenClaims claims) {
    Instant now = clock.instant();
    if (!now.isBefore(claims.expiresAt())) {
      throw new TokenRejected(TokenRejected.Reason.EXPIRED);
    }
    if (claims.issuedAt().isAfter(now.plus(skew))) {
      throw new TokenRejected(TokenRejected.Reason.NOT_YET_VALID);
    }
    if (revocations.isRevoked(claims.tokenId())) {
      throw new TokenRejected(TokenRejected.Reason.REVOKED);
    }
  }
}
