package com.cps.dcs.suite.run;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The bootstrap admin secret of a {@code ./dcs run} ({@code DCS_ADMIN_TOKEN} of every service): the variable when it
 * is set, otherwise a random one created at the first start and kept in {@code <data>/admin-token} (owner-only), so
 * a resumed run keeps it and {@code ./dcs demo} and {@code ./dcs quarantine} find it.
 */
final class AdminSecret {
  static final String ENV = "DCS_ADMIN_TOKEN";
  static final String FILE = "admin-token";
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private AdminSecret() {}

  /** The run's secret, created in the data folder when neither the variable nor the file has one. */
  static String loadOrCreate(RunConfig cfg) throws IOException {
    String set = fromEnvOrFile(cfg);
    if (set != null) {
      return set;
    }
    byte[] random = new byte[33];
    new SecureRandom().nextBytes(random);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random); // 44 characters
    Path file = cfg.data.resolve(FILE);
    Files.createDirectories(cfg.data);
    Path tmp = Files.createTempFile(cfg.data, FILE, ".tmp");
    try {
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // Windows: the data folder's own permissions apply
      }
      Files.writeString(tmp, secret + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
      Files.createLink(file, tmp); // never replaces one a concurrent start created
    } catch (FileAlreadyExistsException raced) {
      return fromEnvOrFile(cfg);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return secret;
  }

  /**
   * The secret of the run in {@code cfg}'s data folder, for the commands that call it.
   *
   * @throws IllegalStateException when there is none yet (the run was never started)
   */
  static String existing(RunConfig cfg) {
    try {
      String s = fromEnvOrFile(cfg);
      if (s == null) {
        throw new IllegalStateException("no admin token: start ./dcs run first (it keeps one in "
            + cfg.data.resolve(FILE) + "), or set " + ENV);
      }
      return s;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + cfg.data.resolve(FILE) + ": " + e.getMessage(), e);
    }
  }

  /** Attaches {@code authorization: Bearer <secret>} to every call. */
  static ClientInterceptor credential(String secret) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + secret);
    return MetadataUtils.newAttachHeadersInterceptor(headers);
  }

  private static String fromEnvOrFile(RunConfig cfg) throws IOException {
    String env = cfg.get(ENV, "");
    if (!env.isBlank()) {
      return env.strip();
    }
    Path file = cfg.data.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    String s = Files.readString(file, StandardCharsets.US_ASCII).strip();
    return s.isEmpty() ? null : s;
  }
}
