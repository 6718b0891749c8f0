package com.cps.dcs.localagent.sync;

import com.cps.dcs.eventstore.sqlite.StoredEvent;
import com.cps.dcs.localagent.store.AppendRefused;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.store.SyncProgress;
import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.AgentMessage;
import com.cps.dcs.proto.v4.AgentMessageType;
import com.cps.dcs.proto.v4.BatchAckResponse;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.service.grpc.QuarantinedAck;
import com.cps.dcs.swarm.SwarmIdentity;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes this branch's events and CRDT state to its region. Each round: register with a regional node
 * ({@code AgentCommunication}, a HEARTBEAT whose payload is this agent's {@code AgentRegistration} with its public
 * key, signed), stream the own events after the sync high-water mark in seq order ({@code StreamOfflineEvents}, in
 * batches of 500, up to four on their way at once; the mark advances only over the prefix the region acknowledged,
 * so a round that fails half-way resumes where the region stopped; an event the region quarantined, which it will
 * never store, is marked refused in the log and passed over, so it neither blocks the events behind it nor is sent
 * again), then exchange CRDT state ({@code SyncCRDTState}: send every local bundle, merge what
 * comes back). Rounds run every {@code interval}; after a failure the next try comes sooner, with exponential
 * backoff and jitter: at most {@code offlineRetry} apart (200 ms by default) while the region is unreachable, so sync
 * resumes at once when it is back, and up to the interval when the region answered but refused.
 */
public final class SyncClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SyncClient.class);
  /** The seq of the last own event the region acknowledged (8 bytes, big-endian). */
  public static final String SYNC_HIGH_WATER = SyncProgress.HIGH_WATER;
  static final int BATCH = 500;
  /** Batches streamed at once before the first of them must be acknowledged. */
  static final int IN_FLIGHT = 4;
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  static final Duration MIN_BACKOFF = Duration.ofMillis(100);

  private final LocalStore store;
  private final SyncProgress progress;
  private final SwarmIdentity swarm;
  private final List<String> addresses;
  private final Duration interval;
  /** The longest wait between attempts while no regional node answers. */
  private final Duration offlineRetry;
  private final InstantSource time;
  /** Who this agent is to the region: {@code authorization} on every call. */
  private final AgentCredential credential;
  private final List<ManagedChannel> open = new ArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "region-sync");
    t.setDaemon(true);
    return t;
  });
  private final Counter sentEvents;
  private final Counter failedRounds;

  private volatile boolean reachable;
  private volatile Instant lastSync;
  private volatile String lastError = "";
  private volatile String currentAddress;
  private int failures;
  private int next;

  public SyncClient(LocalStore store, SwarmIdentity swarm, List<String> addresses, Duration interval,
      Duration offlineRetry, AgentCredential credential, InstantSource time, MeterRegistry meters) {
    this.store = store;
    this.progress = new SyncProgress(store);
    this.swarm = swarm;
    this.addresses = List.copyOf(addresses);
    this.interval = interval.isZero() || interval.isNegative() ? Duration.ofSeconds(30) : interval;
    this.offlineRetry = offlineRetry;
    this.time = time;
    this.credential = credential;
    this.currentAddress = String.join(",", addresses);
    this.sentEvents = meters.counter("dcs.sync.events.acknowledged");
    this.failedRounds = meters.counter("dcs.sync.rounds.failed");
    Gauge.builder("dcs.sync.pending", this, SyncClient::pendingEvents).register(meters);
    Gauge.builder("dcs.sync.events.refused", this, SyncClient::refusedEvents)
        .description("own events the region quarantined: marked refused, out of the figures, never sent again")
        .register(meters);
    Gauge.builder("dcs.sync.region.reachable", this, s -> s.reachable ? 1 : 0).register(meters);
    Gauge.builder("dcs.sync.last.success.epoch.seconds", this,
        s -> s.lastSync == null ? 0 : s.lastSync.getEpochSecond()).register(meters);
  }

  /** Starts the periodic rounds (the first at once). Does nothing for a standalone branch. */
  public void start() {
    if (addresses.isEmpty()) {
      log.info("standalone branch: no region configured (DCS_REGIONAL_ADDRESS is unset), nothing to sync");
      return;
    }
    scheduler.execute(this::roundAndReschedule);
  }

  private void roundAndReschedule() {
    Duration wait;
    if (syncOnce()) {
      failures = 0;
      wait = interval;
    } else {
      failures++;
      // Unreachable: a failed round costs a refused or reset connection, so keep trying every offlineRetry or
      // sooner and sync at once when the region is back. Refused by the region: back off up to the interval.
      long cap = reachable ? interval.toMillis() : Math.min(interval.toMillis(), offlineRetry.toMillis());
      long capped = Math.min(cap, MIN_BACKOFF.toMillis() << Math.min(failures - 1, 16));
      // Jitter spreads the branches of a region that come back at the same moment.
      wait = Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }
    if (!scheduler.isShutdown()) {
      scheduler.schedule(this::roundAndReschedule, wait.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * One round against the first regional node that answers.
   *
   * @return true when events and CRDT state were synced
   */
  public synchronized boolean syncOnce() {
    if (addresses.isEmpty()) {
      return false;
    }
    List<String> errors = new ArrayList<>();
    try {
      return syncWithFirstReachable(errors);
    } finally {
      synchronized (open) {
        open.forEach(ManagedChannel::shutdownNow);
        open.clear();
      }
    }
  }

  private boolean syncWithFirstReachable(List<String> errors) {
    for (int tried = 0; tried < addresses.size(); tried++) {
      String address = addresses.get((next + tried) % addresses.size());
      try {
        // A fresh channel per round: a channel that failed to connect backs off on its own schedule and fails calls
        // fast meanwhile, but this round's schedule is ours (one connection per round is cheap).
        ManagedChannel ch = ManagedChannelBuilder.forTarget(address).usePlaintext()
            .intercept(credential.interceptor()).build();
        synchronized (open) {
          open.add(ch);
        }
        var stub = AccountingSwarmProtocolGrpc.newStub(ch);
        long t0 = System.nanoTime();
        register(stub);
        long registered = System.nanoTime();
        long acknowledged = pushEvents(stub);
        long pushed = System.nanoTime();
        exchangeCrdts(stub);
        next = (next + tried) % addresses.size(); // stay with a node that works
        currentAddress = address;
        if (!reachable) {
          log.info("the region is reachable again at {}", address);
        }
        reachable = true;
        lastSync = time.instant();
        lastError = "";
        if (acknowledged > 0) {
          log.info("synced {} event(s) with the region at {} in {} ms (registration {} ms, events {} ms, CRDTs {} ms)",
              acknowledged, address, (System.nanoTime() - t0) / 1_000_000, (registered - t0) / 1_000_000,
              (pushed - registered) / 1_000_000, (System.nanoTime() - pushed) / 1_000_000);
        }
        return true;
      } catch (SyncFailure f) {
        // The region answered but refused something: reachable, and no point trying another node with it.
        currentAddress = address;
        reachable = true;
        lastError = f.getMessage();
        failedRounds.increment();
        log.warn("sync with {} stopped: {}", address, f.getMessage());
        return false;
      } catch (RuntimeException e) {
        errors.add(address + ": " + describe(e));
      }
    }
    reachable = false;
    lastError = "region unreachable: " + String.join("; ", errors);
    failedRounds.increment();
    log.debug("sync round failed: {}", lastError);
    return false;
  }

  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private void register(AccountingSwarmProtocolGrpc.AccountingSwarmProtocolStub stub) {
    AgentMessage hello = swarm.signedMessage("region", AgentMessageType.HEARTBEAT,
        swarm.registration().toByteString());
    CompletableFuture<AgentMessage> reply = new CompletableFuture<>();
    StreamObserver<AgentMessage> requests = stub.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .agentCommunication(new StreamObserver<>() {
          @Override
          public void onNext(AgentMessage m) {
            reply.complete(m);
          }

          @Override
          public void onError(Throwable t) {
            reply.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            reply.completeExceptionally(new IllegalStateException("the region closed without answering"));
          }
        });
    requests.onNext(hello);
    try {
      await(reply);
    } catch (io.grpc.StatusRuntimeException e) {
      if (e.getStatus().getCode() == io.grpc.Status.Code.UNAUTHENTICATED) {
        throw new SyncFailure("the region refused this agent's credential (" + credential + "): "
            + e.getStatus().getDescription());
      }
      if (e.getStatus().getCode() == io.grpc.Status.Code.PERMISSION_DENIED
          || e.getStatus().getCode() == io.grpc.Status.Code.INVALID_ARGUMENT) {
        throw new SyncFailure("the region refused the registration: " + e.getStatus().getDescription());
      }
      throw e;
    } finally {
      try {
        requests.onCompleted();
      } catch (RuntimeException ignored) {
        // the call may already be over
      }
    }
  }

  /** A batch on its way up and the region's answer to come. */
  private record InFlight(List<StoredEvent> batch, CompletableFuture<BatchAckResponse> acks) {}

  /**
   * Streams unsynced own events in seq order, batch by batch, with up to {@link #IN_FLIGHT} batches on their way at
   * once (the region gathers concurrent batches into one Raft entry). The high-water mark advances only over the
   * acknowledged prefix, batch after batch in order; a batch acknowledged after one that failed is sent again next
   * round and acknowledged as a duplicate.
   *
   * @return how many events the region acknowledged in this round
   */
  private long pushEvents(AccountingSwarmProtocolGrpc.AccountingSwarmProtocolStub stub) {
    long total = 0;
    long sentUpTo = highWater();
    ArrayDeque<InFlight> window = new ArrayDeque<>();
    while (true) {
      while (window.size() < IN_FLIGHT) {
        long from = sentUpTo;
        List<StoredEvent> batch = progress.ownAfter(from, BATCH);
        if (batch.isEmpty()) {
          break;
        }
        window.add(new InFlight(batch, send(stub, batch)));
        sentUpTo = batch.get(batch.size() - 1).seq();
        if (batch.size() < BATCH) {
          break; // the rest of the log, for now; read again once an answer is in
        }
      }
      InFlight next = window.poll();
      if (next == null) {
        return total;
      }
      List<StoredEvent> batch = next.batch();
      BatchAckResponse acks = await(next.acks());
      long acked = -1;
      int n = 0;
      String refusal = null;
      List<SyncProgress.Refused> refusedNow = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        AckResponse a = i < acks.getIndividualResponsesCount() ? acks.getIndividualResponses(i) : null;
        StoredEvent e = batch.get(i);
        if (a != null && QuarantinedAck.is(a) && a.getEventId().equals(e.event().getEventId())) {
          // The region will never store it: resending would only stop the rest of the log behind it again.
          refusedNow.add(new SyncProgress.Refused(e.seq(), e.event().getEventId(), QuarantinedAck.reason(a),
              time.millis()));
          acked = e.seq();
          continue;
        }
        if (a == null || !a.getSuccess() || !a.getEventId().equals(e.event().getEventId())) {
          refusal = a == null ? "no ack for event " + e.event().getEventId()
              : "the region refused event " + e.event().getEventId() + ": " + a.getMessage();
          break;
        }
        acked = e.seq();
        n++;
      }
      if (acked >= 0) {
        progress.advance(acked, refusedNow);
        sentEvents.increment(n);
        total += n;
      }
      if (refusal != null) {
        throw new SyncFailure(refusal);
      }
    }
  }

  private CompletableFuture<BatchAckResponse> send(AccountingSwarmProtocolGrpc.AccountingSwarmProtocolStub stub,
      List<StoredEvent> batch) {
    CompletableFuture<BatchAckResponse> result = new CompletableFuture<>();
    StreamObserver<SovereignFinancialEvent> requests = stub
        .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .streamOfflineEvents(observer(result));
    for (StoredEvent e : batch) {
      // received_at is ours (covered by nothing); the region sets its own.
      requests.onNext(e.event().toBuilder().clearReceivedAt().build());
    }
    requests.onCompleted();
    return result;
  }

  private void exchangeCrdts(AccountingSwarmProtocolGrpc.AccountingSwarmProtocolStub stub) {
    List<CRDTStateBundle> local = store.crdtBundles("");
    List<CRDTStateBundle> merged = new ArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    // The region merges only uploads signed by a registered agent: this one registered at the start of the round.
    StreamObserver<CRDTStateBundle> requests = stub.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(swarm.crdtUploadHeaders(local)))
        .syncCRDTState(new StreamObserver<>() {
          @Override
          public void onNext(CRDTStateBundle b) {
            synchronized (merged) {
              merged.add(b);
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
    local.forEach(requests::onNext);
    requests.onCompleted();
    await(done);
    List<CRDTStateBundle> incoming;
    synchronized (merged) {
      incoming = List.copyOf(merged);
    }
    if (incoming.isEmpty()) {
      return;
    }
    // One transaction: the branch never shows half of the region's state.
    store.transaction(tx -> {
      for (CRDTStateBundle b : incoming) {
        try {
          tx.mergeBundle(b);
        } catch (AppendRefused.Invalid bad) { // never merged, and never a reason to stop syncing the rest
          log.warn("region sent a CRDT bundle this branch refuses: {}", bad.getMessage());
        }
      }
      return null;
    });
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<T> result) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        result.complete(null);
      }
    };
  }

  private static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(CALL_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the region did not answer within " + CALL_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  /** The seq of the last own event the region acknowledged. */
  public long highWater() {
    return progress.highWater();
  }

  public long pendingEvents() {
    return progress.ownCountAfter(highWater());
  }

  /** Own events the region quarantined (marked refused in the log). */
  public long refusedEvents() {
    return progress.refusedCount();
  }

  /** The own events the region quarantined, with its reasons, in log order. */
  public List<SyncProgress.Refused> refused() {
    return progress.refused();
  }

  /** The current view, for GetSyncStatus and dashboards. */
  public SyncStatusView status() {
    long pending = pendingEvents();
    long synced = progress.ownNotRefused() - pending;
    return new SyncStatusView(!addresses.isEmpty(), reachable, pending, synced, lastSync,
        addresses.isEmpty() ? "no region configured (DCS_REGIONAL_ADDRESS is unset)" : lastError,
        currentAddress);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    synchronized (open) {
      open.forEach(ManagedChannel::shutdownNow);
      open.clear();
    }
  }

  /** The region answered and refused: retrying elsewhere would not help. */
  static final class SyncFailure extends RuntimeException {
    SyncFailure(String message) {
      super(message);
    }
  }
}
