package com.cps.dcs.service.keys;

import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.KeyEncryptionKeyProvider;
import com.cps.dcs.kernel.crypto.LocalKeyFiles;
import com.cps.dcs.kernel.crypto.MetadataMac;
import com.cps.dcs.kernel.crypto.VaultTransitKekProvider;
import java.nio.file.Path;
import java.util.Map;

/**
 * The keys a service works with, from its environment (docs/design-notes.md, "Key material"): the tenant's KEK
 * (Vault Transit when {@code VAULT_ADDR} is set, a local key file otherwise), the tenant's metadata MAC key, and the
 * agent's signing key pair when the service creates events.
 *
 * @param agentKeys null for services that never sign events
 */
public record KeyMaterial(KeyEncryptionKeyProvider kek, MetadataMac mac, AgentKeys agentKeys, Path keyDir) {

  public static KeyMaterial fromEnvironment(Map<String, String> env, String tenantId, String agentIdOrNull) {
    Path keyDir = keyDir(env);
    KeyEncryptionKeyProvider kek;
    String vault = env.get("VAULT_ADDR");
    if (vault != null && !vault.isBlank()) {
      String token = env.get("VAULT_TOKEN");
      if (token == null || token.isBlank()) {
        throw new IllegalStateException("VAULT_ADDR is set but VAULT_TOKEN is not");
      }
      kek = new VaultTransitKekProvider(vault, token, env.getOrDefault("DCS_TRANSIT_KEY", "dcs-" + tenantId));
    } else {
      kek = LocalKeyFiles.kek(keyDir, tenantId);
    }
    MetadataMac mac = LocalKeyFiles.mac(keyDir, tenantId);
    AgentKeys agent = agentIdOrNull == null ? null : LocalKeyFiles.agent(keyDir, agentIdOrNull);
    return new KeyMaterial(kek, mac, agent, keyDir);
  }

  /** The variables that choose the keys ({@link #fromEnvironment}), besides the data folder. */
  public static final java.util.List<String> VARIABLES = java.util.List.of("DCS_KEY_DIR", "VAULT_ADDR", "VAULT_TOKEN",
      "DCS_TRANSIT_KEY");

  /**
   * The keys of a service whose settings come from {@code lookup} (a Spring environment, the process environment),
   * with its resolved data folder.
   */
  public static KeyMaterial fromSettings(java.util.function.Function<String, String> lookup, Path dataDir,
      String tenantId, String agentIdOrNull) {
    Map<String, String> env = new java.util.HashMap<>();
    for (String k : VARIABLES) {
      String v = lookup.apply(k);
      if (v != null) {
        env.put(k, v);
      }
    }
    env.put("DCS_DATA_DIR", dataDir.toString());
    return fromEnvironment(env, tenantId, agentIdOrNull);
  }

  /** {@code DCS_KEY_DIR}, or {@code keys} under {@code DCS_DATA_DIR} (default {@code ./data}). */
  public static Path keyDir(Map<String, String> env) {
    String dir = env.get("DCS_KEY_DIR");
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir);
    }
    return Path.of(env.getOrDefault("DCS_DATA_DIR", "./data")).resolve("keys");
  }
}
