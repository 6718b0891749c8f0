package com.cps.dcs.regional;

import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.testsupport.ChildJvm;
import com.cps.dcs.testsupport.FreePorts;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Real regional nodes for tests: each its own JVM running the packaged jar, on free ports, one shared database. */
final class RegionCluster implements AutoCloseable {
  static final Path JAR = Path.of("target", "regional-agent.jar");

  final String tenantId;
  final String regionId;
  final String pgUrl;
  final String kafka;
  final String topic;
  final Path dir;
  final Path keyDir;
  /** Each node's console, kept under target/ after the run (the data dirs are temporary). */
  final Path logDir;
  final int snapshotThreshold;
  final List<String> ids = new ArrayList<>();
  final Map<String, int[]> ports = new LinkedHashMap<>(); // raft, grpc, management
  final Map<String, ChildJvm> nodes = new LinkedHashMap<>();
  final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  RegionCluster(int size, String tenantId, String regionId, String pgUrl, String kafka, String topic, Path dir,
      int snapshotThreshold) {
    this.tenantId = tenantId;
    this.regionId = regionId;
    this.pgUrl = pgUrl;
    this.kafka = kafka;
    this.topic = topic;
    this.dir = dir;
    this.keyDir = dir.resolve("keys");
    this.logDir = Path.of("target", "it-logs", regionId + "-" + System.currentTimeMillis());
    this.snapshotThreshold = snapshotThreshold;
    for (int i = 1; i <= size; i++) {
      String id = "n" + i;
      ids.add(id);
      ports.put(id, FreePorts.allocate(3));
    }
  }

  String peers(List<String> members) {
    return String.join(",", members.stream().map(id -> id + "=127.0.0.1:" + ports.get(id)[0]).toList());
  }

  /** Adds a node that is not (yet) a member; it starts with DCS_RAFT_JOIN=true. */
  String addSpare() {
    String id = "n" + (ids.size() + 1);
    ids.add(id);
    ports.put(id, FreePorts.allocate(3));
    return id;
  }

  void start(String id, List<String> members, boolean join) {
    int[] p = ports.get(id);
    ChildJvm.Builder b = ChildJvm.builder().jar(JAR).jvmArg("-Xmx384m").jvmArg("-XX:TieredStopAtLevel=1")
        .env("DCS_NODE_ID", id).env("DCS_RAFT_PEERS", peers(members)).env("DCS_RAFT_JOIN", String.valueOf(join))
        .env("DCS_GRPC_PORT", String.valueOf(p[1])).env("DCS_MANAGEMENT_PORT", String.valueOf(p[2]))
        .env("DCS_PG_URL", pgUrl).env("DCS_DATA_DIR", dir.resolve(id).toString())
        .env("DCS_KEY_DIR", keyDir.toString()).env("DCS_TENANT_ID", tenantId).env("DCS_REGION_ID", regionId)
        .env("DCS_SNAPSHOT_THRESHOLD", String.valueOf(snapshotThreshold)).env("DCS_ELECTION_TIMEOUT_MS", "800")
        .env("DCS_KAFKA_TOPIC", topic).logTo(logDir.resolve(id + "-" + System.currentTimeMillis() + ".log"));
    if (kafka != null) {
      b.env("KAFKA_BOOTSTRAP_SERVERS", kafka);
    }
    nodes.put(id, b.start());
  }

  void startAll() {
    for (String id : ids) {
      start(id, ids, false);
    }
    for (String id : ids) {
      awaitServing(id);
    }
  }

  void awaitServing(String id) {
    nodes.get(id).awaitLogLine("serving gRPC on", Duration.ofSeconds(120));
  }

  void kill(String id) {
    ChildJvm n = nodes.remove(id);
    ManagedChannel ch = channels.remove(id);
    if (ch != null) {
      ch.shutdownNow();
    }
    if (n != null) {
      n.killHard();
    }
  }

  ManagedChannel channel(String id) {
    return channels.computeIfAbsent(id, k -> ManagedChannelBuilder.forAddress("127.0.0.1", ports.get(k)[1])
        .usePlaintext().build());
  }

  AccountingSwarmProtocolGrpc.AccountingSwarmProtocolBlockingStub blocking(String id) {
    return AccountingSwarmProtocolGrpc.newBlockingStub(channel(id)).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  AccountingSwarmProtocolGrpc.AccountingSwarmProtocolStub async(String id) {
    return AccountingSwarmProtocolGrpc.newStub(channel(id)).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  /** The node's Actuator health (its raft component: role, leader, term, commit and applied index). */
  Optional<String> health(String id) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(id)[2]
          + "/actuator/health")).timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
      return Optional.of(r.body());
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  static long number(String json, String field) {
    Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  static String text(String json, String field) {
    Matcher m = Pattern.compile("\"" + field + "\":\"([^\"]*)\"").matcher(json);
    return m.find() ? m.group(1) : "";
  }

  /** The running node that says it leads, once one does. */
  String awaitLeader(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (String id : nodes.keySet()) {
        Optional<String> h = health(id);
        if (h.isPresent() && text(h.get(), "role").equals("LEADER")) {
          return id;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no leader within " + timeout + "; logs in " + logDir);
  }

  long appliedIndex(String id) {
    return health(id).map(h -> number(h, "appliedIndex")).orElse(-1L);
  }

  long commitIndex(String id) {
    return health(id).map(h -> number(h, "commitIndex")).orElse(-1L);
  }

  List<String> running() {
    return List.copyOf(nodes.keySet());
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
    nodes.values().forEach(ChildJvm::close);
    nodes.clear();
  }
}
