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

  /** {@code DCS_KEY_DIR}, or {@code keys} under {@code DCS_DATA_DIR} (default {@code ./data}). */
  public static Path keyDir(Map<String, String> env) {
    String dir = env.get("DCS_KEY_DIR");
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir);
    }
    return Path.of(env.getOrDefault("DCS_DATA_DIR", "./data")).resolve("keys");
  }
}
