package com.cps.dcs.kernel.auth;

import com.cps.dcs.kernel.validation.Texts;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link RevocationSet} in memory. Entries leave at their expiry (swept as revocations come in), and at most
 * {@value #MAX_ENTRIES} are held: revoking more tokens still alive than that is refused loudly rather than
 * forgotten quietly (mint shorter-lived tokens, or rotate the tenant's token key).
 */
public final class InMemoryRevocationSet implements RevocationSet {
  /** The most revocations in force at once. */
  public static final int MAX_ENTRIES = 100_000;

  private final InstantSource clock;
  private final ConcurrentHashMap<String, Instant> revoked = new ConcurrentHashMap<>();

  public InMemoryRevocationSet(InstantSource clock) {
    this.clock = clock;
  }

  @Override
  public synchronized void revoke(String tokenId, Instant expiresAt) {
    Texts.requireId("token_id", tokenId);
    Instant now = clock.instant();
    if (!expiresAt.isAfter(now)) {
      return; // already expired: refused as such, nothing to remember
    }
    if (!revoked.containsKey(tokenId) && revoked.size() >= MAX_ENTRIES) {
      sweep(now);
      if (revoked.size() >= MAX_ENTRIES) {
        throw new IllegalStateException("more than " + MAX_ENTRIES + " revoked tokens are still alive");
      }
    }
    revoked.merge(tokenId, expiresAt, (a, b) -> a.isAfter(b) ? a : b);
    if (revoked.size() % 1024 == 0) {
      sweep(now);
    }
  }

  @Override
  public boolean isRevoked(String tokenId) {
    Instant until = revoked.get(tokenId);
    if (until == null) {
      return false;
    }
    if (!until.isAfter(clock.instant())) {
      revoked.remove(tokenId, until);
      return false; // the token has expired: the verifier refuses it for that
    }
    return true;
  }

  @Override
  public Map<String, Instant> entries() {
    Instant now = clock.instant();
    TreeMap<String, Instant> alive = new TreeMap<>();
    revoked.forEach((id, until) -> {
      if (until.isAfter(now)) {
        alive.put(id, until);
      }
    });
    return alive;
  }

  /** How many revocations are held (expired ones not yet swept included). */
  public int size() {
    return revoked.size();
  }

  private void sweep(Instant now) {
    revoked.entrySet().removeIf(e -> !e.getValue().isAfter(now));
  }
}
