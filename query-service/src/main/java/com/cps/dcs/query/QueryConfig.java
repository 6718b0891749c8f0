package com.cps.dcs.query;

import com.cps.dcs.service.keys.KeyMaterial;
import java.nio.file.Path;
import java.util.Map;

/**
 * The service's settings, from the environment.
 *
 * @param grpcPort DCS_GRPC_PORT (50054)
 * @param pgUrl DCS_PG_URL (jdbc:postgresql://localhost:5432/dcs); the database is created when missing and migrated
 *     as this URL's user (the owner)
 * @param kafkaBootstrap KAFKA_BOOTSTRAP_SERVERS (required)
 * @param topic DCS_KAFKA_TOPIC (dcs.events.v4)
 * @param tenantId DCS_TENANT_ID (default "default"): the tenant whose rows every read may see
 * @param groupId DCS_QUERY_GROUP_ID (dcs-query-service): the Kafka consumer group
 * @param keyDir DCS_KEY_DIR (default {@code $DCS_DATA_DIR/keys}): where the tenant's token key is, to check callers
 * @param adminToken DCS_ADMIN_TOKEN, the bootstrap admin secret; null when unset (then only tokens are accepted)
 */
public record QueryConfig(int grpcPort, String pgUrl, String kafkaBootstrap, String topic, String tenantId,
    String groupId, Path keyDir, String adminToken) {

  @Override
  public String toString() { // the admin secret stays out of logs
    return "QueryConfig[grpcPort=" + grpcPort + ", pgUrl=" + pgUrl + ", kafkaBootstrap=" + kafkaBootstrap
        + ", topic=" + topic + ", tenantId=" + tenantId + ", groupId=" + groupId + ", keyDir=" + keyDir
        + ", adminToken=" + (adminToken == null ? "unset" : "set") + "]";
  }

  public static QueryConfig fromEnv(Map<String, String> env) {
    String kafka = env.get("KAFKA_BOOTSTRAP_SERVERS");
    if (kafka == null || kafka.isBlank()) {
      throw new IllegalStateException("KAFKA_BOOTSTRAP_SERVERS is required (host:port of the region's Kafka), "
          + "e.g. KAFKA_BOOTSTRAP_SERVERS=localhost:9092");
    }
    String port = env.getOrDefault("DCS_GRPC_PORT", "50054");
    int grpcPort;
    try {
      grpcPort = Integer.parseInt(port.strip());
    } catch (NumberFormatException e) {
      throw new IllegalStateException("DCS_GRPC_PORT must be a port number, got '" + port + "'");
    }
    return new QueryConfig(grpcPort, env.getOrDefault("DCS_PG_URL", "jdbc:postgresql://localhost:5432/dcs"),
        kafka.strip(), env.getOrDefault("DCS_KAFKA_TOPIC", "dcs.events.v4"),
        env.getOrDefault("DCS_TENANT_ID", "default"), env.getOrDefault("DCS_QUERY_GROUP_ID", "dcs-query-service"),
        KeyMaterial.keyDir(env), env.get("DCS_ADMIN_TOKEN"));
  }
}
