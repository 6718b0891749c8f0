package com.cps.dcs.kernel.chain;

import com.cps.dcs.kernel.hash.Sha256;

/**
 * The hash chain over one agent's events: each link is SHA-256 of the previous link and the event's hash, stored in
 * {@code payload.audit_trail_hash}. Altering, removing or reordering any event breaks every later link.
 */
public final class HashChain {
  /** The "previous link" of the first event of a chain: 32 zero bytes. */
  public static final byte[] GENESIS = new byte[32];

  private HashChain() {}

  public static byte[] link(byte[] previous, String eventHashHex) {
    if (previous.length != 32) {
      throw new IllegalArgumentException("a chain link is 32 bytes, got " + previous.length);
    }
    return Sha256.digest(previous, Sha256.unhex(eventHashHex));
  }
}
