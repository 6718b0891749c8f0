package com.cps.dcs.regional.raft;

import com.cps.dcs.kernel.hash.Sha256;
import com.cps.dcs.proto.region.v1.EventOutcome;
import com.cps.dcs.proto.region.v1.RegionCommand;
import com.cps.dcs.proto.region.v1.RegionReply;
import com.cps.dcs.proto.region.v1.RegionSnapshot;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.regional.state.RegionState;
import com.cps.dcs.regional.store.RegionStore;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
  private volatile boolean closing;

  public RegionStateMachine(String regionId, RegionStore store, String nodeId, Consumer<Long> onEventsStored) {
    this.state = new RegionState(regionId);
    this.store = store;
    this.nodeId = nodeId;
    this.onEventsStored = onEventsStored;
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
    } catch (SQLException e) {
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
  private interface SqlWork<T> {
    T run() throws SQLException;
  }

  /** PostgreSQL being away stalls the log (nothing is skipped): retried with backoff until it answers. */
  private <T> T retrying(SqlWork<T> work, TermIndex ti) {
    long backoff = 100;
    while (true) {
      try {
        return work.run();
      } catch (SQLException e) {
        if (closing) {
          throw new ClosingException("stopping while entry " + ti + " waits for PostgreSQL");
        }
        log.warn("{}: entry {} waits for PostgreSQL: {}", nodeId, ti, e.getMessage());
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new ClosingException("interrupted while entry " + ti + " waits for PostgreSQL");
        }
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  /** A read of the replicated state, consistent with the applied index. */
  public <T> T read(java.util.function.Function<RegionState, T> f) {
    synchronized (state) {
      return f.apply(state);
    }
  }

  @Override
  public void close() throws IOException {
    closing = true;
    super.close();
  }

  static final class ClosingException extends RuntimeException {
    ClosingException(String message) {
      super(message);
    }
  }
}
