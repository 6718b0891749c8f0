package com.cps.dcs.regional.raft;

import com.cps.dcs.proto.region.v1.RegionCommand;
import com.cps.dcs.proto.region.v1.RegionReply;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of a region's Raft group (Apache Ratis over gRPC): the server holding this node's log and
 * {@link RegionStateMachine}, and a client that submits commands to whichever node leads. A command sent to any node
 * reaches the leader (the client follows leader changes and retries; Ratis' retry cache and the state machine's
 * idempotency make a retry harmless), and the reply comes back only after a majority has committed the entry and
 * the leader has applied it.
 */
public final class RegionNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RegionNode.class);

  /** How a node is set up; see regional-agent/README.md for the environment names. */
  public record Settings(String nodeId, String regionId, List<RaftPeer> peers, Path dataDir, boolean join,
      long snapshotThreshold, Duration electionTimeoutMin, Duration electionTimeoutMax) {
    public Settings {
      peers = List.copyOf(peers);
      if (peers.stream().noneMatch(p -> p.getId().toString().equals(nodeId))) {
        throw new IllegalArgumentException("DCS_NODE_ID '" + nodeId + "' is not one of DCS_RAFT_PEERS ("
            + RaftPeers.format(peers) + ")");
      }
    }

    RaftPeer self() {
      return peers.stream().filter(p -> p.getId().toString().equals(nodeId)).findFirst().orElseThrow();
    }
  }

  private final Settings settings;
  private final RegionStateMachine stateMachine;
  private final RaftGroup group;
  private final RaftServer server;
  private final RaftClient client;

  public RegionNode(Settings settings, RegionStateMachine stateMachine) throws IOException {
    this.settings = settings;
    this.stateMachine = stateMachine;
    this.group = RaftPeers.group(settings.regionId(), settings.peers());
    RaftProperties props = new RaftProperties();
    RaftConfigKeys.Rpc.setType(props, SupportedRpcType.GRPC);
    RaftServerConfigKeys.setStorageDir(props, List.of(settings.dataDir().resolve("raft").resolve(settings.nodeId())
        .toFile()));
    GrpcConfigKeys.Server.setPort(props, port(settings.self()));
    RaftServerConfigKeys.Rpc.setTimeoutMin(props, duration(settings.electionTimeoutMin()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(props, duration(settings.electionTimeoutMax()));
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(props, settings.snapshotThreshold());
    // The log before a snapshot is dropped: a node that needs it receives the snapshot instead.
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(props, true);
    RaftServerConfigKeys.Log.setSegmentSizeMax(props, SizeInBytes.valueOf("16MB"));
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(props, SizeInBytes.valueOf("8MB"));
    RaftServerConfigKeys.Log.setWriteBufferSize(props, SizeInBytes.valueOf("16MB"));
    GrpcConfigKeys.setMessageSizeMax(props, SizeInBytes.valueOf("32MB"));
    RaftClientConfigKeys.Rpc.setRequestTimeout(props, TimeDuration.valueOf(15, TimeUnit.SECONDS));
    // A node that joins a running region starts with no members and is added by the leader (members add).
    RaftGroup startGroup = settings.join() ? RaftGroup.valueOf(group.getGroupId()) : group;
    this.server = RaftServer.newBuilder().setServerId(RaftPeerId.valueOf(settings.nodeId())).setGroup(startGroup)
        .setStateMachine(stateMachine).setProperties(props).setOption(RaftStorage.StartupOption.RECOVER).build();
    this.client = newClient(group, props);
  }

  private static RaftClient newClient(RaftGroup group, RaftProperties props) {
    return RaftClient.newBuilder().setProperties(props).setRaftGroup(group).setClientId(ClientId.randomId())
        // Follows leader changes: an election takes a second or two; a region without a majority fails calls.
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(150,
            TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
        .setClientRpc(new GrpcFactory(new Parameters()).newRaftClientRpc(ClientId.randomId(), props)).build();
  }

  private static int port(RaftPeer p) {
    String a = p.getAddress();
    return Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
  }

  private static TimeDuration duration(Duration d) {
    return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
  }

  public void start() throws IOException {
    server.start();
    log.info("region {} node {} started (Raft on {}, group {}, members {}{})", settings.regionId(), settings.nodeId(),
        settings.self().getAddress(), group.getGroupId(), RaftPeers.format(settings.peers()),
        settings.join() ? ", joining" : "");
  }

  /** Replicates {@code command}; completes with the state machine's reply once committed and applied. */
  public CompletableFuture<RegionReply> submit(RegionCommand command) {
    return client.async().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(command.toByteArray())))
        .thenApply(RegionNode::replyOf);
  }

  private static RegionReply replyOf(RaftClientReply r) {
    if (!r.isSuccess()) {
      throw new CompletionException(r.getException() != null ? r.getException()
          : new IOException("the region did not commit the command"));
    }
    try {
      return RegionReply.parseFrom(r.getMessage().getContent().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new CompletionException(e);
    }
  }

  /**
   * Waits until this node has applied {@code index} (a reply comes from the leader; a follower applies the same
   * entry a moment later). Lets a node answer reads of what it just wrote through the leader.
   *
   * @return false when {@code timeout} passed first
   */
  public boolean awaitApplied(long index, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 1;
    while (appliedIndex() < index) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(pause);
      pause = Math.min(pause * 2, 20);
    }
    return true;
  }

  private Optional<RaftServer.Division> division() {
    try {
      return Optional.of(server.getDivision(group.getGroupId()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private Optional<DivisionInfo> info() {
    return division().map(RaftServer.Division::getInfo);
  }

  public boolean isLeader() {
    return info().map(DivisionInfo::isLeader).orElse(false);
  }

  /** The leader this node knows of, if any: a node without one cannot serve writes. */
  public Optional<String> leaderId() {
    return info().map(DivisionInfo::getLeaderId).map(RaftPeerId::toString);
  }

  public String role() {
    return info().map(i -> i.getCurrentRole().name()).orElse("NONE");
  }

  public long term() {
    return info().map(DivisionInfo::getCurrentTerm).orElse(0L);
  }

  public long commitIndex() {
    return division().map(d -> d.getRaftLog().getLastCommittedIndex()).orElse(0L);
  }

  public long appliedIndex() {
    return info().map(DivisionInfo::getLastAppliedIndex).orElse(0L);
  }

  /** The members of the current configuration (id=address). */
  public List<RaftPeer> members() {
    return division().map(d -> List.copyOf(d.getRaftConf().getCurrentPeers())).orElse(List.of());
  }

  public RaftGroupId groupId() {
    return group.getGroupId();
  }

  public String nodeId() {
    return settings.nodeId();
  }

  public RegionStateMachine stateMachine() {
    return stateMachine;
  }

  /** What {@code members} does to a region's configuration. */
  public enum MemberChange { ADD, REMOVE, SET }

  /**
   * Changes the region's members through its leader (Raft joint consensus), reaching it via {@code contacts} (any
   * current members). ADD adds {@code peers} (each must be running, started with {@code DCS_RAFT_JOIN=true}; it
   * catches up from the latest snapshot and the log); REMOVE drops the members with their ids; SET makes the
   * members exactly {@code peers}.
   *
   * @return the members after the change
   */
  public static List<RaftPeer> changeMembers(String regionId, List<RaftPeer> contacts, MemberChange change,
      List<RaftPeer> peers) throws IOException {
    RaftProperties props = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(props, TimeDuration.valueOf(60, TimeUnit.SECONDS));
    RaftGroup group = RaftPeers.group(regionId, contacts);
    try (RaftClient c = newClient(group, props)) {
      List<RaftPeer> current = currentMembers(c, group, contacts);
      SetConfigurationRequest.Arguments.Builder args = SetConfigurationRequest.Arguments.newBuilder();
      switch (change) {
        case ADD -> args.setMode(SetConfigurationRequest.Mode.ADD).setServersInNewConf(peers);
        case REMOVE -> {
          Set<RaftPeerId> gone = new HashSet<>();
          peers.forEach(p -> gone.add(p.getId()));
          List<RaftPeer> next = current.stream().filter(p -> !gone.contains(p.getId())).toList();
          if (next.isEmpty()) {
            throw new IllegalArgumentException("removing every member would leave no region");
          }
          args.setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET).setServersInCurrentConf(current)
              .setServersInNewConf(next);
        }
        case SET -> args.setMode(SetConfigurationRequest.Mode.SET_UNCONDITIONALLY).setServersInNewConf(peers);
      }
      RaftClientReply reply = c.admin().setConfiguration(args.build());
      if (!reply.isSuccess()) {
        throw new IOException("the region refused the change: " + reply.getException());
      }
      return currentMembers(c, group, contacts);
    }
  }

  private static List<RaftPeer> currentMembers(RaftClient c, RaftGroup group, List<RaftPeer> contacts)
      throws IOException {
    IOException last = null;
    for (RaftPeer p : contacts) {
      try {
        GroupInfoReply info = c.getGroupManagementApi(p.getId()).info(group.getGroupId());
        return List.copyOf(info.getGroup().getPeers());
      } catch (IOException e) {
        last = e;
      }
    }
    throw new IOException("no member of the region answered", last);
  }

  @Override
  public void close() throws IOException {
    // First: an entry waiting for PostgreSQL would hold Ratis' shutdown of the updater thread until it is applied.
    stateMachine.stopApplying();
    try {
      client.close();
    } finally {
      server.close();
    }
  }
}
