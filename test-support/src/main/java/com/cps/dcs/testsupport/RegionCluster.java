package com.cps.dcs.testsupport;

import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.AgentMessage;
import com.cps.dcs.proto.v4.BatchAckResponse;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real region for tests: regional nodes, each its own JVM running the packaged regional agent jar, Raft over
 * loopback on free ports, one shared PostgreSQL database and key directory. Logs stay under {@code target/it-logs}.
 */
public final class RegionCluster implements AutoCloseable {
  public final Path jar;

  public final String tenantId;
  public final String regionId;
  public final String pgUrl;
  public final String kafka;
  public final String topic;
  public final Path dir;
  public final Path keyDir;
  /** Each node's console, kept under target/ after the run (the data dirs are temporary). */
  public final Path logDir;
  public final int snapshotThreshold;
  public final List<String> ids = new ArrayList<>();
  public final Map<String, int[]> ports = new LinkedHashMap<>(); // raft, grpc, management
  public final Map<String, ChildJvm> nodes = new LinkedHashMap<>();
  public final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  /** Heap, collector and compiler: quick to start and small for tests (C1 only); see {@link #jvmOptions(List)}. */
  private List<String> jvmOptions = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  public RegionCluster(Path jar, int size, String tenantId, String regionId, String pgUrl, String kafka, String topic,
      Path dir, int snapshotThreshold) {
    this.jar = jar;
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

  /**
   * The nodes' JVM options for the nodes started from now on, replacing the test ones (a benchmark passes a heap
   * size only: the JVM's own collector and both compiler tiers, as a deployment runs it).
   */
  public RegionCluster jvmOptions(List<String> options) {
    this.jvmOptions = List.copyOf(options);
    return this;
  }

  public String peers(List<String> members) {
    return String.join(",", members.stream().map(id -> id + "=127.0.0.1:" + ports.get(id)[0]).toList());
  }

  /** The gRPC addresses of every node (for a local agent's DCS_REGIONAL_ADDRESS). */
  public String grpcAddresses() {
    return String.join(",", ids.stream().map(id -> "127.0.0.1:" + ports.get(id)[1]).toList());
  }

  /** Registers a branch agent at {@code node} (the signed HEARTBEAT); returns the region's signed answer. */
  public AgentMessage register(String node, AgentMessage hello) throws Exception {
    CompletableFuture<AgentMessage> reply = new CompletableFuture<>();
    StreamObserver<AgentMessage> req = async(node).agentCommunication(FirstReply.into(reply));
    req.onNext(hello);
    AgentMessage m = reply.get(60, TimeUnit.SECONDS);
    req.onCompleted();
    return m;
  }

  /** How many of the branch's events the region holds in PostgreSQL ({@code event_store}, as the tenant sees them). */
  public long eventsInRegion(String branchId) throws java.sql.SQLException {
    try (java.sql.Connection c = tenantConnection()) {
      return eventsInRegion(c, branchId, java.time.Instant.EPOCH);
    }
  }

  /** A connection to the region's database that sees the tenant's rows (for repeated reads, as a poll loop does). */
  public java.sql.Connection tenantConnection() throws java.sql.SQLException {
    java.sql.Connection c = java.sql.DriverManager.getConnection(pgUrl);
    try (java.sql.PreparedStatement set = c.prepareStatement("SELECT set_config('app.tenant_id', ?, false)")) {
      set.setString(1, tenantId);
      set.execute();
    } catch (java.sql.SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /**
   * {@link #eventsInRegion(String)} over a connection from {@link #tenantConnection()}, counting only events whose
   * timestamp is at or after {@code since} (one index range, however many older events the branch has).
   */
  public static long eventsInRegion(java.sql.Connection tenant, String branchId, java.time.Instant since)
      throws java.sql.SQLException {
    try (java.sql.PreparedStatement ps = tenant.prepareStatement(
        "SELECT count(*) FROM event_store WHERE branch_id = ? AND event_ts >= ?")) {
      ps.setString(1, branchId);
      ps.setTimestamp(2, java.sql.Timestamp.from(since));
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Streams events to {@code node} (StreamOfflineEvents); its one BatchAckResponse. */
  public BatchAckResponse stream(String node, List<SovereignFinancialEvent> events) throws Exception {
    CompletableFuture<BatchAckResponse> result = new CompletableFuture<>();
    StreamObserver<SovereignFinancialEvent> req = async(node).streamOfflineEvents(new StreamObserver<>() {
      @Override
      public void onNext(BatchAckResponse r) {
        result.complete(r);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        result.complete(null);
      }
    });
    events.forEach(req::onNext);
    req.onCompleted();
    return result.get(90, TimeUnit.SECONDS);
  }

  /**
   * One {@code SyncCRDTState} exchange: sends {@code bundles}, returns everything the peer answers (the merged
   * bundles, then every other CRDT it holds). With no bundles it is a read of the peer's whole CRDT state.
   */
  public static List<CRDTStateBundle> syncCrdts(AccountingSwarmProtocolGrpc.AccountingSwarmProtocolStub stub,
      List<CRDTStateBundle> bundles) throws Exception {
    List<CRDTStateBundle> out = new ArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<CRDTStateBundle> req = stub.syncCRDTState(new StreamObserver<>() {
      @Override
      public void onNext(CRDTStateBundle b) {
        synchronized (out) {
          out.add(b);
        }
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete(null);
      }
    });
    bundles.forEach(req::onNext);
    req.onCompleted();
    done.get(60, TimeUnit.SECONDS);
    synchronized (out) {
      return List.copyOf(out);
    }
  }

  /** {@link #syncCrdts(AccountingSwarmProtocolGrpc.AccountingSwarmProtocolStub, List)} as {@code signer}. */
  public static List<CRDTStateBundle> syncCrdts(AccountingSwarmProtocolGrpc.AccountingSwarmProtocolStub stub,
      List<CRDTStateBundle> bundles, BranchSigner signer) throws Exception {
    return syncCrdts(stub.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(
        signer.crdtUploadHeaders(bundles))), bundles);
  }

  /** The CRDT state of one node. */
  public List<CRDTStateBundle> crdts(String node) throws Exception {
    return syncCrdts(async(node), List.of());
  }

  /** Adds a node that is not (yet) a member; it starts with DCS_RAFT_JOIN=true. */
  public String addSpare() {
    String id = "n" + (ids.size() + 1);
    ids.add(id);
    ports.put(id, FreePorts.allocate(3));
    return id;
  }

  public void start(String id, List<String> members, boolean join) {
    int[] p = ports.get(id);
    ChildJvm.Builder b = ChildJvm.builder().jar(jar).tuning(jvmOptions)
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

  public void startAll() {
    for (String id : ids) {
      start(id, ids, false);
    }
    for (String id : ids) {
      awaitServing(id);
    }
  }

  /** Starts a node that was killed again, as a member, and waits until it serves. */
  public void restart(String id) {
    start(id, ids, false);
    awaitServing(id);
  }

  /** The gRPC addresses of each node, in node order. */
  public List<String> grpcAddressList() {
    return ids.stream().map(id -> "127.0.0.1:" + ports.get(id)[1]).toList();
  }

  public void awaitServing(String id) {
    nodes.get(id).awaitLogLine("serving gRPC on", Duration.ofSeconds(120));
  }

  public void kill(String id) {
    ChildJvm n = nodes.remove(id);
    ManagedChannel ch = channels.remove(id);
    if (ch != null) {
      ch.shutdownNow();
    }
    if (n != null) {
      n.killHard();
    }
  }

  public ManagedChannel channel(String id) {
    return channels.computeIfAbsent(id, k -> ManagedChannelBuilder.forAddress("127.0.0.1", ports.get(k)[1])
        .usePlaintext().intercept(TestCredentials.admin()).build());
  }

  public AccountingSwarmProtocolGrpc.AccountingSwarmProtocolBlockingStub blocking(String id) {
    return AccountingSwarmProtocolGrpc.newBlockingStub(channel(id)).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  public AccountingSwarmProtocolGrpc.AccountingSwarmProtocolStub async(String id) {
    return AccountingSwarmProtocolGrpc.newStub(channel(id)).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  /** The node's Actuator health (its raft component: role, leader, term, commit and applied index). */
  public Optional<String> health(String id) {
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

  public static long number(String json, String field) {
    Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  public static String text(String json, String field) {
    Matcher m = Pattern.compile("\"" + field + "\":\"([^\"]*)\"").matcher(json);
    return m.find() ? m.group(1) : "";
  }

  /** The running node that says it leads, once one does. */
  public String awaitLeader(Duration timeout) throws InterruptedException {
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

  public long appliedIndex(String id) {
    return health(id).map(h -> number(h, "appliedIndex")).orElse(-1L);
  }

  public long commitIndex(String id) {
    return health(id).map(h -> number(h, "commitIndex")).orElse(-1L);
  }

  public List<String> running() {
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
