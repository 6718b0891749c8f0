package com.cps.dcs.service.auth;

import com.cps.dcs.kernel.auth.TokenClaims;
import com.cps.dcs.kernel.auth.TokenRejected;
import com.cps.dcs.kernel.auth.TokenVerifier;
import com.cps.dcs.service.grpc.GrpcErrors;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a call's {@code authorization: Bearer <credential>} into a {@link Caller}: the bootstrap admin secret when it
 * matches, else a token of the tenant ({@link TokenVerifier}). Every refusal is UNAUTHENTICATED with a reason; a
 * token of another tenant is refused exactly like a forged one.
 *
 * <p>Authentic tokens are remembered (at most {@value #CACHE_ENTRIES}, keyed by the SHA-256 of the token and compared
 * in constant time) so a caller's signature is checked once, not on every call; expiry and revocation are checked on
 * every call all the same.
 */
public final class CallerAuthenticator {
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final int CACHE_ENTRIES = 4096;
  private static final String SCHEME = "bearer ";

  private final TokenVerifier verifier;
  private final Optional<BootstrapAdmin> admin;
  private final ConcurrentHashMap<Digest, TokenClaims> authentic = new ConcurrentHashMap<>();

  public CallerAuthenticator(TokenVerifier verifier, Optional<BootstrapAdmin> admin) {
    this.verifier = verifier;
    this.admin = admin;
  }

  public String tenant() {
    return verifier.tenant();
  }

  /** The caller of a call with these headers, or UNAUTHENTICATED. */
  public Caller authenticate(Metadata headers) {
    Iterable<String> values = headers.getAll(AUTHORIZATION);
    Iterator<String> it = values == null ? null : values.iterator();
    if (it == null || !it.hasNext()) {
      throw GrpcErrors.unauthenticated("CREDENTIAL_MISSING",
          "this call needs a credential: authorization: Bearer <token>");
    }
    String value = it.next();
    if (it.hasNext()) {
      throw malformed();
    }
    return authenticate(value);
  }

  /** The caller of an {@code authorization} header value, or UNAUTHENTICATED. */
  public Caller authenticate(String authorization) {
    String credential = bearer(authorization);
    if (admin.isPresent() && admin.get().matches(credential)) {
      return Caller.bootstrapAdmin(verifier.tenant());
    }
    try {
      Digest key = Digest.of(credential);
      TokenClaims claims = authentic.get(key);
      if (claims == null) {
        claims = verifier.authentic(credential);
        if (authentic.size() >= CACHE_ENTRIES) {
          authentic.clear();
        }
        authentic.put(key, claims);
      }
      verifier.checkCurrent(claims);
      return Caller.of(claims);
    } catch (TokenRejected e) {
      throw GrpcErrors.unauthenticated("CREDENTIAL_" + e.reason().name(), e.getMessage());
    }
  }

  private static String bearer(String value) {
    if (value == null || value.length() > SCHEME.length() + TokenVerifier.MAX_TOKEN_CHARS
        || !value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      throw malformed();
    }
    String credential = value.substring(SCHEME.length()).strip();
    if (credential.isEmpty() || credential.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw malformed();
    }
    return credential;
  }

  private static StatusRuntimeException malformed() {
    return GrpcErrors.unauthenticated("CREDENTIAL_" + TokenRejected.Reason.MALFORMED.name(),
        TokenRejected.Reason.MALFORMED.message() + ": expected authorization: Bearer <token>");
  }

  /** A token's SHA-256: a cache key whose equality is checked in constant time. */
  private record Digest(byte[] bytes) {
    static Digest of(String token) {
      try {
        return new Digest(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 unavailable", e);
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Digest d && MessageDigest.isEqual(bytes, d.bytes);
    }

    @Override
    public int hashCode() {
      return (bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | (bytes[3] & 0xFF);
    }

    @Override
    public String toString() {
      return "Digest[" + String.format(Locale.ROOT, "%02x%02x..", bytes[0], bytes[1]) + "]";
    }
  }
}
