package com.cps.dcs.regional.raft;

import com.cps.dcs.eventstore.pg.PgStoreException;
import com.cps.dcs.eventstore.pg.SqlStates;
import com.cps.dcs.eventstore.pg.region.RegionStore;
import com.cps.dcs.kernel.hash.Sha256;
import com.cps.dcs.proto.region.v1.EventOutcome;
import com.cps.dcs.proto.region.v1.RegionCommand;
import com.cps.dcs.proto.region.v1.RegionReply;
import com.cps.dcs.proto.region.v1.RegionSnapshot;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.regional.state.RegionState;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The region's replicated state machine. Each committed entry is a {@link RegionCommand}, applied in log order on
 * every node: registrations and CRDT merges change the in-memory {@link RegionState}; event batches and the
 * queryable copies of that state go to PostgreSQL through {@link RegionStore}, which writes each entry exactly once
 * together with its index. Snapshots hold the state (the events are in PostgreSQL) with an MD5 checksum verified on
 * load; a node that restarts, or joins, loads the latest snapshot and replays the log after it.
 */
public final class RegionStateMachine extends BaseStateMachine {
  private static final Logger log = LoggerFactory.getLogger(RegionStateMachine.class);

  /** How long a node that does not lead waits for the leader to write an entry before it writes it itself. */
  static final long FOLLOWER_WAIT_MS = 500;

  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final RegionState state;
  private final RegionStore store;
  private final String nodeId;
  private final Consumer<Long> onEventsStored;
  private final Consumer<Long> onEventsQuarantined;
  /** Counted down when the node stops: ends a wait for PostgreSQL at once instead of after its back-off. */
  private final CountDownLatch closing = new CountDownLatch(1);

  public RegionStateMachine(String regionId, RegionStore store, String nodeId, Consumer<Long> onEventsStored,
      Consumer<Long> onEventsQuarantined) {
    this.state = new RegionState(regionId);
    this.store = store;
    this.nodeId = nodeId;
    this.onEventsStored = onEventsStored;
    this.onEventsQuarantined = onEventsQuarantined;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    getLifeCycle().transition(LifeCycle.State.STARTING);
    storage.init(raftStorage);
    load();
    getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  /** Before a snapshot from the leader is installed: no entry is applied until {@link #reinitialize}. */
  @Override
  public void pause() {
    if (getLifeCycleState() == LifeCycle.State.RUNNING) {
      getLifeCycle().transition(LifeCycle.State.PAUSING);
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    }
  }

  /** After a snapshot was installed from the leader: the state becomes the snapshot's. */
  @Override
  public void reinitialize() throws IOException {
    load();
    if (getLifeCycleState() == LifeCycle.State.PAUSED) {
      getLifeCycle().transition(LifeCycle.State.STARTING);
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
  }

  private void load() throws IOException {
    SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
    if (snapshot == null) {
      return;
    }
    File file = snapshot.getFile().getPath().toFile();
    MD5Hash md5 = snapshot.getFile().getFileDigest();
    if (md5 == null) {
      // Installed from the leader: Ratis checked each chunk's digest on the way; keep a checksum from now on.
      MD5FileUtil.computeAndSaveMd5ForFile(file);
    } else {
      MD5FileUtil.verifySavedMD5(file, md5); // throws on a corrupt snapshot
    }
    RegionSnapshot s = RegionSnapshot.parseFrom(Files.readAllBytes(file.toPath()));
    synchronized (state) {
      state.restore(s);
    }
    updateLastAppliedTermIndex(TermIndex.valueOf(s.getTerm(), s.getIndex()));
    log.info("{}: loaded snapshot at index {} ({} agents, {} CRDTs)", nodeId, s.getIndex(), s.getAgentsCount(),
        s.getCrdtsCount());
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public long takeSnapshot() throws IOException {
    RegionSnapshot s;
    TermIndex last;
    synchronized (state) {
      last = getLastAppliedTermIndex();
      if (last == null || last.getIndex() <= 0) {
        return -1;
      }
      s = state.toSnapshot(last.getTerm(), last.getIndex());
    }
    File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    byte[] bytes = s.toByteArray();
    File tmp = new File(file.getPath() + ".writing");
    Files.write(tmp.toPath(), bytes);
    Files.move(tmp.toPath(), file.toPath(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
    try {
      store.recordSnapshot(last.getIndex(), bytes, Sha256.hex(Sha256.digest(bytes)), nodeId);
    } catch (PgStoreException e) {
      log.warn("{}: snapshot {} taken, but not recorded in PostgreSQL: {}", nodeId, last.getIndex(), e.getMessage());
    }
    log.info("{}: snapshot at index {}", nodeId, last.getIndex());
    return last.getIndex();
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    TermIndex ti = TermIndex.valueOf(entry);
    RegionReply reply;
    try {
      // Parsed from the entry's buffer, not from a copy of it (an entry holds up to thousands of events).
      RegionCommand cmd = RegionCommand.parseFrom(entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
      reply = apply(cmd, ti);
    } catch (InvalidProtocolBufferException e) {
      // Cannot happen for entries this code proposed; refusing the entry on every node keeps the nodes equal.
      reply = RegionReply.newBuilder().setReason("not a RegionCommand: " + e.getMessage()).build();
    } catch (ClosingException e) {
      return CompletableFuture.failedFuture(e);
    }
    // An ApplyFailure is thrown on: Ratis then stops this server (fail-stop), where a failed future would let it go
    // on to the next entry with this one never written.
    updateLastAppliedTermIndex(ti);
    return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(
        reply.toBuilder().setRaftIndex(ti.getIndex()).build().toByteArray())));
  }

  private RegionReply apply(RegionCommand cmd, TermIndex ti) {
    long index = ti.getIndex();
    long term = ti.getTerm();
    return switch (cmd.getCommandCase()) {
      case APPEND -> {
        if (!leading()) {
          retrying(() -> store.awaitApplied(index, FOLLOWER_WAIT_MS), ti);
        }
        List<EventOutcome> outcomes = retrying(() -> store.applyEvents(index, term, cmd.getAppend().getEventsList(),
            cmd.getAppend().getReceivedAtMs()), ti);
        long stored = outcomes.stream().filter(o -> o.getResult() == EventOutcome.Result.STORED).count();
        long dup = outcomes.stream().filter(o -> o.getResult() == EventOutcome.Result.DUPLICATE).count();
        synchronized (state) {
          state.countEvents(stored, dup);
        }
        onEventsStored.accept(stored);
        quarantined(outcomes, cmd.getAppend().getEventsList(), ti);
        yield RegionReply.newBuilder().addAllOutcomes(outcomes).build();
      }
      case MERGE -> {
        List<CRDTStateBundle> merged;
        try {
          synchronized (state) {
            merged = state.merge(cmd.getMerge().getBundlesList());
          }
        } catch (IllegalArgumentException e) {
          yield RegionReply.newBuilder().setReason(e.getMessage()).build();
        }
        retrying(() -> {
          store.applyCrdts(index, term, merged);
          return null;
        }, ti);
        yield RegionReply.newBuilder().addAllMerged(merged).build();
      }
      case REGISTER -> {
        boolean accepted;
        synchronized (state) {
          accepted = state.register(cmd.getRegister().getRegistration());
        }
        retrying(() -> {
          store.applyRegistration(index, term, cmd.getRegister().getRegistration(), accepted,
              cmd.getRegister().getAtMs());
          return null;
        }, ti);
        yield RegionReply.newBuilder().setRegistered(accepted).setReason(accepted ? ""
            : "agent " + cmd.getRegister().getRegistration().getAgentId() + " is registered with another public key")
            .build();
      }
      case COMMAND_NOT_SET -> RegionReply.newBuilder().setReason("empty command").build();
    };
  }

  private boolean leading() {
    RaftServer server = getServer().getNow(null);
    try {
      return server != null && server.getDivision(getGroupId()).getInfo().isLeader();
    } catch (IOException e) {
      return false;
    }
  }

  @FunctionalInterface
  private interface StoreWork<T> {
    T run();
  }

  /** Every node logs and counts the events an entry quarantined: the outcome is the same on each. */
  private void quarantined(List<EventOutcome> outcomes, List<SovereignFinancialEvent> events, TermIndex ti) {
    long n = 0;
    for (int i = 0; i < outcomes.size(); i++) {
      EventOutcome o = outcomes.get(i);
      if (o.getResult() == EventOutcome.Result.QUARANTINED) {
        n++;
        SovereignFinancialEvent e = events.get(i);
        log.warn("{}: entry {} quarantined event {} of branch {} (agent {}, stream {} v{}): {}", nodeId, ti,
            o.getEventId(), SqlStates.printable(e.getBranchId()), SqlStates.printable(e.getAgentId()),
            SqlStates.printable(e.getStreamId()), e.getStreamVersion(), o.getReason());
      }
    }
    if (n > 0) {
      onEventsQuarantined.accept(n);
    }
  }

  /**
   * Retries what a retry can fix: PostgreSQL away, or a transaction that lost a race
   * ({@link PgStoreException#isTransient}), with back-off; this stalls the log (nothing is skipped) until it answers.
   * What PostgreSQL refuses for good about an event was quarantined inside the store; any other error is a fault of
   * this node (schema, permissions), not of the entry: the entry fails and Ratis stops this node rather than skip it,
   * so no node diverges. A node asked to stop ends the wait at once.
   */
  private <T> T retrying(StoreWork<T> work, TermIndex ti) {
    long backoff = 100;
    while (true) {
      try {
        return work.run();
      } catch (PgStoreException e) {
        if (closing.getCount() == 0) {
          throw new ClosingException("stopping while entry " + ti + " waits for PostgreSQL");
        }
        if (!e.isTransient()) {
          log.error("{}: entry {} cannot be applied (SQLState {}): {}; stopping this node's state machine", nodeId,
              ti, e.sqlState(), e.getMessage());
          throw new ApplyFailure("entry " + ti + ": SQLState " + e.sqlState() + ": " + e.getMessage(), e);
        }
        log.warn("{}: entry {} waits for PostgreSQL (SQLState {}): {}", nodeId, ti, e.sqlState(), e.getMessage());
        try {
          if (closing.await(backoff, TimeUnit.MILLISECONDS)) {
            throw new ClosingException("stopping while entry " + ti + " waits for PostgreSQL");
          }
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new ClosingException("interrupted while entry " + ti + " waits for PostgreSQL");
        }
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  /** Ends any wait for PostgreSQL: called when the node is asked to stop, before Ratis shuts the updater down. */
  public void stopApplying() {
    closing.countDown();
  }

  /** A read of the replicated state, consistent with the applied index. */
  public <T> T read(java.util.function.Function<RegionState, T> f) {
    synchronized (state) {
      return f.apply(state);
    }
  }

  @Override
  public void close() throws IOException {
    stopApplying();
    super.close();
  }

  static final class ClosingException extends RuntimeException {
    ClosingException(String message) {
      super(message);
    }
  }

  /** An entry this node cannot apply for a reason that is neither transient nor the entry's events' own. */
  static final class ApplyFailure extends RuntimeException {
    ApplyFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
