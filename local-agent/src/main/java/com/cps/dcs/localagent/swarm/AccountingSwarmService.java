package com.cps.dcs.localagent.swarm;

import com.cps.dcs.eventstore.sqlite.SqliteEventLog;
import com.cps.dcs.eventstore.sqlite.StoredEvent;
import com.cps.dcs.kernel.chain.ChainVerification;
import com.cps.dcs.kernel.chain.HashChainVerifier;
import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.AgentMessages;
import com.cps.dcs.kernel.crypto.CrdtUploadSignature;
import com.cps.dcs.kernel.crypto.Ecdsa;
import com.cps.dcs.kernel.crypto.IntegrityException;
import com.cps.dcs.kernel.event.EventVerifier;
import com.cps.dcs.kernel.hash.Canonical;
import com.cps.dcs.kernel.hash.Sha256;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.kernel.ledger.Reconciliation;
import com.cps.dcs.kernel.money.Money;
import com.cps.dcs.kernel.money.MoneyException;
import com.cps.dcs.kernel.validation.AgentMessageRules;
import com.cps.dcs.kernel.validation.ClockBounds;
import com.cps.dcs.kernel.validation.CrdtRules;
import com.cps.dcs.kernel.validation.InputRefused;
import com.cps.dcs.kernel.validation.ReconciliationRules;
import com.cps.dcs.kernel.validation.Texts;
import com.cps.dcs.kernel.validation.Violation;
import com.cps.dcs.localagent.store.AppendOutcome;
import com.cps.dcs.localagent.store.AppendRefused;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.AgentMessage;
import com.cps.dcs.proto.v4.AgentMessageType;
import com.cps.dcs.proto.v4.AgentRegistration;
import com.cps.dcs.proto.v4.AgentStatus;
import com.cps.dcs.proto.v4.AgentType;
import com.cps.dcs.proto.v4.BatchAckResponse;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.ConflictResolutionRequest;
import com.cps.dcs.proto.v4.EventBatch;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.GetEventRequest;
import com.cps.dcs.proto.v4.GetEventsRangeRequest;
import com.cps.dcs.proto.v4.ReconciliationRequest;
import com.cps.dcs.proto.v4.ReconciliationResponse;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.proto.v4.SubscribeRequest;
import com.cps.dcs.service.grpc.GrpcErrors;
import com.cps.dcs.service.grpc.InboundWindow;
import com.cps.dcs.service.grpc.PacedStream;
import com.cps.dcs.service.swarm.LedgerConflicts;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code AccountingSwarmProtocol} at a branch: all twelve RPCs, served from the branch's own SQLite log. */
public final class AccountingSwarmService extends AccountingSwarmProtocolGrpc.AccountingSwarmProtocolImplBase {
  private static final Logger log = LoggerFactory.getLogger(AccountingSwarmService.class);
  private static final int DEFAULT_LIMIT = 100;
  private static final int MAX_LIMIT = 1000;
  /** Live events queued for one subscriber at most before it is dropped as too slow. */
  static final int LIVE_BACKLOG = 10_000;
  /** Event ids and keys a swarm exchange remembers from its peer to recognise echoes. */
  static final int RECENT_PEER_IDS = 100_000;

  private final LocalStore store;
  private final PeerRegistry peers;
  private final EventVerifier verifier;
  private final AgentKeys keys;
  private final InstantSource time;
  private final String masterAddress;
  private final MeterRegistry meters;
  private final ClockBounds bounds;

  public AccountingSwarmService(LocalStore store, PeerRegistry peers, EventVerifier verifier, AgentKeys keys,
      InstantSource time, String masterAddress, MeterRegistry meters, ClockBounds bounds) {
    this.bounds = bounds;
    this.store = store;
    this.peers = peers;
    this.verifier = verifier;
    this.keys = keys;
    this.time = time;
    this.masterAddress = masterAddress;
    this.meters = meters;
  }

  // --- ingest ---------------------------------------------------------------------------------------------------

  @Override
  public void broadcastFinancialEvent(SovereignFinancialEvent request, StreamObserver<AckResponse> out) {
    AckResponse ack = ingest(request);
    out.onNext(ack);
    out.onCompleted();
  }

  /** Appends one incoming event (a client's request, or a verified peer's sealed event); refusals throw. */
  private AckResponse ingest(SovereignFinancialEvent e) {
    long started = System.nanoTime();
    try {
      AppendOutcome outcome;
      if (IncomingEvents.isSealed(e)) {
        IncomingEvents.checkPeerEvent(e, bounds, time.millis());
        peers.verify(e);
        outcome = store.transaction(tx -> tx.acceptPeerEvent(e, time.millis()));
      } else {
        outcome = store.append(IncomingEvents.toDraft(e, store.identity(), bounds, time.millis()));
      }
      meters.counter("dcs.events.appended", "outcome",
          outcome instanceof AppendOutcome.Duplicate ? "duplicate" : "appended").increment();
      meters.timer("dcs.events.append.latency").record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      return outcome.ack();
    } catch (AppendRefused r) {
      meters.counter("dcs.events.rejected", "reason", r.getClass().getSimpleName()).increment();
      throw Errors.of(r);
    }
  }

  /** Like {@link #ingest} but a refusal becomes a failed ack, so one bad event does not end a batch. */
  private AckResponse ingestToAck(SovereignFinancialEvent e) {
    try {
      return ingest(e);
    } catch (StatusRuntimeException ex) {
      return failedAck(e, ex);
    }
  }

  /** Events of a {@code StreamOfflineEvents} call handed to the committer at a time, while the next ones arrive. */
  public static final int STREAM_CHUNK = 128;
  /** Chunks of one call queued for the committer at most; the call reads no further until the oldest is written. */
  public static final int STREAM_CHUNKS_IN_FLIGHT = 8;

  /**
   * Batched ingest. The events are appended in chunks as they arrive, so the committer writes the first ones while
   * the client still sends (and this thread seals) the next; the one answer, with an ack per event in the order
   * sent, leaves when the last chunk is committed.
   */
  @Override
  public StreamObserver<SovereignFinancialEvent> streamOfflineEvents(StreamObserver<BatchAckResponse> out) {
    ArrayDeque<Chunk> inFlight = new ArrayDeque<>();
    List<AckResponse> acks = new ArrayList<>();
    List<SovereignFinancialEvent> pending = new ArrayList<>();
    return InboundWindow.of(out, InboundWindow.BATCH, new StreamObserver<>() {
      @Override
      public void onNext(SovereignFinancialEvent e) {
        pending.add(e);
        if (pending.size() >= STREAM_CHUNK) {
          flush();
          while (inFlight.size() > STREAM_CHUNKS_IN_FLIGHT) {
            acks.addAll(inFlight.poll().acks());
          }
        }
      }

      private void flush() {
        if (pending.isEmpty()) {
          return;
        }
        boolean sealed = pending.stream().anyMatch(IncomingEvents::isSealed);
        if (sealed) { // peers' events are stored one by one after what came before them
          inFlight.forEach(c -> acks.addAll(c.acks()));
          inFlight.clear();
        }
        inFlight.add(ingestBatch(List.copyOf(pending)));
        pending.clear();
      }

      @Override
      public void onError(Throwable t) {
        log.debug("StreamOfflineEvents ended by the client: {}", t.toString());
      }

      @Override
      public void onCompleted() {
        flush();
        inFlight.forEach(c -> acks.addAll(c.acks()));
        int failed = (int) acks.stream().filter(a -> !a.getSuccess()).count();
        out.onNext(BatchAckResponse.newBuilder().addAllIndividualResponses(acks).setTotalProcessed(acks.size())
            .setTotalFailed(failed).setBatchId(UuidV7.next().toString()).build());
        out.onCompleted();
      }
    });
  }

  /**
   * Appends a batch of client events in one transaction (peers' sealed events one by one, as they need checking
   * against their keys), keeping the order; a refused event gets a failed ack and does not stop the others. Returns
   * once the client events are queued for the committer.
   */
  private Chunk ingestBatch(List<SovereignFinancialEvent> batch) {
    AckResponse[] acks = new AckResponse[batch.size()];
    List<Integer> index = new ArrayList<>();
    List<com.cps.dcs.localagent.store.EventDraft> drafts = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      SovereignFinancialEvent e = batch.get(i);
      if (IncomingEvents.isSealed(e)) {
        acks[i] = ingestToAck(e);
        continue;
      }
      try {
        drafts.add(IncomingEvents.toDraft(e, store.identity(), bounds, time.millis()));
        index.add(i);
      } catch (AppendRefused r) {
        acks[i] = failedAck(e, Errors.of(r));
      }
    }
    return new Chunk(batch, acks, index,
        drafts.isEmpty() ? CompletableFuture.completedFuture(List.of()) : store.submitAll(drafts));
  }

  /** A batch queued for the committer: its acks so far, and where its client events' results will come. */
  private final class Chunk {
    final List<SovereignFinancialEvent> batch;
    final AckResponse[] acks;
    final List<Integer> index;
    final CompletableFuture<List<LocalStore.Result>> submitted;

    Chunk(List<SovereignFinancialEvent> batch, AckResponse[] acks, List<Integer> index,
        CompletableFuture<List<LocalStore.Result>> submitted) {
      this.batch = batch;
      this.acks = acks;
      this.index = index;
      this.submitted = submitted;
    }

    /** Waits for the commit; one ack per event of the batch, in its order. */
    List<AckResponse> acks() {
      List<LocalStore.Result> results = LocalStore.await(submitted);
      for (int k = 0; k < results.size(); k++) {
        LocalStore.Result r = results.get(k);
        SovereignFinancialEvent e = batch.get(index.get(k));
        if (r.refusal() != null) {
          meters.counter("dcs.events.rejected", "reason", r.refusal().getClass().getSimpleName()).increment();
          acks[index.get(k)] = failedAck(e, Errors.of(r.refusal()));
        } else {
          meters.counter("dcs.events.appended", "outcome",
              r.outcome() instanceof AppendOutcome.Duplicate ? "duplicate" : "appended").increment();
          acks[index.get(k)] = r.outcome().ack();
        }
      }
      return List.of(acks);
    }
  }

  private AckResponse failedAck(SovereignFinancialEvent e, StatusRuntimeException ex) {
    return AckResponse.newBuilder().setSuccess(false).setEventId(e.getEventId())
        .setMessage(ex.getStatus().getCode() + ": " + ex.getStatus().getDescription())
        .setProcessingNode(store.agentId()).build();
  }

  @Override
  public StreamObserver<SovereignFinancialEvent> swarmEventExchange(StreamObserver<SovereignFinancialEvent> out) {
    ServerCallStreamObserver<SovereignFinancialEvent> call = (ServerCallStreamObserver<SovereignFinancialEvent>) out;
    // The ids seen from the peer, the newest RECENT_PEER_IDS of them: enough to recognise an echo, bounded however
    // long the exchange lasts.
    Set<String> fromPeer = java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(
        new java.util.LinkedHashMap<String, Boolean>() {
          @Override
          protected boolean removeEldestEntry(java.util.Map.Entry<String, Boolean> eldest) {
            return size() > RECENT_PEER_IDS;
          }
        }));
    java.util.concurrent.atomic.AtomicInteger unread = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicReference<Consumer<StoredEvent>> push =
        new java.util.concurrent.atomic.AtomicReference<>();
    // Push this branch's own new events to the peer while it sends us its own. This runs on the committer's thread,
    // which must never wait for a peer: a peer that leaves LIVE_BACKLOG events unread is dropped instead.
    push.set(s -> {
      boolean echo = fromPeer.contains(s.event().getEventId()) || fromPeer.contains("key:" + s.event()
          .getIdempotencyKey());
      if (s.own() && !echo && !call.isCancelled()) {
        synchronized (call) {
          if (call.isReady()) {
            unread.set(0);
          } else if (unread.incrementAndGet() > LIVE_BACKLOG) {
            store.removeAppendListener(push.get());
            call.onError(GrpcErrors.resourceExhausted("SLOW_READER", "the peer left " + LIVE_BACKLOG
                + " events unread; exchange again from the last event received"));
            return;
          }
          call.onNext(s.event());
        }
      }
    });
    store.addAppendListener(push.get());
    call.setOnCancelHandler(() -> store.removeAppendListener(push.get()));
    return new StreamObserver<>() {
      @Override
      public void onNext(SovereignFinancialEvent e) {
        // Never push the peer's own events back to it: known by id when sealed, by idempotency key when the
        // agent assigns the id itself.
        fromPeer.add(e.getEventId());
        if (!e.getIdempotencyKey().isEmpty()) {
          fromPeer.add("key:" + e.getIdempotencyKey());
        }
        AckResponse ack = ingestToAck(e);
        fromPeer.add(ack.getEventId());
        if (!ack.getSuccess()) {
          log.warn("SwarmEventExchange refused {}: {}", e.getEventId(), ack.getMessage());
        }
      }

      @Override
      public void onError(Throwable t) {
        store.removeAppendListener(push.get());
      }

      @Override
      public void onCompleted() {
        store.removeAppendListener(push.get());
        synchronized (call) {
          call.onCompleted();
        }
      }
    };
  }

  // --- reads ----------------------------------------------------------------------------------------------------

  @Override
  public void getEventById(GetEventRequest request, StreamObserver<SovereignFinancialEvent> out) {
    if (request.getEventId().isEmpty()) {
      throw GrpcErrors.invalidArgument("event_id", "is required");
    }
    checkBranch(request.getBranchId());
    SovereignFinancialEvent e = store.findEvent(request.getEventId())
        .filter(ev -> request.getBranchId().isEmpty() || ev.getBranchId().equals(request.getBranchId()))
        .orElseThrow(() -> GrpcErrors.notFound("SovereignFinancialEvent", request.getEventId(),
            "no event " + request.getEventId() + " at branch " + store.branchId()));
    out.onNext(request.getIncludePayload() ? e : e.toBuilder().clearPayload().build());
    out.onCompleted();
  }

  @Override
  public void getEventsByRange(GetEventsRangeRequest r, StreamObserver<EventBatch> out) {
    checkBranch(r.getBranchId());
    long from = r.getStartTimestamp();
    long to = r.getEndTimestamp() == 0 ? Long.MAX_VALUE : r.getEndTimestamp();
    if (from < 0) {
      throw GrpcErrors.invalidArgument("start_timestamp", "must be >= 0 (Unix milliseconds)");
    }
    if (to < from) {
      throw GrpcErrors.invalidArgument("end_timestamp", "must not be before start_timestamp");
    }
    if (r.getLimit() < 0 || r.getLimit() > MAX_LIMIT) {
      throw GrpcErrors.invalidArgument("limit", "must be between 0 (default " + DEFAULT_LIMIT + ") and " + MAX_LIMIT);
    }
    int limit = r.getLimit() == 0 ? DEFAULT_LIMIT : r.getLimit();
    long after = Cursors.decode(r.getCursor());
    List<Integer> types = typeNumbers(r.getTypeFilterList(), "type_filter");
    List<StoredEvent> page = store.read(c -> SqliteEventLog.range(c, from, to, types, after, limit + 1));
    int total = store.read(c -> SqliteEventLog.count(c, from, to, types));
    boolean more = page.size() > limit;
    List<StoredEvent> shown = more ? page.subList(0, limit) : page;
    EventBatch.Builder b = EventBatch.newBuilder().setHasMore(more).setTotalCount(total);
    shown.forEach(s -> b.addEvents(s.event()));
    if (more) {
      b.setNextCursor(Cursors.encode(shown.get(shown.size() - 1).seq()));
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void subscribeEvents(SubscribeRequest r, StreamObserver<SovereignFinancialEvent> out) {
    checkBranch(r.getBranchId());
    if (r.getFromTimestamp() < 0) {
      throw GrpcErrors.invalidArgument("from_timestamp", "must be >= 0 (Unix milliseconds)");
    }
    List<Integer> types = typeNumbers(r.getEventTypesList(), "event_types");
    ServerCallStreamObserver<SovereignFinancialEvent> call = (ServerCallStreamObserver<SovereignFinancialEvent>) out;
    // Listen before reading history: an event committed meanwhile is in the queue, in the log, or both (then
    // skipped by seq), never in neither. That is the seam with no gap and no duplicate.
    // Bounded: a reader that falls this far behind the live stream is dropped (it resubscribes from where it was).
    BlockingQueue<StoredEvent> live = new LinkedBlockingQueue<>(LIVE_BACKLOG);
    java.util.concurrent.atomic.AtomicBoolean overflow = new java.util.concurrent.atomic.AtomicBoolean();
    Consumer<StoredEvent> listener = s -> {
      if (!live.offer(s)) {
        overflow.set(true);
      }
    };
    PacedStream<SovereignFinancialEvent> paced = new PacedStream<>(call, PacedStream.DEFAULT_MAX_STALL);
    store.addAppendListener(listener);
    Thread.ofVirtual().name("subscribe-events").start(() -> {
      try {
        long last = 0;
        if (r.getIncludeHistorical()) {
          while (!paced.isOver()) {
            long after = last;
            List<StoredEvent> page = store.read(c -> SqliteEventLog.range(c, r.getFromTimestamp(), Long.MAX_VALUE,
                types, after, 500));
            if (page.isEmpty()) {
              break;
            }
            for (StoredEvent s : page) {
              if (!paced.send(s.event())) {
                return;
              }
            }
            last = page.get(page.size() - 1).seq();
          }
        } else {
          last = store.maxSeq();
        }
        while (!paced.isOver()) {
          if (overflow.get()) {
            paced.drop();
            return;
          }
          StoredEvent s = live.poll(500, TimeUnit.MILLISECONDS);
          if (s == null || s.seq() <= last) {
            continue;
          }
          last = s.seq();
          boolean typeOk = types.isEmpty() || types.contains(s.event().getTypeValue());
          if (typeOk && SqliteEventLog.tsMillis(s.event()) >= r.getFromTimestamp() && !paced.send(s.event())) {
            return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        if (!call.isCancelled()) {
          log.warn("subscription failed", e);
          call.onError(GrpcErrors.internal("subscription failed"));
        }
      } finally {
        store.removeAppendListener(listener);
      }
    });
  }

  // --- CRDTs ----------------------------------------------------------------------------------------------------

  @Override
  public StreamObserver<CRDTStateBundle> streamCRDTUpdates(StreamObserver<BatchAckResponse> out) {
    List<AckResponse> acks = new ArrayList<>();
    return new StreamObserver<>() {
      @Override
      public void onNext(CRDTStateBundle b) {
        if (acks.size() >= CrdtRules.MAX_BUNDLES_PER_CALL) { // answered once, at the end: the acks are bounded too
          return;
        }
        try {
          CRDTStateBundle merged = mergeBundle(b);
          acks.add(AckResponse.newBuilder().setSuccess(true).setMessage("merged " + b.getCrdtId() + " v"
              + merged.getVersion()).setProcessingNode(store.agentId()).setCommittedClock(merged.getLastUpdated())
              .build());
        } catch (StatusRuntimeException e) {
          acks.add(AckResponse.newBuilder().setSuccess(false).setMessage(e.getStatus().getDescription())
              .setProcessingNode(store.agentId()).build());
        }
      }

      @Override
      public void onError(Throwable t) {
        log.debug("StreamCRDTUpdates ended by the client: {}", t.toString());
      }

      @Override
      public void onCompleted() {
        if (acks.size() >= CrdtRules.MAX_BUNDLES_PER_CALL) {
          out.onError(GrpcErrors.invalidArgument("bundles", "more than " + CrdtRules.MAX_BUNDLES_PER_CALL
              + " in one call; the first " + CrdtRules.MAX_BUNDLES_PER_CALL + " were merged, send the rest again"));
          return;
        }
        int failed = (int) acks.stream().filter(a -> !a.getSuccess()).count();
        out.onNext(BatchAckResponse.newBuilder().addAllIndividualResponses(acks).setTotalProcessed(acks.size())
            .setTotalFailed(failed).setBatchId(UuidV7.next().toString()).build());
        out.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<CRDTStateBundle> syncCRDTState(StreamObserver<CRDTStateBundle> out) {
    Set<String> seen = new HashSet<>();
    boolean[] failed = {false};
    return new StreamObserver<>() {
      @Override
      public void onNext(CRDTStateBundle b) {
        if (failed[0]) {
          return;
        }
        try {
          if (seen.size() >= CrdtRules.MAX_BUNDLES_PER_CALL) {
            throw GrpcErrors.invalidArgument("bundles", "more than " + CrdtRules.MAX_BUNDLES_PER_CALL
                + " in one call");
          }
          CRDTStateBundle merged = mergeBundle(b);
          seen.add(b.getCrdtId());
          out.onNext(merged);
        } catch (StatusRuntimeException e) {
          failed[0] = true;
          out.onError(e);
        }
      }

      @Override
      public void onError(Throwable t) {
        log.debug("SyncCRDTState ended by the client: {}", t.toString());
      }

      @Override
      public void onCompleted() {
        if (failed[0]) {
          return;
        }
        // Then everything the peer did not mention, so both sides end with the union.
        for (CRDTStateBundle b : store.crdtBundles("")) {
          if (!seen.contains(b.getCrdtId())) {
            out.onNext(b);
          }
        }
        out.onCompleted();
      }
    };
  }

  private CRDTStateBundle mergeBundle(CRDTStateBundle b) {
    if (b.getCrdtId().isEmpty()) {
      throw GrpcErrors.invalidArgument("crdt_id", "is required");
    }
    try {
      return store.transaction(tx -> tx.mergeBundle(b));
    } catch (AppendRefused r) {
      throw Errors.of(r);
    } catch (IllegalArgumentException e) {
      throw GrpcErrors.invalidArgument("serialized_state", e.getMessage());
    }
  }

  // --- agents ---------------------------------------------------------------------------------------------------

  @Override
  public StreamObserver<AgentMessage> agentCommunication(StreamObserver<AgentMessage> out) {
    return new StreamObserver<>() {
      @Override
      public void onNext(AgentMessage m) {
        try {
          out.onNext(handle(m));
        } catch (StatusRuntimeException e) {
          out.onError(e);
        }
      }

      @Override
      public void onError(Throwable t) {
        log.debug("AgentCommunication ended by the peer: {}", t.toString());
      }

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }

  private AgentMessage handle(AgentMessage m) {
    List<Violation> bad = AgentMessageRules.check(m, bounds, time.millis());
    if (!bad.isEmpty()) {
      throw GrpcErrors.refused(new InputRefused(bad));
    }
    if (m.getMessageType() == AgentMessageType.HEARTBEAT && !m.getPayload().isEmpty()) {
      AgentRegistration reg;
      try {
        reg = AgentRegistration.parseFrom(m.getPayload());
      } catch (InvalidProtocolBufferException e) {
        throw GrpcErrors.invalidArgument("payload", "a HEARTBEAT payload is an encoded AgentRegistration");
      }
      if (!reg.getAgentId().equals(m.getFromAgent())) {
        throw GrpcErrors.invalidArgument("payload.agent_id", "must equal from_agent");
      }
      if (!verifySignature(m, reg.getPublicKey().toByteArray())) {
        throw GrpcErrors.permissionDenied("BAD_SIGNATURE", "the registration is not signed by the key it carries");
      }
      boolean accepted;
      try {
        accepted = peers.register(reg, time.millis());
      } catch (IllegalArgumentException e) {
        throw GrpcErrors.invalidArgument("payload.public_key", e.getMessage());
      }
      if (!accepted) {
        throw GrpcErrors.permissionDenied("KEY_MISMATCH",
            "agent " + reg.getAgentId() + " is registered here with another public key");
      }
      return reply(m.getFromAgent(), AgentMessageType.HEARTBEAT, ownRegistration().toByteString());
    }
    // Any other message must come from a registered peer and carry its signature.
    var key = peers.keyOf(m.getFromAgent()).orElseThrow(() -> GrpcErrors.permissionDenied("UNKNOWN_AGENT",
        "agent " + m.getFromAgent() + " has not registered (send a HEARTBEAT with an AgentRegistration first)"));
    if (!verifySignature(m, key.getEncoded())) {
      throw GrpcErrors.permissionDenied("BAD_SIGNATURE", "message " + m.getMessageId() + " is not signed by "
          + m.getFromAgent());
    }
    store.transaction(tx -> {
      tx.putDocument("agent-messages", m.getMessageId().isEmpty() ? UuidV7.next().toString() : m.getMessageId(),
          m.toByteArray());
      return null;
    });
    return reply(m.getFromAgent(), AgentMessageType.HEARTBEAT,
        ByteString.copyFromUtf8("received " + m.getMessageType() + " " + m.getMessageId()));
  }

  private boolean verifySignature(AgentMessage m, byte[] publicKey) {
    return AgentMessages.verify(m, publicKey);
  }

  /** This agent's registration, for peers. */
  public AgentRegistration ownRegistration() {
    Instant now = time.instant();
    return AgentRegistration.newBuilder().setAgentId(store.agentId()).setAgentType(AgentType.LOCAL_AGENT)
        .setBranchId(store.branchId()).setStatus(AgentStatus.AGENT_ACTIVE)
        .addCapabilities("AccountingSwarmProtocol").addCapabilities("QueryProtocol").addCapabilities("PosService")
        .setLastHeartbeat(com.google.protobuf.Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
        .setPublicKey(ByteString.copyFrom(keys.publicKeyBytes())).build();
  }

  /** Call headers that sign an upload of {@code bundles} to the region as this agent ({@link CrdtUploadSignature}). */
  public io.grpc.Metadata crdtUploadHeaders(List<CRDTStateBundle> bundles) {
    long at = System.currentTimeMillis();
    io.grpc.Metadata headers = new io.grpc.Metadata();
    headers.put(io.grpc.Metadata.Key.of(CrdtUploadSignature.AGENT_HEADER, io.grpc.Metadata.ASCII_STRING_MARSHALLER),
        store.agentId());
    headers.put(io.grpc.Metadata.Key.of(CrdtUploadSignature.SIGNED_AT_HEADER,
        io.grpc.Metadata.ASCII_STRING_MARSHALLER), Long.toString(at));
    headers.put(io.grpc.Metadata.Key.of(CrdtUploadSignature.SIGNATURE_HEADER, io.grpc.Metadata.BINARY_BYTE_MARSHALLER),
        CrdtUploadSignature.sign(keys.privateKey(), store.agentId(), at, bundles));
    return headers;
  }

  /** A message from this agent, signed with its key. */
  public AgentMessage signedMessage(String to, AgentMessageType type, ByteString payload) {
    AgentMessage unsigned = AgentMessage.newBuilder().setMessageId(UuidV7.next().toString())
        .setFromAgent(store.agentId()).setToAgent(to).setMessageType(type).setPayload(payload)
        .setTimestamp(store.clock().now().toProto()).build();
    return AgentMessages.sign(unsigned, keys.privateKey());
  }

  private AgentMessage reply(String to, AgentMessageType type, ByteString payload) {
    return signedMessage(to, type, payload);
  }

  // --- reconciliation -------------------------------------------------------------------------------------------

  @Override
  public void requestReconciliation(ReconciliationRequest r, StreamObserver<ReconciliationResponse> out) {
    long to = r.getEndTimestamp() == 0 ? Long.MAX_VALUE : r.getEndTimestamp();
    validateReconciliation(r, to);
    out.onNext(reconcile(r, r.getStartTimestamp(), to, true));
    out.onCompleted();
  }

  @Override
  public void streamReconciliation(ReconciliationRequest r, StreamObserver<ReconciliationResponse> out) {
    long to = r.getEndTimestamp() == 0 ? time.millis() : r.getEndTimestamp();
    validateReconciliation(r, to);
    // One result per UTC day of the range (expected_balance applies to the whole range), then the whole range.
    long dayMs = 86_400_000L;
    long start = r.getStartTimestamp();
    for (long day = Instant.ofEpochMilli(start).atZone(ZoneOffset.UTC).toLocalDate().atStartOfDay(ZoneOffset.UTC)
        .toInstant().toEpochMilli(); day < to; day += dayMs) {
      out.onNext(reconcile(r, Math.max(day, start), Math.min(day + dayMs, to), false));
    }
    out.onNext(reconcile(r, start, to, true));
    out.onCompleted();
  }

  private void validateReconciliation(ReconciliationRequest r, long to) {
    checkBranch(r.getBranchId());
    ReconciliationRules.check(r, time.millis());
  }


  private ReconciliationResponse reconcile(ReconciliationRequest r, long from, long to, boolean compare) {
    List<Integer> types = ReconciliationRules.check(r, time.millis());
    Reconciliation.Tally tally = new Reconciliation.Tally(store.currency());
    List<String> discrepancies = new ArrayList<>();
    boolean tampered = false;
    long after = 0;
    while (true) {
      long a = after;
      List<StoredEvent> page = store.read(c -> SqliteEventLog.range(c, from, to, types, a, 1000));
      if (page.isEmpty()) {
        break;
      }
      for (StoredEvent s : page) {
        tally.add(s.event());
        try {
          verifier.verifyIntegrity(s.event());
        } catch (IntegrityException e) {
          if (discrepancies.size() < Reconciliation.MAX_DISCREPANCY_IDS) {
            discrepancies.add(s.event().getEventId());
          }
          tampered = true;
        }
      }
      after = page.get(page.size() - 1).seq();
    }
    ChainVerification chain = verifyChain();
    if (!chain.intact()) {
      discrepancies.add(chain.firstBrokenEventId());
    }
    Money actual = tally.balance();
    boolean balanced = discrepancies.isEmpty() && !tampered;
    if (compare) {
      Money expected;
      try {
        expected = Money.fromWire(r.getExpectedBalance(), store.currency());
      } catch (MoneyException e) {
        throw GrpcErrors.invalidArgument("expected_balance", e.getMessage());
      }
      balanced = balanced && expected.equals(actual);
    }
    ReconciliationResponse.Builder b = ReconciliationResponse.newBuilder().setIsBalanced(balanced)
        .setActualBalance(actual.toWireDouble()).addAllDiscrepancyEventIds(discrepancies)
        .setReconciliationTimestamp(store.clock().now().toProto())
        .setMasterPublicKeyId(ByteString.copyFromUtf8("agent:" + store.agentId()));
    if (r.getIncludeCrdtState()) {
      store.crdtBundles("tx-count").stream().findFirst().ifPresent(b::setCrdtSnapshot);
    }
    // Signed by this agent: a branch-level attestation of the figures (a master agent signs its own).
    String signature = Sha256.hex(Ecdsa.sign(keys.privateKey(), Canonical.bytes(b.build())));
    return b.setValidationSignature(signature).build();
  }

  /** Walks this agent's hash chain. */
  public ChainVerification verifyChain() {
    List<SovereignFinancialEvent> own = new ArrayList<>();
    store.read(c -> {
      SqliteEventLog.forEachOwn(c, own::add);
      return null;
    });
    return HashChainVerifier.verify(own);
  }

  // --- conflicts ------------------------------------------------------------------------------------------------

  @Override
  public void resolveLedgerConflict(ConflictResolutionRequest r, StreamObserver<SovereignFinancialEvent> out) {
    out.onNext(LedgerConflicts.resolve(r, masterAddress));
    out.onCompleted();
  }

  // --- helpers --------------------------------------------------------------------------------------------------

  private void checkBranch(String branchId) {
    if (!branchId.isEmpty() && !branchId.equals(store.branchId())) {
      throw GrpcErrors.notFound("Branch", branchId, "this agent serves branch " + store.branchId() + " only");
    }
  }

  private static List<Integer> typeNumbers(List<EventType> types, String field) {
    if (types.size() > EventType.values().length) {
      throw GrpcErrors.invalidArgument(field, "more types than there are event types");
    }
    List<Integer> out = new ArrayList<>();
    for (EventType t : types) {
      if (t == EventType.UNRECOGNIZED) {
        throw GrpcErrors.invalidArgument(field, "contains an unknown event type");
      }
      out.add(t.getNumber());
    }
    return out;
  }
}
