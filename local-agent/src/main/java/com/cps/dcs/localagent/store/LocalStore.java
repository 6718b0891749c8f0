package com.cps.dcs.localagent.store;

import com.cps.dcs.eventstore.sqlite.SqliteDatabase;
import com.cps.dcs.eventstore.sqlite.SqliteEventLog;
import com.cps.dcs.eventstore.sqlite.SqliteSagaStore;
import com.cps.dcs.eventstore.sqlite.StoredEvent;
import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.clock.HlcClock;
import com.cps.dcs.kernel.crdt.Crdt;
import com.cps.dcs.kernel.crdt.CrdtBundles;
import com.cps.dcs.kernel.event.EventSealer;
import com.cps.dcs.kernel.saga.SagaStore;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.HybridLogicalClock;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The branch's durable state: the event log, CRDTs and documents, in one SQLite file. Every change happens inside
 * {@link #transaction}: a saga step's events, CRDT changes and state commit together or not at all, and an
 * acknowledged event is on disk ({@code synchronous=FULL}) before the ack leaves.
 */
public final class LocalStore implements AutoCloseable, StateView {
  private static final Logger log = LoggerFactory.getLogger(LocalStore.class);
  static final String HLC_HIGH_WATER = "hlc_high_water";
  static final String CHAIN_HEAD = "chain_head";

  private final SqliteDatabase db;
  private final Identity identity;
  private final HlcClock clock;
  private final EventSealer sealer;
  private final InstantSource time;
  private final List<Consumer<StoredEvent>> listeners = new CopyOnWriteArrayList<>();
  private final SagaStore sagas;

  /** Who this agent is. */
  public record Identity(String tenantId, String branchId, String agentId, String currency) {}

  /** Opens the branch's SQLite file (created and migrated when new) as this agent's store. */
  public static LocalStore open(Path file, Identity identity, EventSealer sealer, InstantSource time,
      Duration maxDrift) {
    return new LocalStore(SqliteDatabase.open(file), identity, sealer, time, maxDrift);
  }

  /**
   * The own events in the branch's SQLite file, in append order (the agent's hash chain), read without opening the
   * store (no keys needed), for {@code verify-chain}.
   */
  public static List<SovereignFinancialEvent> ownEventsIn(Path file) {
    List<SovereignFinancialEvent> own = new ArrayList<>();
    try (SqliteDatabase db = SqliteDatabase.open(file)) {
      db.read(c -> {
        SqliteEventLog.forEachOwn(c, own::add);
        return null;
      });
    }
    return own;
  }

  public LocalStore(SqliteDatabase db, Identity identity, EventSealer sealer, InstantSource time, Duration maxDrift) {
    this.db = db;
    this.identity = identity;
    this.sealer = sealer;
    this.time = time;
    this.sagas = new SqliteSagaStore(db);
    Hlc persisted = db.read(c -> SqliteEventLog.meta(c, HLC_HIGH_WATER)).map(LocalStore::parseHlc).orElse(null);
    this.clock = new HlcClock(identity.branchId(), time, maxDrift, persisted);
  }

  private static Hlc parseHlc(byte[] b) {
    try {
      return Hlc.fromProto(HybridLogicalClock.parseFrom(b));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored HLC high-water mark is corrupt", e);
    }
  }

  /**
   * Runs {@code work} in one SQLite transaction. Listeners hear of appended events only after the commit.
   *
   * @throws AppendRefused when an append inside is refused (then nothing of the transaction is written)
   */
  public <T> T transaction(Function<LocalTx, T> work) {
    List<StoredEvent> appended = new ArrayList<>();
    T result = db.inTransaction(c -> {
      LocalTx tx = new LocalTx(c, identity, clock, sealer, time, appended);
      T r = work.apply(tx);
      tx.persistClock();
      return r;
    });
    for (StoredEvent e : appended) {
      for (Consumer<StoredEvent> l : listeners) {
        try {
          l.accept(e);
        } catch (RuntimeException ex) {
          log.warn("append listener failed for {}", e.event().getEventId(), ex);
        }
      }
    }
    return result;
  }

  /**
   * Appends one event, committed together with whatever other appends are waiting at that moment (group commit):
   * one fsync covers them all, and each caller still gets its own outcome only after the commit.
   *
   * @throws AppendRefused when this draft is refused (the others of the group are unaffected)
   */
  public AppendOutcome append(EventDraft draft) {
    return appendAll(List.of(draft)).get(0).orElseThrow();
  }

  /** The outcome of one draft of a batch: appended or refused. */
  public record Result(AppendOutcome outcome, AppendRefused refusal) {
    public AppendOutcome orElseThrow() {
      if (refusal != null) {
        throw refusal;
      }
      return outcome;
    }
  }

  /**
   * Appends many drafts in one transaction, in order. A refused draft is reported and skipped without touching the
   * others: every refusal is raised before that draft writes anything.
   */
  public List<Result> appendAll(List<EventDraft> drafts) {
    return await(submitAll(drafts));
  }

  /**
   * The results of {@link #submitAll}, once committed.
   *
   * @throws RuntimeException what the group's transaction threw (nothing of it was written)
   */
  public static List<Result> await(CompletableFuture<List<Result>> submitted) {
    try {
      return submitted.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the commit", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * Like {@link #appendAll}, but returns once the drafts are queued for the committer, in the order of the calls:
   * drafts submitted later by the same thread are appended after these. The future completes after their commit
   * (or exceptionally when the transaction failed, when nothing of the group was written). A caller with a long
   * stream of drafts keeps preparing the next ones while the committer writes these.
   */
  public CompletableFuture<List<Result>> submitAll(List<EventDraft> drafts) {
    // On the caller's thread (and the sealing pool for a big batch), not the committer's.
    LocalTx.Keyed[] keyed = new LocalTx.Keyed[drafts.size()];
    List<Integer> indexes = java.util.stream.IntStream.range(0, keyed.length).boxed().toList();
    LocalTx.forEach(indexes, sealingPool, i -> keyed[i] = LocalTx.keyed(identity, sealer, drafts.get(i)));
    GroupCommit.Pending pending = new GroupCommit.Pending(List.of(keyed));
    groupCommit.submit(pending);
    return pending.done;
  }

  private final GroupCommit groupCommit = new GroupCommit(this);

  /**
   * Threads that help the committer seal and sign a group (the committer is one more), or null on one core.
   * Daemons: they hold nothing durable, and a group being sealed when the JVM stops was never acknowledged.
   */
  private final ExecutorService sealingPool = LocalTx.PARALLELISM < 2 ? null
      : Executors.newFixedThreadPool(LocalTx.PARALLELISM - 1, r -> {
        Thread t = new Thread(r, "append-seal");
        t.setDaemon(true);
        return t;
      });

  ExecutorService sealingPool() {
    return sealingPool;
  }

  public Optional<SovereignFinancialEvent> findEvent(String eventId) {
    return db.read(c -> SqliteEventLog.byEventId(c, eventId)).map(StoredEvent::event);
  }

  public Optional<StoredEvent> findStored(String eventId) {
    return db.read(c -> SqliteEventLog.byEventId(c, eventId));
  }

  @Override
  public Optional<Crdt> crdt(String crdtId) {
    return db.read(c -> SqliteEventLog.crdt(c, crdtId)).map(LocalTx::toCrdt);
  }

  @Override
  public Optional<byte[]> document(String collection, String id) {
    return db.read(c -> SqliteEventLog.document(c, collection, id));
  }

  @Override
  public List<byte[]> documents(String collection) {
    return db.read(c -> SqliteEventLog.documents(c, collection));
  }

  /** Every CRDT whose id starts with {@code prefix}, as sync bundles of this branch. */
  public List<CRDTStateBundle> crdtBundles(String prefix) {
    return db.read(c -> SqliteEventLog.crdts(c, prefix)).stream()
        .map(r -> CrdtBundles.toBundle(identity.branchId(), r.crdtId(), LocalTx.toCrdt(r), LocalTx.hlcOf(r),
            r.version()))
        .toList();
  }

  /** The branch's sagas, in the same SQLite file: what the saga engine persists before every side effect. */
  public SagaStore sagas() {
    return sagas;
  }

  // --- the log, read ------------------------------------------------------------------------------------------

  /** Events with ts in [fromMs, toMs), of {@code types} (all when empty), after {@code afterSeq}, in seq order. */
  public List<StoredEvent> range(long fromMs, long toMs, Collection<Integer> types, long afterSeq, int limit) {
    return db.read(c -> SqliteEventLog.range(c, fromMs, toMs, types, afterSeq, limit));
  }

  /** {@link #range} without the own events the region refused: what the branch's figures are made of. */
  public List<StoredEvent> rangeCounted(long fromMs, long toMs, Collection<Integer> types, long afterSeq,
      int limit) {
    return db.read(c -> SqliteEventLog.rangeCounted(c, fromMs, toMs, types, afterSeq, limit));
  }

  /** How many events {@link #range} holds over the whole log. */
  public int count(long fromMs, long toMs, Collection<Integer> types) {
    return db.read(c -> SqliteEventLog.count(c, fromMs, toMs, types));
  }

  /** Walks this agent's own events in append order (its hash chain), a page at a time. */
  public void forEachOwn(Consumer<SovereignFinancialEvent> action) {
    db.read(c -> {
      SqliteEventLog.forEachOwn(c, action);
      return null;
    });
  }

  /** The event's instant as the log files it (its {@code ts}, else its HLC), in Unix milliseconds. */
  public static long tsMillis(SovereignFinancialEvent e) {
    return SqliteEventLog.tsMillis(e);
  }

  /** Runs {@code work} on the reading connection: for the store's own classes (and their tests). */
  <T> T read(SqliteDatabase.SqlWork<T> work) {
    return db.read(work);
  }

  /** Called after each committed append, in commit order, with the stored event and its seq. */
  public void addAppendListener(Consumer<StoredEvent> listener) {
    listeners.add(listener);
  }

  public void removeAppendListener(Consumer<StoredEvent> listener) {
    listeners.remove(listener);
  }

  public Identity identity() {
    return identity;
  }

  @Override
  public String branchId() {
    return identity.branchId();
  }

  public String tenantId() {
    return identity.tenantId();
  }

  public String agentId() {
    return identity.agentId();
  }

  public String currency() {
    return identity.currency();
  }

  public HlcClock clock() {
    return clock;
  }

  public long maxSeq() {
    return db.read(SqliteEventLog::maxSeq);
  }

  @Override
  public void close() {
    if (sealingPool != null) {
      sealingPool.shutdownNow();
    }
    db.close();
  }

  static RuntimeException sql(SQLException e) {
    return new IllegalStateException("SQLite: " + e.getMessage(), e);
  }
}
