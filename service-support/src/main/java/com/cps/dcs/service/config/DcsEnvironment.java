package com.cps.dcs.service.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * The environment every service reads, with defaults that run out of the box: {@code DCS_GRPC_PORT},
 * {@code DCS_DATA_DIR}, {@code DCS_TENANT_ID}, {@code DCS_REGION_ID}.
 */
public record DcsEnvironment(Map<String, String> env, int grpcPort, Path dataDir, String tenantId, String regionId) {

  public static DcsEnvironment of(Map<String, String> env, int defaultGrpcPort) {
    return new DcsEnvironment(
        Map.copyOf(env),
        intValue(env, "DCS_GRPC_PORT", defaultGrpcPort),
        Path.of(env.getOrDefault("DCS_DATA_DIR", "./data")),
        nonBlank(env, "DCS_TENANT_ID", "tenant-demo"),
        nonBlank(env, "DCS_REGION_ID", "region-1"));
  }

  public static DcsEnvironment fromSystem(int defaultGrpcPort) {
    return of(System.getenv(), defaultGrpcPort);
  }

  public String get(String key, String defaultValue) {
    return nonBlank(env, key, defaultValue);
  }

  public int getInt(String key, int defaultValue) {
    return intValue(env, key, defaultValue);
  }

  private static String nonBlank(Map<String, String> env, String key, String defaultValue) {
    String v = env.get(key);
    return v == null || v.isBlank() ? defaultValue : v.strip();
  }

  private static int intValue(Map<String, String> env, String key, int defaultValue) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number, got '" + v + "'");
    }
  }
}
