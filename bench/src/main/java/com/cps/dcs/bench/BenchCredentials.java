package com.cps.dcs.bench;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The load generators call the services as the tenant's bootstrap admin: {@code DCS_ADMIN_TOKEN}, which the bench
 * scripts set for the services they start and for the generator alike.
 */
public final class BenchCredentials {
  public static final String ENV = "DCS_ADMIN_TOKEN";
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private BenchCredentials() {}

  /** {@code DCS_ADMIN_TOKEN} of this process: the services under load were given the same. */
  public static String fromEnvironment() {
    String token = System.getenv(ENV);
    if (token == null || token.isBlank()) {
      throw new IllegalStateException(ENV + " is unset: give the services and this generator the same bootstrap"
          + " admin secret (the bench/*.sh scripts do)");
    }
    return token.strip();
  }

  /** {@code DCS_ADMIN_TOKEN} when set, otherwise a fresh random one, for a service the generator starts itself. */
  public static String fromEnvironmentOrRandom() {
    String token = System.getenv(ENV);
    if (token != null && !token.isBlank()) {
      return token.strip();
    }
    byte[] b = new byte[33];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Attaches {@code authorization: Bearer <token>} to every call. */
  public static ClientInterceptor bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + token);
    return MetadataUtils.newAttachHeadersInterceptor(headers);
  }
}
