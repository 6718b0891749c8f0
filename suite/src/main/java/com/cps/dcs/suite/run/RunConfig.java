package com.cps.dcs.suite.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where everything of {@code ./dcs run} lives and listens, from the environment (defaults in brackets in
 * {@code suite/README.md}). The same values serve the launcher, the demo traffic generator and {@code verify-chain},
 * so they always agree on ports and folders.
 */
public final class RunConfig {
  /** One local agent. */
  public record Branch(String id, String agentId, String cashier, String pin, int grpcPort, int managementPort) {}

  /** One regional node. */
  public record Node(String id, int grpcPort, int managementPort, int raftPort) {}

  public final Path root;
  public final Path data;
  public final Path logs;
  public final Path keys;
  public final String tenantId;
  public final String regionId;
  public final String currency;
  public final String topic;
  public final List<Branch> branches = new ArrayList<>();
  public final List<Node> nodes = new ArrayList<>();
  public final int queryPort;
  public final int queryManagementPort;
  public final int controlPort;
  /** The PostgreSQL the region and the query service use; empty: the launcher embeds one. */
  public final String pgUrl;
  public final int embeddedPgPort;
  /** Kafka; empty: the launcher runs one broker in its own JVM. */
  public final String kafka;
  public final int embeddedKafkaPort;
  public final int embeddedKafkaControllerPort;
  public final int syncIntervalSeconds;
  public final List<String> childJvmOptions;
  private final Map<String, String> env;

  public RunConfig(Map<String, String> env) {
    this.env = env;
    root = Path.of(get("DCS_HOME", ".")).toAbsolutePath().normalize();
    data = Path.of(get("DCS_RUN_DATA", root.resolve("run-data").toString())).toAbsolutePath().normalize();
    logs = data.resolve("logs");
    keys = data.resolve("keys");
    tenantId = get("DCS_TENANT_ID", "tenant-demo");
    regionId = get("DCS_REGION_ID", "region-1");
    currency = get("DCS_CURRENCY", "EUR");
    topic = get("DCS_KAFKA_TOPIC", "dcs.events.v4");
    branches.add(new Branch("branch-1", "agent-branch-1", "1001", "1234", port("DCS_BRANCH_1_PORT", 50051),
        port("DCS_BRANCH_1_MANAGEMENT_PORT", 9051)));
    branches.add(new Branch("branch-2", "agent-branch-2", "1002", "2345", port("DCS_BRANCH_2_PORT", 50061),
        port("DCS_BRANCH_2_MANAGEMENT_PORT", 9061)));
    for (int i = 1; i <= 3; i++) {
      nodes.add(new Node("n" + i, port("DCS_REGION_N" + i + "_PORT", 50042 + 10 * i),
          port("DCS_REGION_N" + i + "_MANAGEMENT_PORT", 9042 + 10 * i),
          port("DCS_REGION_N" + i + "_RAFT_PORT", 11999 + i)));
    }
    queryPort = port("DCS_QUERY_PORT", 50054);
    queryManagementPort = port("DCS_QUERY_MANAGEMENT_PORT", 9054);
    controlPort = port("DCS_RUN_CONTROL_PORT", 9050);
    pgUrl = get("DCS_PG_URL", "");
    embeddedPgPort = port("DCS_RUN_PG_PORT", 15432);
    kafka = get("KAFKA_BOOTSTRAP_SERVERS", "");
    embeddedKafkaPort = port("DCS_RUN_KAFKA_PORT", 9092);
    embeddedKafkaControllerPort = port("DCS_RUN_KAFKA_CONTROLLER_PORT", 9093);
    syncIntervalSeconds = Integer.parseInt(get("DCS_SYNC_INTERVAL", "5"));
    childJvmOptions = List.of(get("DCS_RUN_JVM_OPTIONS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1").split("\\s+"));
  }

  public static RunConfig fromEnvironment() {
    return new RunConfig(System.getenv());
  }

  public String get(String key, String fallback) {
    String v = env.get(key);
    return v == null || v.isBlank() ? fallback : v.strip();
  }

  private int port(String key, int fallback) {
    String v = get(key, String.valueOf(fallback));
    try {
      int p = Integer.parseInt(v);
      if (p < 1 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a port number (1-65535), not '" + v + "'");
    }
  }

  public Path jar(String module) {
    return root.resolve(module).resolve("target").resolve(module + ".jar");
  }

  public Path posWebDir() {
    return root.resolve("pos-web").resolve("dist");
  }

  public Branch branch(String id) {
    return branches.stream().filter(b -> b.id().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no branch " + id + "; the branches are "
            + branches.stream().map(Branch::id).toList()));
  }

  public String raftPeers() {
    return String.join(",", nodes.stream().map(n -> n.id() + "=127.0.0.1:" + n.raftPort()).toList());
  }

  /** Every port the run listens on, named by the key that sets it (to say which one is taken). */
  public Map<String, Integer> listeningPorts() {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (int i = 0; i < branches.size(); i++) {
      out.put("DCS_BRANCH_" + (i + 1) + "_PORT", branches.get(i).grpcPort());
      out.put("DCS_BRANCH_" + (i + 1) + "_MANAGEMENT_PORT", branches.get(i).managementPort());
    }
    for (int i = 0; i < nodes.size(); i++) {
      out.put("DCS_REGION_N" + (i + 1) + "_PORT", nodes.get(i).grpcPort());
      out.put("DCS_REGION_N" + (i + 1) + "_MANAGEMENT_PORT", nodes.get(i).managementPort());
      out.put("DCS_REGION_N" + (i + 1) + "_RAFT_PORT", nodes.get(i).raftPort());
    }
    out.put("DCS_QUERY_PORT", queryPort);
    out.put("DCS_QUERY_MANAGEMENT_PORT", queryManagementPort);
    out.put("DCS_RUN_CONTROL_PORT", controlPort);
    if (pgUrl.isEmpty()) {
      out.put("DCS_RUN_PG_PORT", embeddedPgPort);
    }
    if (kafka.isEmpty()) {
      out.put("DCS_RUN_KAFKA_PORT", embeddedKafkaPort);
      out.put("DCS_RUN_KAFKA_CONTROLLER_PORT", embeddedKafkaControllerPort);
    }
    return out;
  }
}
