package com.cps.dcs.kernel.auth;

import java.time.Instant;
import java.util.Map;

/**
 * The ids of revoked tokens, each kept until the token's own expiry (after which the token is refused as expired
 * anyway), so the set stays bounded by the tokens alive at once. Services persist it and branches receive it with
 * their sync; this port does not say how.
 */
public interface RevocationSet {
  /** Revokes {@code tokenId} until {@code expiresAt}, the token's expiry. Revoking twice keeps the later expiry. */
  void revoke(String tokenId, Instant expiresAt);

  boolean isRevoked(String tokenId);

  /** The revocations still in force, token id to expiry (to persist or send). */
  Map<String, Instant> entries();
}
