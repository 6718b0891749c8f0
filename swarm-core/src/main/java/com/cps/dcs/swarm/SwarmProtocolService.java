package com.cps.dcs.swarm;

import com.cps.dcs.kernel.event.EventVerifier;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.kernel.validation.ClockBounds;
import com.cps.dcs.kernel.validation.Violation;
import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.AgentMessage;
import com.cps.dcs.proto.v4.BatchAckResponse;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.ConflictResolutionRequest;
import com.cps.dcs.proto.v4.EventBatch;
import com.cps.dcs.proto.v4.GetEventRequest;
import com.cps.dcs.proto.v4.GetEventsRangeRequest;
import com.cps.dcs.proto.v4.ReconciliationRequest;
import com.cps.dcs.proto.v4.ReconciliationResponse;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.proto.v4.SubscribeRequest;
import com.cps.dcs.service.grpc.GrpcErrors;
import com.cps.dcs.service.grpc.InboundWindow;
import com.cps.dcs.service.swarm.LedgerConflicts;
import io.grpc.ServerInterceptor;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code AccountingSwarmProtocol}, all twelve RPCs, for every tier: the one class that implements it. A tier plugs in
 * its {@link SwarmLog}, {@link AgentDirectory}, {@link CrdtStore}, {@link SwarmIdentity} and {@link TierPolicy};
 * the checks, the streaming mechanics, agent messages, reconciliation and conflicts are the same code everywhere.
 * Refusals are {@link Refusal} values, answered through {@link GrpcErrors#of} in the one place a call ends.
 */
public final class SwarmProtocolService extends AccountingSwarmProtocolGrpc.AccountingSwarmProtocolImplBase {
  private static final Logger log = LoggerFactory.getLogger(SwarmProtocolService.class);
  /** Events a {@code StreamOfflineEvents} call carries at most; the rest go in another call. */
  public static final int MAX_STREAM_EVENTS = 10_000;
  /** Event ids and keys a swarm exchange remembers from its peer to recognise echoes. */
  static final int RECENT_PEER_IDS = 100_000;

  private final TierPolicy policy;
  private final String node;
  private final SwarmLog events;
  private final CrdtStore crdts;
  private final CrdtIntake crdtIntake;
  private final Ingest ingest;
  private final SwarmReads reads;
  private final AgentMessaging messaging;
  private final Reconciler reconciler;

  public SwarmProtocolService(TierPolicy policy, SwarmLog events, AgentDirectory agents, CrdtStore crdts,
      SwarmIdentity identity, EventVerifier verifier, ClockBounds bounds, InstantSource time, MeterRegistry meters) {
    this.policy = policy;
    this.node = identity.agentId();
    this.events = events;
    this.crdts = crdts;
    EventChecks checks = new EventChecks(policy, agents, verifier, bounds, time);
    this.crdtIntake = new CrdtIntake(policy, agents, checks, bounds, time);
    this.ingest = new Ingest(checks, events, identity.agentId(), meters);
    this.reads = new SwarmReads(policy, events);
    this.messaging = new AgentMessaging(policy, agents, identity, bounds, time);
    this.reconciler = new Reconciler(policy, events, crdts, checks, identity, time);
  }

  /** The interceptor a server serving this protocol installs, so the service can read call headers (signed uploads). */
  public static ServerInterceptor callHeaders() {
    return new CallHeaders();
  }

  // --- ingest ---------------------------------------------------------------------------------------------------

  @Override
  public void broadcastFinancialEvent(SovereignFinancialEvent request, StreamObserver<AckResponse> out) {
    AckResponse ack = answering(() -> ingest.one(request));
    out.onNext(ack);
    out.onCompleted();
  }

  /**
   * Batched ingest. Events go to the log in chunks as they arrive, so the log writes the first ones while the client
   * still sends the next (where the tier allows chunks in flight); the one answer, with an ack per event in the
   * order sent, leaves when the last chunk is committed.
   */
  @Override
  public StreamObserver<SovereignFinancialEvent> streamOfflineEvents(StreamObserver<BatchAckResponse> out) {
    ArrayDeque<Ingest.Chunk> inFlight = new ArrayDeque<>();
    List<AckResponse> acks = new ArrayList<>();
    List<SovereignFinancialEvent> pending = new ArrayList<>();
    return InboundWindow.of(out, InboundWindow.BATCH, new StreamObserver<>() {
      private int received;
      private boolean failed;

      @Override
      public void onNext(SovereignFinancialEvent e) {
        if (failed) {
          return;
        }
        if (++received > MAX_STREAM_EVENTS) {
          fail(GrpcErrors.of(Refusal.Invalid.of("events", "a StreamOfflineEvents call carries at most "
              + MAX_STREAM_EVENTS + " events; send the rest in another call")));
          return;
        }
        pending.add(e);
        if (pending.size() >= policy.chunk()) {
          try {
            flush();
            while (inFlight.size() > policy.chunksInFlight()) {
              acks.addAll(inFlight.poll().acks());
            }
          } catch (RefusedException r) {
            fail(GrpcErrors.of(r.refusal()));
          }
        }
      }

      private void flush() {
        if (pending.isEmpty()) {
          return;
        }
        if (pending.stream().anyMatch(Incoming::isSealed)) { // sealed events are stored after what came before them
          drain();
        }
        inFlight.add(ingest.submit(List.copyOf(pending), policy.batchIntake()));
        pending.clear();
      }

      private void drain() {
        while (!inFlight.isEmpty()) {
          acks.addAll(inFlight.poll().acks());
        }
      }

      private void fail(io.grpc.StatusRuntimeException e) {
        failed = true;
        inFlight.clear();
        out.onError(e);
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
          drain();
        } catch (RefusedException r) {
          fail(GrpcErrors.of(r.refusal()));
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
   * Ingests the peer's events as they come, and streams back the events this tier commits meanwhile that it shares
   * ({@link TierPolicy#shares}) and that did not come from that peer: never an echo of the peer's own.
   */
  @Override
  public StreamObserver<SovereignFinancialEvent> swarmEventExchange(StreamObserver<SovereignFinancialEvent> out) {
    ServerCallStreamObserver<SovereignFinancialEvent> call = (ServerCallStreamObserver<SovereignFinancialEvent>) out;
    // The ids seen from the peer, the newest RECENT_PEER_IDS of them: enough to recognise an echo, bounded however
    // long the exchange lasts.
    Set<String> fromPeer = Collections.synchronizedSet(Collections.newSetFromMap(new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > RECENT_PEER_IDS;
      }
    }));
    Set<String> peerAgents = ConcurrentHashMap.newKeySet();
    Follower follower = new Follower(events, call, new Slice("", 0, Long.MAX_VALUE, List.of()),
        answering(events::end), e -> policy.shares().test(e) && !peerAgents.contains(e.getAgentId())
            && !fromPeer.contains(e.getEventId()) && !fromPeer.contains("key:" + e.getIdempotencyKey()));
    follower.start("swarm-exchange");
    return new StreamObserver<>() {
      @Override
      public void onNext(SovereignFinancialEvent e) {
        fromPeer.add(e.getEventId());
        if (!e.getIdempotencyKey().isEmpty()) {
          fromPeer.add("key:" + e.getIdempotencyKey());
        }
        if (Incoming.isSealed(e) && peerAgents.size() < 1000) {
          peerAgents.add(e.getAgentId());
        }
        AckResponse ack = ingest.submit(List.of(e), policy.batchIntake()).acks().get(0);
        fromPeer.add(ack.getEventId());
        if (!ack.getSuccess()) {
          log.warn("SwarmEventExchange refused {}: {}", e.getEventId(), ack.getMessage());
        }
      }

      @Override
      public void onError(Throwable t) {
        follower.stop();
      }

      @Override
      public void onCompleted() {
        follower.stop();
        synchronized (call) {
          call.onCompleted();
        }
      }
    };
  }

  // --- reads ----------------------------------------------------------------------------------------------------

  @Override
  public void getEventById(GetEventRequest r, StreamObserver<SovereignFinancialEvent> out) {
    out.onNext(answering(() -> reads.event(r)));
    out.onCompleted();
  }

  @Override
  public void getEventsByRange(GetEventsRangeRequest r, StreamObserver<EventBatch> out) {
    EventBatch batch = answering(() -> reads.range(r));
    out.onNext(batch);
    out.onCompleted();
  }

  /** History (events with a timestamp from {@code from_timestamp}, in commit order) when asked, then live. */
  @Override
  public void subscribeEvents(SubscribeRequest r, StreamObserver<SovereignFinancialEvent> out) {
    Slice slice = answering(() -> {
      SwarmReads.requireServed(policy, r.getBranchId());
      if (r.getFromTimestamp() < 0) {
        throw new RefusedException(Refusal.Invalid.of("from_timestamp", "must be >= 0 (Unix milliseconds)"));
      }
      return new Slice(r.getBranchId(), r.getFromTimestamp(), Long.MAX_VALUE,
          SwarmReads.typeNumbers(r.getEventTypesList(), "event_types"));
    });
    Position start = r.getIncludeHistorical() ? Position.START : answering(events::end);
    new Follower(events, (ServerCallStreamObserver<SovereignFinancialEvent>) out, slice, start, e -> true)
        .start("subscribe-events");
  }

  // --- CRDTs ----------------------------------------------------------------------------------------------------

  /** Merges an upload; one ack per bundle, in order: a refused bundle gets a failed ack and the others merge. */
  @Override
  public StreamObserver<CRDTStateBundle> streamCRDTUpdates(StreamObserver<BatchAckResponse> out) {
    io.grpc.Metadata headers = CallHeaders.current();
    List<CRDTStateBundle> received = new ArrayList<>();
    List<List<Violation>> verdicts = new ArrayList<>();
    return new StreamObserver<>() {
      @Override
      public void onNext(CRDTStateBundle b) {
        if (received.size() <= crdtLimit()) { // answered once, at the end: the acks are bounded too
          received.add(b);
          verdicts.add(crdtIntake.check(received.size() - 1, b));
        }
      }

      @Override
      public void onError(Throwable t) {
        log.debug("StreamCRDTUpdates ended by the client: {}", t.toString());
      }

      @Override
      public void onCompleted() {
        if (received.size() > crdtLimit()) {
          out.onError(GrpcErrors.of(Refusal.Invalid.of("bundles", "more than " + crdtLimit()
              + " in one call; send at most that many")));
          return;
        }
        try {
          out.onNext(CrdtAcks.merge(crdts, crdtIntake.uploader(headers, received), received, verdicts, node));
          out.onCompleted();
        } catch (RefusedException r) {
          out.onError(GrpcErrors.of(r.refusal()));
        }
      }
    };
  }

  /** Merges the peer's bundles, refused whole at the first bad one; answers the merged ones, then every other CRDT. */
  @Override
  public StreamObserver<CRDTStateBundle> syncCRDTState(StreamObserver<CRDTStateBundle> out) {
    io.grpc.Metadata headers = CallHeaders.current();
    List<CRDTStateBundle> received = new ArrayList<>();
    return new StreamObserver<>() {
      private boolean failed;

      @Override
      public void onNext(CRDTStateBundle b) {
        if (failed) {
          return;
        }
        List<Violation> bad = crdtIntake.check(received.size(), b);
        if (!bad.isEmpty()) {
          failed = true;
          out.onError(GrpcErrors.of(new Refusal.Invalid(bad)));
          return;
        }
        received.add(b);
      }

      @Override
      public void onError(Throwable t) {
        log.debug("SyncCRDTState ended by the client: {}", t.toString());
      }

      @Override
      public void onCompleted() {
        if (failed) {
          return;
        }
        try {
          List<CRDTStateBundle> merged = received.isEmpty() ? List.of()
              : crdts.merge(received, crdtIntake.uploader(headers, received));
          Set<String> seen = new java.util.HashSet<>();
          for (CRDTStateBundle m : merged) {
            seen.add(m.getCrdtId());
            out.onNext(m);
          }
          for (CRDTStateBundle b : crdts.all()) {
            if (seen.add(b.getCrdtId())) {
              out.onNext(b);
            }
          }
          out.onCompleted();
        } catch (RefusedException r) {
          out.onError(GrpcErrors.of(r.refusal()));
        }
      }
    };
  }

  private static int crdtLimit() {
    return com.cps.dcs.kernel.validation.CrdtRules.MAX_BUNDLES_PER_CALL;
  }

  // --- agents ---------------------------------------------------------------------------------------------------

  @Override
  public StreamObserver<AgentMessage> agentCommunication(StreamObserver<AgentMessage> out) {
    return new StreamObserver<>() {
      @Override
      public void onNext(AgentMessage m) {
        try {
          out.onNext(messaging.handle(m));
        } catch (RefusedException r) {
          out.onError(GrpcErrors.of(r.refusal()));
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

  // --- reconciliation and conflicts -----------------------------------------------------------------------------

  @Override
  public void requestReconciliation(ReconciliationRequest r, StreamObserver<ReconciliationResponse> out) {
    out.onNext(answering(() -> reconciler.whole(r)));
    out.onCompleted();
  }

  @Override
  public void streamReconciliation(ReconciliationRequest r, StreamObserver<ReconciliationResponse> out) {
    answering(() -> {
      reconciler.byDay(r, out::onNext);
      return null;
    });
    out.onCompleted();
  }

  @Override
  public void resolveLedgerConflict(ConflictResolutionRequest r, StreamObserver<SovereignFinancialEvent> out) {
    out.onNext(LedgerConflicts.resolve(r, policy.masterAddress()));
    out.onCompleted();
  }

  /** Runs a unary step; a refusal becomes its status here, the one place a call of this protocol ends refused. */
  private static <T> T answering(java.util.function.Supplier<T> work) {
    try {
      return work.get();
    } catch (RefusedException r) {
      throw GrpcErrors.of(r.refusal());
    }
  }
}
