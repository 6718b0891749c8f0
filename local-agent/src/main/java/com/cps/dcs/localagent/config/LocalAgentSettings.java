package com.cps.dcs.localagent.config;

import com.cps.dcs.kernel.validation.ClockBounds;
import com.cps.dcs.service.config.DcsEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The local agent's configuration, from the environment, with defaults that run out of the box.
 *
 * @param regionalAddresses host:port of the region's nodes (empty: a standalone branch)
 * @param masterAddress host:port of a master agent, or null
 * @param maxEventAge how old an event's clocks may be ({@code DCS_MAX_EVENT_AGE}, default 30 days)
 */
public record LocalAgentSettings(
    DcsEnvironment common,
    String agentId,
    String branchId,
    String currency,
    Path dbPath,
    List<String> regionalAddresses,
    Duration syncInterval,
    Duration syncOfflineRetry,
    String masterAddress,
    Path webDir,
    Duration maxClockDrift,
    Duration maxEventAge) {

  /** Every environment key the local agent reads. */
  public static final List<String> KEYS = List.of("DCS_GRPC_PORT", "DCS_DATA_DIR", "DCS_TENANT_ID", "DCS_REGION_ID",
      "DCS_AGENT_ID", "DCS_BRANCH_ID", "DCS_CURRENCY", "DCS_DB_PATH", "DCS_REGIONAL_ADDRESS", "DCS_SYNC_INTERVAL",
      "DCS_SYNC_OFFLINE_RETRY_MS", "DCS_MASTER_ADDRESS", "DCS_WEB_DIR", "DCS_MAX_CLOCK_DRIFT_MS", "DCS_KEY_DIR",
      "VAULT_ADDR", "VAULT_TOKEN", "DCS_TRANSIT_KEY", "DCS_SAMPLE_DATA", "DCS_DISCOUNT_APPROVAL_BP", "DCS_MAX_EVENT_AGE");

  /** Reads the keys through {@code lookup} (the process environment, or Spring's environment in tests). */
  public static LocalAgentSettings from(java.util.function.Function<String, String> lookup) {
    Map<String, String> env = new java.util.HashMap<>();
    for (String k : KEYS) {
      String v = lookup.apply(k);
      if (v != null) {
        env.put(k, v);
      }
    }
    return from(env);
  }

  public static LocalAgentSettings from(Map<String, String> env) {
    DcsEnvironment common = DcsEnvironment.of(env, 50051);
    String branch = common.get("DCS_BRANCH_ID", "branch-1");
    String regional = common.get("DCS_REGIONAL_ADDRESS", "");
    String web = common.get("DCS_WEB_DIR", "");
    return new LocalAgentSettings(
        common,
        common.get("DCS_AGENT_ID", "agent-" + branch),
        branch,
        common.get("DCS_CURRENCY", "EUR"),
        Path.of(common.get("DCS_DB_PATH", common.dataDir().resolve("local-agent.db").toString())),
        regional.isBlank() ? List.of() : Arrays.stream(regional.split(",")).map(String::strip).toList(),
        Duration.ofSeconds(common.getInt("DCS_SYNC_INTERVAL", 30)),
        Duration.ofMillis(Math.max(10, common.getInt("DCS_SYNC_OFFLINE_RETRY_MS", 200))),
        common.get("DCS_MASTER_ADDRESS", null),
        web.isBlank() ? null : Path.of(web),
        Duration.ofMillis(common.getInt("DCS_MAX_CLOCK_DRIFT_MS", 60_000)),
        ClockBounds.parseAge(common.get("DCS_MAX_EVENT_AGE", "")));
  }

  /** How far the clocks of what this agent receives may be from its own. */
  public ClockBounds clockBounds() {
    return new ClockBounds(maxClockDrift, maxEventAge, ClockBounds.DEFAULT_MAX_LOGICAL);
  }

  public String tenantId() {
    return common.tenantId();
  }

  public int grpcPort() {
    return common.grpcPort();
  }
}
