package com.cps.dcs.kernel.crypto;

import java.nio.file.Path;

/**
 * A tenant's keys kept as local files in a key directory (created on first use, owner-only): the KEK and the
 * metadata MAC key every agent of the tenant shares, and each agent's signing key pair.
 */
public final class LocalKeyFiles {
  private LocalKeyFiles() {}

  public static LocalFileKekProvider kek(Path keyDir, String tenantId) {
    return new LocalFileKekProvider(keyDir.resolve("kek-" + tenantId + ".key"), "local:" + tenantId);
  }

  public static MetadataMac mac(Path keyDir, String tenantId) {
    return new MetadataMac(Secrets.loadOrCreate(keyDir.resolve("mac-" + tenantId + ".key"), 64));
  }

  public static AgentKeys agent(Path keyDir, String agentId) {
    return AgentKeys.loadOrCreate(keyDir, agentId);
  }
}
