package com.cps.dcs.regional.grpc;

import com.cps.dcs.kernel.clock.HlcClock;
import com.cps.dcs.kernel.crdt.CrdtBundles;
import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.AgentMessages;
import com.cps.dcs.kernel.crypto.CrdtUploadSignature;
import com.cps.dcs.kernel.crypto.Ecdsa;
import com.cps.dcs.kernel.crypto.IntegrityException;
import com.cps.dcs.kernel.event.EventVerifier;
import com.cps.dcs.kernel.event.ReceiptHash;
import com.cps.dcs.kernel.hash.Canonical;
import com.cps.dcs.kernel.hash.Sha256;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.kernel.ledger.Reconciliation;
import com.cps.dcs.kernel.money.Money;
import com.cps.dcs.kernel.money.MoneyException;
import com.cps.dcs.kernel.validation.AgentMessageRules;
import com.cps.dcs.kernel.validation.ClockBounds;
import com.cps.dcs.kernel.validation.CrdtRules;
import com.cps.dcs.kernel.validation.EventRules;
import com.cps.dcs.kernel.validation.InputRefused;
import com.cps.dcs.kernel.validation.ReconciliationRules;
import com.cps.dcs.kernel.validation.Texts;
import com.cps.dcs.kernel.validation.Violation;
import com.cps.dcs.proto.region.v1.EventOutcome;
import com.cps.dcs.proto.region.v1.MergeCrdt;
import com.cps.dcs.proto.region.v1.RegionCommand;
import com.cps.dcs.proto.region.v1.RegionReply;
import com.cps.dcs.proto.region.v1.RegisterAgent;
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
import com.cps.dcs.regional.raft.RegionNode;
import com.cps.dcs.regional.store.RegionStore;
import com.cps.dcs.service.grpc.GrpcErrors;
import com.cps.dcs.service.grpc.InboundWindow;
import com.cps.dcs.service.grpc.PacedStream;
import com.cps.dcs.service.grpc.QuarantinedAck;
import com.cps.dcs.service.swarm.LedgerConflicts;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code AccountingSwarmProtocol} at a regional node, for the branches of the region. Ingest verifies every event
 * against its branch agent's registered key before anything is proposed (an unknown agent or a forged event is
 * refused and nothing is written), then replicates it through Raft and acknowledges once committed. Reads are
 * served from PostgreSQL in commit order.
 */
public final class RegionalSwarmService extends AccountingSwarmProtocolGrpc.AccountingSwarmProtocolImplBase {
  private static final Logger log = LoggerFactory.getLogger(RegionalSwarmService.class);
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  static final int MAX_STREAM_EVENTS = 10_000;
  static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(30);

  /** Who this node is and whom it serves. */
  public record Identity(String nodeId, String tenantId, String regionId, String currency, String masterAddress) {}

  private final Identity id;
  private final RegionNode node;
  private final RegionStore store;
  private final IngestBatcher batcher;
  private final EventVerifier verifier;
  /** Registered keys, parsed once (an agent keeps its first key, so an encoding always means the same key). */
  private final java.util.Map<ByteString, PublicKey> parsedKeys = new ConcurrentHashMap<>();
  private final AgentKeys keys;
  private final HlcClock clock;
  private final InstantSource time;
  private final Counter refused;
  private final Timer commitLatency;
  private final ClockBounds bounds;

  public RegionalSwarmService(Identity id, RegionNode node, RegionStore store, IngestBatcher batcher,
      EventVerifier verifier, AgentKeys keys, HlcClock clock, InstantSource time, MeterRegistry meters,
      ClockBounds bounds) {
    this.bounds = bounds;
    this.id = id;
    this.node = node;
    this.store = store;
    this.batcher = batcher;
    this.verifier = verifier;
    this.keys = keys;
    this.clock = clock;
    this.time = time;
    this.refused = meters.counter("dcs.region.events.refused");
    this.commitLatency = Timer.builder("dcs.region.commit.latency").publishPercentiles(0.5, 0.99)
        .register(meters);
  }

  // --- ingest ---------------------------------------------------------------------------------------------------

  /**
   * Checks an event from a branch: within the shared input rules (ids, amounts, clocks), sealed and signed, this
   * region's tenant, from a registered agent of its branch, and its HMAC, hash and ECDSA signature verify against
   * that agent's registered key.
   *
   * @throws StatusRuntimeException naming what is wrong
   */
  SovereignFinancialEvent verify(SovereignFinancialEvent e) {
    return verify(e, Intake.BROADCAST);
  }

  /** How an event reaches this check, which decides the rules it meets before its authenticity is checked. */
  enum Intake {
    /** One event from a caller: every rule, content and clocks, refused at the edge. */
    BROADCAST,
    /**
     * A branch's committed events, synced: an authentic event whose content breaks {@link EventRules#content} goes on
     * to be quarantined when the entry is applied (refused here it would come back every round and hold up the
     * branch's log behind it), and only the future bound of the clocks applies, since a branch's events are as old
     * as its time offline.
     */
    SYNC,
    /** An event read back from PostgreSQL (reconciliation): authenticity only, it passed the rules when it came. */
    STORED
  }

  SovereignFinancialEvent verify(SovereignFinancialEvent e, Intake intake) {
    if (e.getDigitalSignature().isEmpty()) {
      throw GrpcErrors.invalidArgument("digital_signature", "the region accepts only events sealed and signed by"
          + " their branch's agent");
    }
    if (!UuidV7.isV7(e.getEventId())) {
      throw GrpcErrors.invalidArgument("event_id", "must be a UUID v7 in canonical form");
    }
    List<Violation> bad = switch (intake) {
      case BROADCAST -> EventRules.all(e, bounds, time.millis());
      case SYNC -> EventRules.clocks(e, bounds.withoutAge(), time.millis());
      case STORED -> List.of();
    };
    if (!bad.isEmpty()) {
      throw GrpcErrors.refused(new InputRefused(bad));
    }
    if (!e.getTenantId().equals(id.tenantId())) {
      throw GrpcErrors.invalidArgument("tenant_id", "this region serves tenant " + id.tenantId());
    }
    if (e.getStreamId().isEmpty()) {
      throw GrpcErrors.invalidArgument("stream_id", "is required");
    }
    AgentRegistration agent = node.stateMachine().read(s -> s.agent(e.getAgentId())).orElseThrow(() ->
        GrpcErrors.permissionDenied("UNKNOWN_AGENT", "agent '" + e.getAgentId() + "' is not registered in region "
            + id.regionId() + " (it registers with a signed HEARTBEAT on AgentCommunication)"));
    if (!agent.getBranchId().equals(e.getBranchId())) {
      throw GrpcErrors.permissionDenied("WRONG_BRANCH", "agent " + e.getAgentId() + " is registered for branch "
          + agent.getBranchId() + ", not " + e.getBranchId());
    }
    try {
      verifier.verify(e, parsedKeys.computeIfAbsent(agent.getPublicKey(),
          k -> AgentKeys.publicKeyFromX509(k.toByteArray())));
    } catch (IntegrityException | IllegalArgumentException ex) {
      throw GrpcErrors.permissionDenied("FORGED_EVENT", "event " + e.getEventId() + " does not verify against agent "
          + e.getAgentId() + "'s registered key: " + ex.getMessage());
    }
    return e;
  }

  @Override
  public void broadcastFinancialEvent(SovereignFinancialEvent request, StreamObserver<AckResponse> out) {
    long started = System.nanoTime();
    SovereignFinancialEvent e = verifyCounting(request);
    EventOutcome o = await(batcher.submitAll(List.of(e)).get(0));
    if (o.getResult() == EventOutcome.Result.REFUSED || o.getResult() == EventOutcome.Result.QUARANTINED) {
      refused.increment();
      throw refusal(o);
    }
    out.onNext(ack(e, o, started));
    out.onCompleted();
  }

  private SovereignFinancialEvent verifyCounting(SovereignFinancialEvent e) {
    return verifyCounting(e, Intake.BROADCAST);
  }

  private SovereignFinancialEvent verifyCounting(SovereignFinancialEvent e, Intake intake) {
    try {
      return verify(e, intake);
    } catch (StatusRuntimeException ex) {
      refused.increment();
      throw ex;
    }
  }

  private static StatusRuntimeException refusal(EventOutcome o) {
    if (o.getResult() == EventOutcome.Result.QUARANTINED) {
      return GrpcErrors.failedPrecondition("QUARANTINED", "event " + o.getEventId(), o.getReason());
    }
    if (o.getReason().startsWith("stream ")) {
      return GrpcErrors.aborted("STREAM_POSITION_TAKEN", o.getReason(),
          java.util.Map.of("event_id", o.getEventId()));
    }
    return GrpcErrors.failedPrecondition("REFUSED", "event " + o.getEventId(), o.getReason());
  }

  private AckResponse ack(SovereignFinancialEvent e, EventOutcome o, long startedNanos) {
    boolean duplicate = o.getResult() == EventOutcome.Result.DUPLICATE;
    String storedId = duplicate && !o.getStoredEventId().isEmpty() ? o.getStoredEventId() : e.getEventId();
    return AckResponse.newBuilder().setSuccess(true).setIsDuplicate(duplicate).setEventId(storedId)
        .setReceiptHash(ReceiptHash.of(e.getEventId(), e.getStreamVersion())).setSagaId(e.getSagaId())
        .setCommittedClock(e.getCausalContext().getHlc()).setProcessingNode(id.nodeId())
        .setProcessingTimeMs(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos))
        .setMessage(duplicate ? "already committed at raft index " + o.getCommittedIndex()
            : "committed at raft index " + o.getCommittedIndex()).build();
  }

  private AckResponse failedAck(SovereignFinancialEvent e, StatusRuntimeException ex) {
    return AckResponse.newBuilder().setSuccess(false).setEventId(e.getEventId()).setProcessingNode(id.nodeId())
        .setMessage(ex.getStatus().getCode() + ": " + ex.getStatus().getDescription()).build();
  }

  /** Verifies and commits a batch; one ack per event, in order (a refused event does not stop the others). */
  List<AckResponse> ingestAll(List<SovereignFinancialEvent> events) {
    long started = System.nanoTime();
    AckResponse[] acks = new AckResponse[events.size()];
    List<Integer> index = new ArrayList<>();
    List<SovereignFinancialEvent> verified = new ArrayList<>();
    // Verification (ECDSA above all) is the CPU-heavy part: spread a batch over the cores.
    StatusRuntimeException[] refusals = new StatusRuntimeException[events.size()];
    java.util.stream.IntStream.range(0, events.size()).parallel().forEach(i -> {
      try {
        verifyCounting(events.get(i), Intake.SYNC);
      } catch (StatusRuntimeException ex) {
        refusals[i] = ex;
      }
    });
    for (int i = 0; i < events.size(); i++) {
      if (refusals[i] == null) {
        verified.add(events.get(i));
        index.add(i);
      } else {
        acks[i] = failedAck(events.get(i), refusals[i]);
      }
    }
    long verifiedAt = System.nanoTime();
    List<CompletableFuture<EventOutcome>> outcomes = batcher.submitAll(verified);
    for (int k = 0; k < outcomes.size(); k++) {
      SovereignFinancialEvent e = verified.get(k);
      EventOutcome o = await(outcomes.get(k));
      if (o.getResult() == EventOutcome.Result.QUARANTINED) {
        refused.increment();
        acks[index.get(k)] = QuarantinedAck.of(e.getEventId(), id.nodeId(), o.getReason());
      } else if (o.getResult() == EventOutcome.Result.REFUSED) {
        refused.increment();
        acks[index.get(k)] = failedAck(e, refusal(o));
      } else {
        acks[index.get(k)] = ack(e, o, started);
      }
    }
    long done = System.nanoTime();
    commitLatency.record(done - started, TimeUnit.NANOSECONDS);
    if (log.isDebugEnabled()) {
      log.debug("batch of {}: verify {} ms, commit {} ms", events.size(), (verifiedAt - started) / 1_000_000,
          (done - verifiedAt) / 1_000_000);
    }
    return List.of(acks);
  }

  @Override
  public StreamObserver<SovereignFinancialEvent> streamOfflineEvents(StreamObserver<BatchAckResponse> out) {
    List<SovereignFinancialEvent> received = new ArrayList<>();
    List<AckResponse> acks = new ArrayList<>();
    return InboundWindow.of(out, InboundWindow.BATCH, new StreamObserver<>() {
      private boolean failed;

      @Override
      public void onNext(SovereignFinancialEvent e) {
        if (failed) {
          return;
        }
        received.add(e);
        if (received.size() >= 1000) {
          flush();
        }
        if (acks.size() > MAX_STREAM_EVENTS) {
          failed = true;
          out.onError(GrpcErrors.invalidArgument("events", "a StreamOfflineEvents call carries at most "
              + MAX_STREAM_EVENTS + " events; send the rest in another call"));
        }
      }

      private void flush() {
        acks.addAll(ingestAll(List.copyOf(received)));
        received.clear();
      }

      @Override
      public void onError(Throwable t) {
        log.debug("StreamOfflineEvents ended by the client: {}", t.toString());
      }

      @Override
      public void onCompleted() {
        if (failed) {
          return;
        }
        try {
          flush();
        } catch (StatusRuntimeException ex) {
          out.onError(ex);
          return;
        }
        int bad = (int) acks.stream().filter(a -> !a.getSuccess()).count();
        out.onNext(BatchAckResponse.newBuilder().addAllIndividualResponses(acks).setTotalProcessed(acks.size())
            .setTotalFailed(bad).setBatchId(UuidV7.next().toString()).build());
        out.onCompleted();
      }
    });
  }

  /**
   * Ingests the peer's events as they come, and streams back the events the region commits meanwhile that did not
   * come from that peer (other branches' events), in commit order.
   */
  @Override
  public StreamObserver<SovereignFinancialEvent> swarmEventExchange(StreamObserver<SovereignFinancialEvent> out) {
    ServerCallStreamObserver<SovereignFinancialEvent> call = (ServerCallStreamObserver<SovereignFinancialEvent>) out;
    Set<String> peerAgents = java.util.concurrent.ConcurrentHashMap.newKeySet();
    long[] start = sql(store::lastPosition);
    Poller poller = new Poller(call, "", 0, List.of(), start[0], (int) start[1],
        e -> !peerAgents.contains(e.getAgentId()));
    Thread.ofVirtual().name("swarm-exchange").start(poller);
    return new StreamObserver<>() {
      @Override
      public void onNext(SovereignFinancialEvent e) {
        peerAgents.add(e.getAgentId());
        AckResponse a = ingestAll(List.of(e)).get(0);
        if (!a.getSuccess()) {
          log.warn("SwarmEventExchange refused {}: {}", e.getEventId(), a.getMessage());
        }
      }

      @Override
      public void onError(Throwable t) {
        poller.stop();
      }

      @Override
      public void onCompleted() {
        poller.stop();
        synchronized (call) {
          call.onCompleted();
        }
      }
    };
  }

  // --- reads ----------------------------------------------------------------------------------------------------

  @Override
  public void getEventById(GetEventRequest r, StreamObserver<SovereignFinancialEvent> out) {
    Texts.requireId("event_id", r.getEventId());
    Texts.checkId("branch_id", r.getBranchId());
    SovereignFinancialEvent e = sql(() -> store.findEvent(r.getEventId()))
        .filter(ev -> r.getBranchId().isEmpty() || ev.getBranchId().equals(r.getBranchId()))
        .orElseThrow(() -> GrpcErrors.notFound("SovereignFinancialEvent", r.getEventId(),
            "no event " + r.getEventId() + (r.getBranchId().isEmpty() ? "" : " of branch " + r.getBranchId())
                + " in region " + id.regionId()));
    out.onNext(r.getIncludePayload() ? e : e.toBuilder().clearPayload().build());
    out.onCompleted();
  }

  @Override
  public void getEventsByRange(GetEventsRangeRequest r, StreamObserver<EventBatch> out) {
    Texts.checkId("branch_id", r.getBranchId());
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
    long[] after = decodeCursor(r.getCursor());
    List<Integer> types = typeNumbers(r.getTypeFilterList(), "type_filter");
    List<RegionStore.Stored> page = sql(() -> store.range(r.getBranchId(), from, to, types, after[0], (int) after[1],
        limit + 1));
    int total = sql(() -> store.count(r.getBranchId(), from, to, types));
    boolean more = page.size() > limit;
    List<RegionStore.Stored> shown = more ? page.subList(0, limit) : page;
    EventBatch.Builder b = EventBatch.newBuilder().setHasMore(more).setTotalCount(total);
    shown.forEach(s -> b.addEvents(s.event()));
    if (more) {
      RegionStore.Stored last = shown.get(shown.size() - 1);
      b.setNextCursor(encodeCursor(last.raftIndex(), last.raftPos()));
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  /** History (events with a timestamp from {@code from_timestamp}, in commit order), then live, seamlessly. */
  @Override
  public void subscribeEvents(SubscribeRequest r, StreamObserver<SovereignFinancialEvent> out) {
    Texts.checkId("branch_id", r.getBranchId());
    if (r.getFromTimestamp() < 0) {
      throw GrpcErrors.invalidArgument("from_timestamp", "must be >= 0 (Unix milliseconds)");
    }
    List<Integer> types = typeNumbers(r.getEventTypesList(), "event_types");
    long[] start = r.getIncludeHistorical() ? new long[] {0, -1} : sql(store::lastPosition);
    ServerCallStreamObserver<SovereignFinancialEvent> call = (ServerCallStreamObserver<SovereignFinancialEvent>) out;
    Thread.ofVirtual().name("subscribe-events").start(new Poller(call, r.getBranchId(), r.getFromTimestamp(), types,
        start[0], (int) start[1], e -> true));
  }

  /**
   * Follows the commit order in PostgreSQL from a position. Entries reach PostgreSQL in log order (a node writes
   * entry n only after entry n-1 is there), so following the (raft_index, raft_pos) cursor never skips an event.
   */
  private final class Poller implements Runnable {
    private final ServerCallStreamObserver<SovereignFinancialEvent> call;
    private final String branch;
    private final long fromMs;
    private final List<Integer> types;
    private final Predicate<SovereignFinancialEvent> filter;
    private final PacedStream<SovereignFinancialEvent> paced;
    private long afterIndex;
    private int afterPos;
    private volatile boolean stopped;

    Poller(ServerCallStreamObserver<SovereignFinancialEvent> call, String branch, long fromMs, List<Integer> types,
        long afterIndex, int afterPos, Predicate<SovereignFinancialEvent> filter) {
      this.call = call;
      this.branch = branch;
      this.fromMs = fromMs;
      this.types = types;
      this.afterIndex = afterIndex;
      this.afterPos = afterPos;
      this.filter = filter;
      this.paced = new PacedStream<>(call, PacedStream.DEFAULT_MAX_STALL);
    }

    void stop() {
      stopped = true;
    }

    @Override
    public void run() {
      try {
        while (!stopped && !call.isCancelled()) {
          List<RegionStore.Stored> page = store.range(branch, fromMs, Long.MAX_VALUE, types, afterIndex, afterPos,
              500);
          for (RegionStore.Stored s : page) {
            if (filter.test(s.event())) {
              if (!paced.awaitReady()) {
                return;
              }
              synchronized (call) {
                if (stopped || call.isCancelled()) {
                  return;
                }
                call.onNext(s.event());
              }
            }
            afterIndex = s.raftIndex();
            afterPos = s.raftPos();
          }
          if (page.size() < 500) {
            Thread.sleep(100);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (SQLException | RuntimeException e) {
        if (!call.isCancelled() && !stopped) {
          log.warn("event stream failed: {}", e.getMessage());
          synchronized (call) {
            call.onError(GrpcErrors.unavailable("the region's database is unavailable: " + e.getMessage()));
          }
        }
      }
    }
  }

  static String encodeCursor(long raftIndex, int raftPos) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(("raft:" + raftIndex + ":" + raftPos)
        .getBytes(StandardCharsets.UTF_8));
  }

  static long[] decodeCursor(String cursor) {
    if (cursor.isEmpty()) {
      return new long[] {0, -1};
    }
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(":");
      if (parts.length != 3 || !parts[0].equals("raft")) {
        throw new IllegalArgumentException();
      }
      long index = Long.parseLong(parts[1]);
      int pos = Integer.parseInt(parts[2]);
      if (index < 0 || pos < 0) {
        throw new IllegalArgumentException();
      }
      return new long[] {index, pos};
    } catch (IllegalArgumentException e) {
      throw GrpcErrors.invalidArgument("cursor", "is not a cursor returned by this region");
    }
  }

  // --- CRDTs ----------------------------------------------------------------------------------------------------

  private List<CRDTStateBundle> merge(List<CRDTStateBundle> bundles, String from) {
    for (int i = 0; i < bundles.size(); i++) {
      CRDTStateBundle b = bundles.get(i);
      if (b.getCrdtId().isEmpty()) {
        throw GrpcErrors.invalidArgument("bundles[" + i + "].crdt_id", "is required");
      }
      try {
        CrdtBundles.fromBundle(b);
      } catch (IllegalArgumentException e) {
        throw GrpcErrors.invalidArgument("bundles[" + i + "].serialized_state", e.getMessage());
      }
    }
    if (bundles.isEmpty()) {
      return List.of();
    }
    RegionReply reply = await(node.submit(RegionCommand.newBuilder().setMerge(MergeCrdt.newBuilder()
        .addAllBundles(bundles).setFromAgent(from)).build()));
    if (!reply.getReason().isEmpty()) {
      throw GrpcErrors.invalidArgument("bundles", reply.getReason());
    }
    return reply.getMergedList();
  }

  private static final Metadata.Key<String> UPLOAD_AGENT =
      Metadata.Key.of(CrdtUploadSignature.AGENT_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> UPLOAD_SIGNED_AT =
      Metadata.Key.of(CrdtUploadSignature.SIGNED_AT_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<byte[]> UPLOAD_SIGNATURE =
      Metadata.Key.of(CrdtUploadSignature.SIGNATURE_HEADER, Metadata.BINARY_BYTE_MARSHALLER);

  /**
   * The registered agent that signed this upload of {@code bundles} (see {@link CrdtUploadSignature}); refused,
   * with nothing merged, when the headers are missing, stale, from an unknown agent or not its signature.
   */
  private String uploader(Metadata headers, List<CRDTStateBundle> bundles) {
    String agent = headers.get(UPLOAD_AGENT);
    String at = headers.get(UPLOAD_SIGNED_AT);
    byte[] signature = headers.get(UPLOAD_SIGNATURE);
    if (agent == null || at == null || signature == null) {
      throw GrpcErrors.unauthenticated("CRDT bundles are merged only from a registered agent that signs the upload:"
          + " send the headers " + CrdtUploadSignature.AGENT_HEADER + ", " + CrdtUploadSignature.SIGNED_AT_HEADER
          + " and " + CrdtUploadSignature.SIGNATURE_HEADER);
    }
    long atMs;
    try {
      atMs = Long.parseLong(at);
    } catch (NumberFormatException e) {
      throw GrpcErrors.invalidArgument(CrdtUploadSignature.SIGNED_AT_HEADER, "must be epoch milliseconds");
    }
    if (Math.abs(time.millis() - atMs) > CrdtUploadSignature.MAX_SKEW_MS) {
      throw GrpcErrors.permissionDenied("STALE_SIGNATURE", "the upload was signed at " + Instant.ofEpochMilli(atMs)
          + ", more than " + CrdtUploadSignature.MAX_SKEW_MS / 60_000 + " minutes from the region's clock");
    }
    AgentRegistration known = node.stateMachine().read(s -> s.agent(agent)).orElseThrow(() ->
        GrpcErrors.permissionDenied("UNKNOWN_AGENT", "agent '" + agent + "' is not registered in region "
            + id.regionId() + " (it registers with a signed HEARTBEAT on AgentCommunication)"));
    PublicKey key = parsedKeys.computeIfAbsent(known.getPublicKey(),
        k -> AgentKeys.publicKeyFromX509(k.toByteArray()));
    if (!CrdtUploadSignature.verify(key, agent, atMs, bundles, signature)) {
      throw GrpcErrors.permissionDenied("BAD_SIGNATURE", "the upload is not signed by agent " + agent
          + "'s registered key over these bundles");
    }
    return agent;
  }

  /**
   * Takes one bundle of an upload after checking it ({@link CrdtRules}) and the call's count, so a call never buffers
   * more than {@link CrdtRules#MAX_BUNDLES_PER_CALL} bundles or anything that would be refused at the end; false
   * when the call was ended with the refusal.
   */
  private <T> boolean receiveBundle(List<CRDTStateBundle> received, CRDTStateBundle b, StreamObserver<T> out) {
    List<Violation> bad = received.size() >= CrdtRules.MAX_BUNDLES_PER_CALL
        ? List.of(new Violation("bundles", "more than " + CrdtRules.MAX_BUNDLES_PER_CALL + " in one call"))
        : CrdtRules.check("bundles[" + received.size() + "]", b, bounds, time.millis());
    if (!bad.isEmpty()) {
      refused.increment();
      out.onError(GrpcErrors.refused(new InputRefused(bad)));
      return false;
    }
    received.add(b);
    return true;
  }

  /** Merges an upload: nothing for none, otherwise only when signed by a registered agent. */
  private List<CRDTStateBundle> mergeUpload(Metadata headers, List<CRDTStateBundle> bundles) {
    return bundles.isEmpty() ? List.of() : merge(bundles, uploader(headers, bundles));
  }

  @Override
  public StreamObserver<CRDTStateBundle> streamCRDTUpdates(StreamObserver<BatchAckResponse> out) {
    Metadata headers = CallHeaders.current();
    List<CRDTStateBundle> received = new ArrayList<>();
    boolean[] failed = {false};
    return new StreamObserver<>() {
      @Override
      public void onNext(CRDTStateBundle b) {
        if (!failed[0]) {
          failed[0] = !receiveBundle(received, b, out);
        }
      }

      @Override
      public void onError(Throwable t) {
        log.debug("StreamCRDTUpdates ended by the client: {}", t.toString());
      }

      @Override
      public void onCompleted() {
        if (failed[0]) {
          return;
        }
        List<AckResponse> acks = new ArrayList<>();
        try {
          for (CRDTStateBundle m : mergeUpload(headers, received)) {
            acks.add(AckResponse.newBuilder().setSuccess(true).setMessage("merged " + m.getCrdtId() + " v"
                + m.getVersion()).setProcessingNode(id.nodeId()).setCommittedClock(m.getLastUpdated()).build());
          }
        } catch (StatusRuntimeException e) {
          out.onError(e);
          return;
        }
        out.onNext(BatchAckResponse.newBuilder().addAllIndividualResponses(acks).setTotalProcessed(acks.size())
            .setBatchId(UuidV7.next().toString()).build());
        out.onCompleted();
      }
    };
  }

  /** Merges the peer's bundles in the replicated state; answers the merged ones, then every other region CRDT. */
  @Override
  public StreamObserver<CRDTStateBundle> syncCRDTState(StreamObserver<CRDTStateBundle> out) {
    Metadata headers = CallHeaders.current();
    List<CRDTStateBundle> received = new ArrayList<>();
    boolean[] failed = {false};
    return new StreamObserver<>() {
      @Override
      public void onNext(CRDTStateBundle b) {
        if (!failed[0]) {
          failed[0] = !receiveBundle(received, b, out);
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
        List<CRDTStateBundle> merged;
        try {
          merged = mergeUpload(headers, received);
        } catch (StatusRuntimeException e) {
          out.onError(e);
          return;
        }
        Set<String> seen = new HashSet<>();
        for (CRDTStateBundle m : merged) {
          seen.add(m.getCrdtId());
          out.onNext(m);
        }
        for (CRDTStateBundle b : node.stateMachine().read(s -> s.crdts())) {
          if (seen.add(b.getCrdtId())) {
            out.onNext(b);
          }
        }
        out.onCompleted();
      }
    };
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
      register(m);
      return signed(m.getFromAgent(), AgentMessageType.HEARTBEAT, ownRegistration().toByteString());
    }
    AgentRegistration known = node.stateMachine().read(s -> s.agent(m.getFromAgent())).orElseThrow(() ->
        GrpcErrors.permissionDenied("UNKNOWN_AGENT", "agent " + m.getFromAgent()
            + " has not registered (send a HEARTBEAT with an AgentRegistration first)"));
    if (!AgentMessages.verify(m, known.getPublicKey().toByteArray())) {
      throw GrpcErrors.permissionDenied("BAD_SIGNATURE", "message " + m.getMessageId() + " is not signed by "
          + m.getFromAgent());
    }
    return signed(m.getFromAgent(), AgentMessageType.HEARTBEAT,
        ByteString.copyFromUtf8("received " + m.getMessageType() + " " + m.getMessageId()));
  }

  /** Registers a branch agent in the replicated state (trust on first key), unless it is already as it says. */
  private void register(AgentMessage m) {
    AgentRegistration reg;
    try {
      reg = AgentRegistration.parseFrom(m.getPayload());
    } catch (InvalidProtocolBufferException e) {
      throw GrpcErrors.invalidArgument("payload", "a HEARTBEAT payload is an encoded AgentRegistration");
    }
    if (!reg.getAgentId().equals(m.getFromAgent())) {
      throw GrpcErrors.invalidArgument("payload.agent_id", "must equal from_agent");
    }
    if (reg.getBranchId().isEmpty()) {
      throw GrpcErrors.invalidArgument("payload.branch_id", "is required");
    }
    try {
      AgentKeys.publicKeyFromX509(reg.getPublicKey().toByteArray());
    } catch (IllegalArgumentException e) {
      throw GrpcErrors.invalidArgument("payload.public_key", e.getMessage());
    }
    if (!AgentMessages.verify(m, reg.getPublicKey().toByteArray())) {
      throw GrpcErrors.permissionDenied("BAD_SIGNATURE", "the registration is not signed by the key it carries");
    }
    Optional<AgentRegistration> known = node.stateMachine().read(s -> s.agent(reg.getAgentId()));
    if (known.isPresent() && known.get().getPublicKey().equals(reg.getPublicKey())
        && known.get().getBranchId().equals(reg.getBranchId()) && known.get().getStatus() == reg.getStatus()) {
      return; // nothing new: no log entry for every heartbeat
    }
    RegionReply reply = await(node.submit(RegionCommand.newBuilder().setRegister(RegisterAgent.newBuilder()
        .setRegistration(reg).setAtMs(time.millis())).build()));
    if (!reply.getRegistered()) {
      throw GrpcErrors.permissionDenied("KEY_MISMATCH", reply.getReason());
    }
    // The caller's next call (its events) may come to this node: make sure it has applied the registration.
    try {
      if (!node.awaitApplied(reply.getRaftIndex(), COMMIT_TIMEOUT)) {
        throw GrpcErrors.unavailable("this node is behind the region's leader; retry");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw GrpcErrors.unavailable("interrupted");
    }
    log.info("registered agent {} of branch {}", reg.getAgentId(), reg.getBranchId());
  }

  private AgentRegistration ownRegistration() {
    Instant now = time.instant();
    return AgentRegistration.newBuilder().setAgentId(id.nodeId()).setAgentType(AgentType.REGIONAL_AGENT)
        .setRegionId(id.regionId()).setStatus(node.leaderId().isPresent() ? AgentStatus.AGENT_ACTIVE
            : AgentStatus.AGENT_DEGRADED)
        .addCapabilities("AccountingSwarmProtocol")
        .setLastHeartbeat(com.google.protobuf.Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
        .setPublicKey(ByteString.copyFrom(keys.publicKeyBytes())).build();
  }

  private AgentMessage signed(String to, AgentMessageType type, ByteString payload) {
    AgentMessage unsigned = AgentMessage.newBuilder().setMessageId(UuidV7.next().toString())
        .setFromAgent(id.nodeId()).setToAgent(to).setMessageType(type).setPayload(payload)
        .setTimestamp(clock.now().toProto()).build();
    return AgentMessages.sign(unsigned, keys.privateKey());
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
    ReconciliationRules.check(r, time.millis());
  }


  /** The balance of a branch (or of the whole region when branch_id is empty) recomputed from its stored events. */
  private ReconciliationResponse reconcile(ReconciliationRequest r, long from, long to, boolean compare) {
    List<Integer> types = ReconciliationRules.check(r, time.millis());
    Reconciliation.Tally tally = new Reconciliation.Tally(id.currency());
    List<String> discrepancies = new ArrayList<>();
    boolean tampered = false;
    long afterIndex = 0;
    int afterPos = -1;
    while (true) {
      long ai = afterIndex;
      int ap = afterPos;
      List<RegionStore.Stored> page = sql(() -> store.range(r.getBranchId(), from, to, types, ai, ap, 1000));
      if (page.isEmpty()) {
        break;
      }
      for (RegionStore.Stored s : page) {
        tally.add(s.event());
        // Each stored event verifies again against its agent's key: a row altered in PostgreSQL shows up here.
        try {
          verify(s.event(), Intake.STORED);
        } catch (StatusRuntimeException e) {
          if (discrepancies.size() < Reconciliation.MAX_DISCREPANCY_IDS) {
            discrepancies.add(s.event().getEventId());
          }
          tampered = true;
        }
      }
      afterIndex = page.get(page.size() - 1).raftIndex();
      afterPos = page.get(page.size() - 1).raftPos();
    }
    Money actual;
    try {
      actual = tally.balance();
    } catch (MoneyException e) {
      throw GrpcErrors.failedPrecondition("MIXED_id.currency()", "branch " + r.getBranchId(), e.getMessage());
    }
    boolean balanced = discrepancies.isEmpty() && !tampered;
    if (compare) {
      Money expected;
      try {
        expected = Money.fromWire(r.getExpectedBalance(), id.currency());
      } catch (MoneyException e) {
        throw GrpcErrors.invalidArgument("expected_balance", e.getMessage());
      }
      balanced = balanced && expected.equals(actual);
    }
    ReconciliationResponse.Builder b = ReconciliationResponse.newBuilder().setIsBalanced(balanced)
        .setActualBalance(actual.toWireDouble()).addAllDiscrepancyEventIds(discrepancies)
        .setReconciliationTimestamp(clock.now().toProto())
        .setMasterPublicKeyId(ByteString.copyFromUtf8("agent:" + id.nodeId()));
    if (r.getIncludeCrdtState()) {
      String wanted = r.getBranchId().isEmpty() ? "" : r.getBranchId();
      node.stateMachine().read(s -> s.crdts()).stream()
          .filter(c -> wanted.isEmpty() || c.getCrdtId().contains(wanted)).findFirst().ifPresent(b::setCrdtSnapshot);
    }
    String signature = Sha256.hex(Ecdsa.sign(keys.privateKey(), Canonical.bytes(b.build())));
    return b.setValidationSignature(signature).build();
  }

  // --- conflicts ------------------------------------------------------------------------------------------------

  @Override
  public void resolveLedgerConflict(ConflictResolutionRequest r, StreamObserver<SovereignFinancialEvent> out) {
    out.onNext(LedgerConflicts.resolve(r, id.masterAddress()));
    out.onCompleted();
  }

  // --- helpers --------------------------------------------------------------------------------------------------

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

  @FunctionalInterface
  interface SqlCall<T> {
    T call() throws SQLException;
  }

  private static <T> T sql(SqlCall<T> c) {
    try {
      return c.call();
    } catch (SQLException e) {
      throw GrpcErrors.unavailable("the region's database is unavailable: " + e.getMessage());
    }
  }

  /** Waits for a commit; a region without a leader or majority answers UNAVAILABLE (safe to retry). */
  private <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(COMMIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause() instanceof java.util.concurrent.CompletionException && e.getCause().getCause() != null
          ? e.getCause().getCause() : e.getCause();
      throw GrpcErrors.unavailable("the region could not commit (" + (c == null ? "unknown" : c.getClass()
          .getSimpleName() + ": " + c.getMessage()) + "); nothing was acknowledged, retry");
    } catch (TimeoutException e) {
      throw GrpcErrors.unavailable("the region did not commit within " + COMMIT_TIMEOUT.toSeconds()
          + " s (no leader or no majority?); retry");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw GrpcErrors.unavailable("interrupted");
    }
  }
}
