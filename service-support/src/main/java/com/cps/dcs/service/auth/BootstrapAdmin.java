package com.cps.dcs.service.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Optional;

/**
 * {@code DCS_ADMIN_TOKEN}: an opaque secret accepted as the tenant's admin on every RPC, so scripts, tests and
 * {@code ./dcs run} can start before any token is minted. At least {@value #MIN_CHARS} visible ASCII characters (a
 * shorter one stops the service at start); compared in constant time, as SHA-256 digests with
 * {@link MessageDigest#isEqual}, so neither its length nor a matching prefix shows in the time of a refusal.
 */
public final class BootstrapAdmin {
  public static final String ENV = "DCS_ADMIN_TOKEN";
  public static final int MIN_CHARS = 32;
  /** No longer than a token: the header that carries it is bounded the same way. */
  public static final int MAX_CHARS = 4096;

  private final byte[] digest;

  /**
   * @throws IllegalArgumentException when the secret is shorter than {@value #MIN_CHARS} characters, longer than
   *     {@value #MAX_CHARS}, or holds a character other than visible ASCII (it travels in a header)
   */
  public BootstrapAdmin(String secret) {
    if (secret == null || secret.length() < MIN_CHARS) {
      throw new IllegalArgumentException(ENV + " must be at least " + MIN_CHARS + " characters long (it has "
          + (secret == null ? 0 : secret.length()) + "); generate one with: openssl rand -base64 33");
    }
    if (secret.length() > MAX_CHARS) {
      throw new IllegalArgumentException(ENV + " must be at most " + MAX_CHARS + " characters long");
    }
    for (int i = 0; i < secret.length(); i++) {
      char c = secret.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        throw new IllegalArgumentException(ENV + " must be visible ASCII characters without spaces (character "
            + i + " is not)");
      }
    }
    this.digest = sha256(secret);
  }

  /**
   * The bootstrap admin of {@code env}: empty when {@value #ENV} is unset or empty.
   *
   * @throws IllegalArgumentException when it is set but not a valid secret (the service must not start)
   */
  public static Optional<BootstrapAdmin> fromEnvironment(Map<String, String> env) {
    String secret = env.get(ENV);
    return secret == null || secret.isEmpty() ? Optional.empty() : Optional.of(new BootstrapAdmin(secret));
  }

  /** Whether {@code presented} is the secret, in time independent of where they differ. */
  public boolean matches(String presented) {
    return presented != null && MessageDigest.isEqual(digest, sha256(presented));
  }

  @Override
  public String toString() {
    return "BootstrapAdmin[secret not shown]";
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
