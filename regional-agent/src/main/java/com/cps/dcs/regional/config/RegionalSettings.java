package com.cps.dcs.regional.config;

import com.cps.dcs.kernel.validation.ClockBounds;
import com.cps.dcs.regional.raft.RaftPeers;
import com.cps.dcs.regional.raft.RegionNode;
import com.cps.dcs.service.config.DcsEnvironment;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A regional node's settings, from the environment (names and defaults in regional-agent/README.md). */
public record RegionalSettings(DcsEnvironment common, RegionNode.Settings raft, String pgUrl, String appUser,
    String appPassword, String kafkaBootstrap, String kafkaTopic, String currency, String masterAddress,
    int ingestBatch, ClockBounds clockBounds) {

  static final List<String> KEYS = List.of("DCS_NODE_ID", "DCS_RAFT_PEERS", "DCS_RAFT_JOIN", "DCS_GRPC_PORT",
      "DCS_MANAGEMENT_PORT", "DCS_PG_URL", "DCS_PG_APP_USER", "DCS_PG_APP_PASSWORD", "KAFKA_BOOTSTRAP_SERVERS",
      "DCS_KAFKA_TOPIC", "DCS_DATA_DIR", "DCS_TENANT_ID", "DCS_REGION_ID", "DCS_CURRENCY", "DCS_MASTER_ADDRESS",
      "DCS_SNAPSHOT_THRESHOLD", "DCS_ELECTION_TIMEOUT_MS", "DCS_INGEST_BATCH", "DCS_KEY_DIR", "VAULT_ADDR",
      "VAULT_TOKEN", "DCS_TRANSIT_KEY", "DCS_MAX_CLOCK_DRIFT_MS", "DCS_MAX_EVENT_AGE");

  public static RegionalSettings from(Function<String, String> lookup) {
    Map<String, String> env = new HashMap<>();
    for (String k : KEYS) {
      String v = lookup.apply(k);
      if (v != null) {
        env.put(k, v);
      }
    }
    DcsEnvironment common = DcsEnvironment.of(env, 50052);
    String nodeId = common.get("DCS_NODE_ID", "n1");
    int election = common.getInt("DCS_ELECTION_TIMEOUT_MS", 1000);
    RegionNode.Settings raft = new RegionNode.Settings(nodeId, common.regionId(),
        RaftPeers.parse(common.get("DCS_RAFT_PEERS", nodeId + "=127.0.0.1:12000")), common.dataDir(),
        Boolean.parseBoolean(common.get("DCS_RAFT_JOIN", "false")),
        common.getInt("DCS_SNAPSHOT_THRESHOLD", 10_000), Duration.ofMillis(election),
        Duration.ofMillis(election * 2L));
    return new RegionalSettings(common, raft, common.get("DCS_PG_URL", "jdbc:postgresql://localhost:5432/dcs"),
        common.get("DCS_PG_APP_USER", "dcs_app"), common.get("DCS_PG_APP_PASSWORD", ""),
        common.get("KAFKA_BOOTSTRAP_SERVERS", ""), common.get("DCS_KAFKA_TOPIC", "dcs.events.v4"),
        common.get("DCS_CURRENCY", "EUR"), common.get("DCS_MASTER_ADDRESS", null),
        common.getInt("DCS_INGEST_BATCH", 2000),
        new ClockBounds(Duration.ofMillis(common.getInt("DCS_MAX_CLOCK_DRIFT_MS", 300_000)),
            ClockBounds.parseAge(common.get("DCS_MAX_EVENT_AGE", "")), ClockBounds.DEFAULT_MAX_LOGICAL));
  }

  public String nodeId() {
    return raft.nodeId();
  }

  public String tenantId() {
    return common.tenantId();
  }

  public String regionId() {
    return common.regionId();
  }

  public int grpcPort() {
    return common.grpcPort();
  }
}
