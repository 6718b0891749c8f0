package com.cps.dcs.testsupport;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;

/**
 * The credential every test fixture gives the services it starts and attaches to every channel it builds: a fixed
 * bootstrap admin secret ({@code DCS_ADMIN_TOKEN}), accepted as the tenant's admin on every RPC. Tests of the
 * checks themselves build a bare channel and mint their own tokens.
 */
public final class TestCredentials {
  /** The variable the services read the bootstrap admin secret from. */
  public static final String ADMIN_ENV = "DCS_ADMIN_TOKEN";
  /** The tests' bootstrap admin secret: at least 32 visible ASCII characters, as the services require. */
  public static final String ADMIN_TOKEN = "dcs-test-admin-secret-0123456789abcdefghij";

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private TestCredentials() {
  }

  /** Attaches {@code authorization: Bearer <the test admin secret>} to every call. */
  public static ClientInterceptor admin() {
    return bearer(ADMIN_TOKEN);
  }

  /** Attaches {@code authorization: Bearer <token>} to every call. */
  public static ClientInterceptor bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + token);
    return MetadataUtils.newAttachHeadersInterceptor(headers);
  }

  /** {@code ADMIN_ENV=ADMIN_TOKEN}, as a Spring property for a service started in the test's own JVM. */
  public static String adminProperty() {
    return ADMIN_ENV + "=" + ADMIN_TOKEN;
  }
}
