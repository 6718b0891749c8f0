package com.cps.dcs.localagent.store;

import com.cps.dcs.eventstore.sqlite.SqliteEventLog;
import com.cps.dcs.eventstore.sqlite.SqliteEventLog.CrdtRow;
import com.cps.dcs.eventstore.sqlite.StoredEvent;
import com.cps.dcs.kernel.chain.HashChain;
import com.cps.dcs.kernel.clock.ClockDriftException;
import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.clock.HlcClock;
import com.cps.dcs.kernel.crdt.Crdt;
import com.cps.dcs.kernel.event.EventFactsCodec;
import com.cps.dcs.kernel.event.EventSealer;
import com.cps.dcs.kernel.event.ReceiptHash;
import com.cps.dcs.kernel.hash.Canonical;
import com.cps.dcs.kernel.hash.IdempotencyKeys;
import com.cps.dcs.kernel.hash.Sha256;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.kernel.money.Money;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.proto.v4.SovereignPayload;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** The operations available inside one {@link LocalStore#transaction}. */
public final class LocalTx implements StateView {
  private final Connection c;
  private final LocalStore.Identity id;
  private final HlcClock clock;
  private final EventSealer sealer;
  private final InstantSource time;
  private final List<StoredEvent> appended;
  private final LocalCrdts crdts;

  LocalTx(Connection c, LocalStore.Identity id, HlcClock clock, EventSealer sealer, InstantSource time,
      List<StoredEvent> appended) {
    this.c = c;
    this.id = id;
    this.clock = clock;
    this.sealer = sealer;
    this.time = time;
    this.appended = appended;
    this.crdts = new LocalCrdts(c, id.branchId(), clock, time);
  }

  /**
   * Appends one event through the whole pipeline: idempotency (forever), optimistic concurrency, id and clock,
   * seal + HMAC + hash + chain + signature, durable insert, ack.
   *
   * @throws AppendRefused when the request is stale, reuses a key for other content, or is invalid
   */
  public AppendOutcome append(EventDraft d) {
    return appendAll(List.of(keyed(id, sealer, d)), null).get(0).orElseThrow();
  }

  /**
   * A draft with what depends on nothing but the draft, worked out by the caller's thread before the draft queues
   * for the committer: its idempotency key, its content hash, its event id (the caller's, or a fresh UUID v7) and
   * its sensitive payload sealed for that id (fresh data key, AES-GCM, key wrap). A draft refused later wastes
   * them and nothing else.
   */
  record Keyed(EventDraft draft, String key, String contentHash, String eventId, SovereignPayload sealedPayload) {}

  static Keyed keyed(LocalStore.Identity id, EventSealer sealer, EventDraft d) {
    String key = d.idempotencyKey() != null && !d.idempotencyKey().isEmpty() ? d.idempotencyKey()
        : IdempotencyKeys.of(id.tenantId(), id.branchId(), d.streamId(), d.type(), d.amountMinor(), d.currency(),
            d.correlationId(), d.naturalKey());
    String eventId = d.eventId() != null ? d.eventId() : UuidV7.next().toString();
    return new Keyed(d, key, contentHash(d), eventId,
        sealer.sealPayload(eventId, d.sensitivePayload() == null ? new byte[0] : d.sensitivePayload()));
  }

  /**
   * Appends {@code drafts} in order, exactly as many {@link #append} calls would, and reports each one's outcome; a
   * refused draft writes nothing and does not disturb the others. The work is split in phases so that only what
   * must be sequential is: (1) in order, the checks (idempotency, event id, stream version, against the log and
   * the drafts before it) and the ids and clock readings; (2) sealing, HMAC and event hash of every accepted draft,
   * spread over {@code parallel}; (3) in order, the chain links; (4) the covered bytes of the chained events, spread
   * over {@code parallel}, and one group signature over them (each event verifiable alone with its inclusion path);
   * (5) in order, the inserts. Each event is the one {@link EventSealer#seal} would make.
   *
   * @param parallel where phases 2 and 4 may run, besides this thread; null for this thread only
   */
  List<LocalStore.Result> appendAll(List<Keyed> drafts, ExecutorService parallel) {
    try {
      LocalStore.Result[] results = new LocalStore.Result[drafts.size()];
      List<Prepared> accepted = new ArrayList<>();
      Map<String, Prepared> byKey = new HashMap<>();
      Set<String> eventIds = new HashSet<>();
      Map<String, Long> versions = new HashMap<>();
      int[] duplicateOf = new int[drafts.size()];
      Arrays.fill(duplicateOf, -1);
      for (int i = 0; i < drafts.size(); i++) {
        try {
          Prepared p = prepare(drafts.get(i), i, byKey, eventIds, versions);
          if (p.duplicate != null) {
            results[i] = new LocalStore.Result(p.duplicate, null);
          } else if (p.sameAs != null) {
            duplicateOf[i] = p.sameAs.index;
          } else {
            accepted.add(p);
            byKey.put(p.key, p);
            eventIds.add(p.draft.getEventId());
            versions.put(p.draft.getStreamId(), (long) p.draft.getStreamVersion());
          }
        } catch (AppendRefused r) {
          results[i] = new LocalStore.Result(null, r);
        }
      }
      if (!accepted.isEmpty()) {
        forEach(accepted, parallel, p -> p.sealing = sealer.begin(p.draft, p.sealedPayload));
        byte[] previous = SqliteEventLog.meta(c, LocalStore.CHAIN_HEAD).orElse(HashChain.GENESIS);
        for (Prepared p : accepted) {
          previous = p.sealing.chain(previous);
        }
        forEach(accepted, parallel, p -> p.sealing.covered());
        List<EventSealer.Sealing> group = new ArrayList<>(accepted.size());
        accepted.forEach(p -> group.add(p.sealing));
        List<SovereignFinancialEvent> signed = sealer.signAll(group); // one ECDSA signature for the group
        for (int k = 0; k < accepted.size(); k++) {
          accepted.get(k).sealed = signed.get(k);
          accepted.get(k).body = accepted.get(k).sealing.signedBytes();
        }
        AppendOutcome[] appendedAt = new AppendOutcome[drafts.size()];
        for (Prepared p : accepted) {
          SovereignFinancialEvent sealed = p.sealed;
          AckResponse ack = AckResponse.newBuilder()
              .setSuccess(true)
              .setMessage("appended")
              .setReceiptHash(ReceiptHash.of(sealed.getEventId(), sealed.getStreamVersion()))
              .setSagaId(sealed.getSagaId())
              .setCommittedClock(p.hlc.toProto())
              .setProcessingNode(id.agentId())
              .setProcessingTimeMs((System.nanoTime() - p.started) / 1_000_000)
              .setEventId(sealed.getEventId())
              .build();
          long seq = SqliteEventLog.insert(c, sealed, p.body, ack, p.contentHash, true);
          appended.add(new StoredEvent(seq, sealed, ack, p.contentHash, true));
          appendedAt[p.index] = new AppendOutcome.Appended(sealed, ack);
          results[p.index] = new LocalStore.Result(appendedAt[p.index], null);
        }
        SqliteEventLog.putMeta(c, LocalStore.CHAIN_HEAD, previous);
        for (int i = 0; i < drafts.size(); i++) {
          if (duplicateOf[i] >= 0) {
            AppendOutcome first = appendedAt[duplicateOf[i]];
            results[i] = new LocalStore.Result(new AppendOutcome.Duplicate(first.event(),
                first.ack().toBuilder().setIsDuplicate(true).build()), null);
          }
        }
      }
      return Arrays.asList(results);
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  /** A draft that passed the checks, on its way through the phases of {@link #appendAll}. */
  private static final class Prepared {
    final int index;
    final long started;
    String contentHash;
    String key;
    AppendOutcome duplicate; // an identical earlier request in the log
    Prepared sameAs; // an identical earlier draft of this group
    SovereignFinancialEvent draft;
    SovereignPayload sealedPayload;
    Hlc hlc;
    EventSealer.Sealing sealing;
    SovereignFinancialEvent sealed;
    byte[] body;

    Prepared(int index, long started) {
      this.index = index;
      this.started = started;
    }
  }

  /** Phase 1 for one draft: every check and refusal, and what the agent assigns (id, version, clock, ts). */
  private Prepared prepare(Keyed k, int index, Map<String, Prepared> byKey, Set<String> eventIds,
      Map<String, Long> versions) throws SQLException {
    EventDraft d = k.draft();
    Prepared p = new Prepared(index, System.nanoTime());
    p.contentHash = k.contentHash();
    p.key = k.key();
    Prepared earlier = byKey.get(p.key);
    if (earlier != null) {
      if (!earlier.contentHash.equals(p.contentHash)) {
        throw new AppendRefused.KeyReused(p.key);
      }
      p.sameAs = earlier;
      return p;
    }
    Optional<StoredEvent> existing = SqliteEventLog.byIdempotencyKey(c, p.key);
    if (existing.isPresent()) {
      if (!existing.get().contentHash().equals(p.contentHash)) {
        throw new AppendRefused.KeyReused(p.key);
      }
      p.duplicate = new AppendOutcome.Duplicate(existing.get().event(),
          existing.get().ack().toBuilder().setIsDuplicate(true).build());
      return p;
    }
    if (d.eventId() != null && (eventIds.contains(d.eventId()) || SqliteEventLog.byEventId(c, d.eventId())
        .isPresent())) {
      throw new AppendRefused.Invalid("event_id", "event " + d.eventId() + " already exists with other content");
    }
    Long inGroup = versions.get(d.streamId());
    long current = inGroup != null ? inGroup : SqliteEventLog.streamVersion(c, d.streamId());
    long version = d.streamVersion() == 0 ? current + 1 : d.streamVersion();
    if (version != current + 1) {
      throw new AppendRefused.StaleVersion(d.streamId(), current, version);
    }
    Hlc hlc;
    try {
      hlc = d.causalContext() != null && d.causalContext().hasHlc()
          ? clock.receive(Hlc.fromProto(d.causalContext().getHlc()))
          : clock.now();
    } catch (ClockDriftException e) {
      throw new AppendRefused.Invalid("causal_context.hlc", e.getMessage());
    }
    CausalContext.Builder causal = d.causalContext() == null ? CausalContext.newBuilder()
        : d.causalContext().toBuilder();
    causal.setHlc(hlc.toProto()).setLamportTimestamp(Math.max(causal.getLamportTimestamp() + 1, hlc.counter()));
    if (d.parentEventIds() != null && causal.getParentEventIdsCount() == 0) {
      causal.addAllParentEventIds(d.parentEventIds());
    }
    Instant now = time.instant();
    SovereignFinancialEvent.Builder draft = SovereignFinancialEvent.newBuilder()
        .setEventId(k.eventId())
        .setCorrelationId(nz(d.correlationId()))
        .setIdempotencyKey(p.key)
        .setStreamVersion(Math.toIntExact(version))
        .setStreamId(d.streamId())
        .setBranchId(id.branchId())
        .setAgentId(id.agentId())
        .setSagaId(nz(d.sagaId()))
        .setTenantId(id.tenantId())
        .setType(d.type())
        .setAmountMinor(d.amountMinor())
        .setCurrency(nz(d.currency()))
        .setCausalContext(causal)
        .setTs(d.ts() != null ? d.ts() : Timestamp.newBuilder().setSeconds(now.getEpochSecond())
            .setNanos(now.getNano()).build())
        .setCreatedBy(nz(d.createdBy()))
        .setApprovedBy(nz(d.approvedBy()));
    if (!nz(d.currency()).isEmpty()) {
      draft.setAmount(Money.ofMinor(d.amountMinor(), d.currency()).toWireDouble());
    }
    if (d.facts() != null) {
      draft.setPublicMetadata(EventFactsCodec.encode(d.facts()));
    }
    p.draft = draft.build();
    p.sealedPayload = k.sealedPayload();
    p.hlc = hlc;
    return p;
  }

  /**
   * Runs {@code work} on every item, on this thread and the pool's; returns when all are done and rethrows the
   * first failure. Small groups stay on this thread: a hand-off costs more than sealing one event.
   */
  static <T> void forEach(List<T> items, ExecutorService parallel, Consumer<T> work) {
    int n = items.size();
    int workers = parallel == null || n < PARALLEL_MIN ? 1 : Math.min(PARALLELISM, (n + 1) / 2);
    if (workers == 1) {
      items.forEach(work);
      return;
    }
    AtomicInteger next = new AtomicInteger();
    Runnable drain = () -> {
      int i;
      while ((i = next.getAndIncrement()) < n) {
        work.accept(items.get(i));
      }
    };
    // A helper still queued behind other work when this thread has finished is skipped, not waited for.
    List<AtomicInteger> states = new ArrayList<>(workers - 1); // 0 queued, 1 running, 2 skipped
    List<Future<?>> helpers = new ArrayList<>(workers - 1);
    for (int w = 1; w < workers; w++) {
      AtomicInteger state = new AtomicInteger();
      states.add(state);
      helpers.add(parallel.submit(() -> {
        if (state.compareAndSet(0, 1)) {
          drain.run();
        }
      }));
    }
    RuntimeException failure = null;
    try {
      drain.run();
    } catch (RuntimeException e) {
      failure = e;
      next.set(n);
    }
    for (int w = 0; w < helpers.size(); w++) {
      if (states.get(w).compareAndSet(0, 2)) {
        continue; // never started: nothing of it to wait for
      }
      try {
        helpers.get(w).get();
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while sealing", e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Threads that seal and sign a group at once (this one included), and the group size worth spreading. */
  static final int PARALLELISM = Math.max(1, Runtime.getRuntime().availableProcessors());
  private static final int PARALLEL_MIN = 4;

  /**
   * Stores an event created and sealed by a verified peer agent (verification is the caller's duty); duplicates
   * by event id or idempotency key return the first ack.
   */
  public AppendOutcome acceptPeerEvent(SovereignFinancialEvent e, long receivedAtMs) {
    try {
      Optional<StoredEvent> existing = SqliteEventLog.byEventId(c, e.getEventId());
      if (existing.isEmpty() && !e.getIdempotencyKey().isEmpty()) {
        existing = SqliteEventLog.byIdempotencyKey(c, e.getIdempotencyKey());
      }
      if (existing.isPresent()) {
        return new AppendOutcome.Duplicate(existing.get().event(),
            existing.get().ack().toBuilder().setIsDuplicate(true).build());
      }
      if (SqliteEventLog.atPosition(c, e.getStreamId(), e.getStreamVersion()).isPresent()) {
        throw new AppendRefused.StaleVersion(e.getStreamId(), SqliteEventLog.streamVersion(c, e.getStreamId()),
            e.getStreamVersion());
      }
      if (e.hasCausalContext() && e.getCausalContext().hasHlc()) {
        try {
          clock.receive(Hlc.fromProto(e.getCausalContext().getHlc()));
        } catch (ClockDriftException ex) {
          throw new AppendRefused.Invalid("causal_context.hlc", ex.getMessage());
        }
      }
      SovereignFinancialEvent stored = e.toBuilder().setReceivedAt(receivedAtMs).build();
      AckResponse ack = AckResponse.newBuilder().setSuccess(true).setMessage("accepted from " + e.getAgentId())
          .setReceiptHash(ReceiptHash.of(e.getEventId(), e.getStreamVersion()))
          .setSagaId(e.getSagaId()).setCommittedClock(clock.last().toProto()).setProcessingNode(id.agentId())
          .setEventId(e.getEventId()).build();
      long seq = SqliteEventLog.insert(c, stored, ack, "peer:" + e.getEventHash(), false);
      appended.add(new StoredEvent(seq, stored, ack, "peer:" + e.getEventHash(), false));
      return new AppendOutcome.Appended(stored, ack);
    } catch (SQLException ex) {
      throw LocalStore.sql(ex);
    }
  }

  public long streamVersion(String streamId) {
    try {
      return SqliteEventLog.streamVersion(c, streamId);
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  @Override
  public String branchId() {
    return id.branchId();
  }

  @Override
  public Optional<Crdt> crdt(String crdtId) {
    return crdts.find(crdtId);
  }

  /** Replaces the CRDT {@code crdtId} (callers merge first) and stamps it with this agent's clock. */
  public void putCrdt(String crdtId, Crdt value) {
    crdts.put(crdtId, value);
  }

  /** Merges an incoming bundle, checked by the shared CRDT rules, into the local CRDT of the same id. */
  public CRDTStateBundle mergeBundle(CRDTStateBundle incoming) {
    return crdts.merge(incoming);
  }

  @Override
  public Optional<byte[]> document(String collection, String docId) {
    try {
      return SqliteEventLog.document(c, collection, docId);
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  public void putDocument(String collection, String docId, byte[] body) {
    try {
      SqliteEventLog.putDocument(c, collection, docId, body);
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  @Override
  public List<byte[]> documents(String collection) {
    try {
      return SqliteEventLog.documents(c, collection);
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  /** The transaction's connection, for the store's own classes ({@link SyncProgress}, {@link PeerRegistry}). */
  Connection connection() {
    return c;
  }

  /** A fresh reading of the agent's clock. */
  public Hlc now() {
    return clock.now();
  }

  void persistClock() {
    try {
      SqliteEventLog.putMeta(c, LocalStore.HLC_HIGH_WATER, clock.last().toProto().toByteArray());
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  static Crdt toCrdt(CrdtRow r) {
    return LocalCrdts.toCrdt(r);
  }

  static Hlc hlcOf(CrdtRow r) {
    return LocalCrdts.hlcOf(r);
  }

  /** SHA-256 of the business content: tells a retry (same content) from a different request reusing a key. */
  static String contentHash(EventDraft d) {
    SovereignFinancialEvent.Builder b = SovereignFinancialEvent.newBuilder()
        .setStreamId(nz(d.streamId())).setType(d.type()).setAmountMinor(d.amountMinor())
        .setCurrency(nz(d.currency())).setCorrelationId(nz(d.correlationId())).setSagaId(nz(d.sagaId()))
        .setCreatedBy(nz(d.createdBy())).setApprovedBy(nz(d.approvedBy()))
        .setPayload(SovereignPayload.newBuilder().setEncryptedData(ByteString.copyFrom(
            Sha256.digest(d.sensitivePayload() == null ? new byte[0] : d.sensitivePayload()))));
    if (d.facts() != null) {
      b.setPublicMetadata(EventFactsCodec.encode(d.facts()));
    }
    if (d.eventId() != null) {
      b.setEventId(d.eventId());
    }
    if (d.streamVersion() != 0) {
      b.setStreamVersion(Math.toIntExact(d.streamVersion()));
    }
    return Sha256.hex(Sha256.digest(Canonical.bytes(b.build())));
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
