package com.cps.dcs.swarm;

import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.service.auth.Caller;
import com.cps.dcs.service.grpc.GrpcErrors;
import com.cps.dcs.service.grpc.QuarantinedAck;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Ingest at every tier: each event checked ({@link EventChecks}), then appended to the tier's log, and answered
 * once committed. A batch keeps its order and answers one ack per event; a refused event gets a failed ack and does
 * not stop the others.
 */
final class Ingest {
  private final EventChecks checks;
  private final SwarmLog log;
  private final String node;
  private final MeterRegistry meters;
  private final Timer latency;

  Ingest(EventChecks checks, SwarmLog log, String node, MeterRegistry meters) {
    this.checks = checks;
    this.log = log;
    this.node = node;
    this.meters = meters;
    this.latency = Timer.builder("dcs.events.append.latency").publishPercentiles(0.5, 0.99).register(meters);
  }

  /**
   * Checks and commits one event.
   *
   * @throws RefusedException when it is refused
   */
  AckResponse one(SovereignFinancialEvent e) {
    long started = System.nanoTime();
    Incoming in;
    try {
      in = checks.check(e, Intake.BROADCAST, Caller.current());
    } catch (RefusedException r) {
      throw counted(r);
    }
    Written w = await(log.append(List.of(in))).get(0);
    if (w.refusal() != null) {
      throw counted(new RefusedException(w.refusal()));
    }
    appended(w, started);
    return w.ack();
  }

  /** Checks a batch and queues it for the log; {@link Chunk#acks} waits for the commit. */
  Chunk submit(List<SovereignFinancialEvent> batch, Intake intake) {
    long started = System.nanoTime();
    AckResponse[] acks = new AckResponse[batch.size()];
    Incoming[] checked = new Incoming[batch.size()];
    Optional<Caller> caller = Caller.current(); // read here: the parallel checks below run on other threads
    // Verifying signatures (ECDSA) is the costly part: spread a batch of sealed events over the cores.
    IntStream range = IntStream.range(0, batch.size());
    (batch.stream().anyMatch(Incoming::isSealed) ? range.parallel() : range).forEach(i -> {
      try {
        checked[i] = checks.check(batch.get(i), intake, caller);
      } catch (RefusedException r) {
        acks[i] = failedAck(batch.get(i), counted(r).refusal());
      }
    });
    List<Integer> index = new ArrayList<>();
    List<Incoming> accepted = new ArrayList<>();
    for (int i = 0; i < checked.length; i++) {
      if (checked[i] != null) {
        index.add(i);
        accepted.add(checked[i]);
      }
    }
    return new Chunk(batch, acks, index, accepted.isEmpty() ? CompletableFuture.completedFuture(List.of())
        : log.append(accepted), started);
  }

  /** A batch queued for the log: its acks so far, and where the rest will come from. */
  final class Chunk {
    private final List<SovereignFinancialEvent> batch;
    private final AckResponse[] acks;
    private final List<Integer> index;
    private final CompletableFuture<List<Written>> written;
    private final long started;

    Chunk(List<SovereignFinancialEvent> batch, AckResponse[] acks, List<Integer> index,
        CompletableFuture<List<Written>> written, long started) {
      this.batch = batch;
      this.acks = acks;
      this.index = index;
      this.written = written;
      this.started = started;
    }

    /** Waits for the commit; one ack per event of the batch, in its order. */
    List<AckResponse> acks() {
      List<Written> results = await(written);
      for (int k = 0; k < results.size(); k++) {
        Written w = results.get(k);
        if (w.refusal() != null) {
          acks[index.get(k)] = failedAck(batch.get(index.get(k)), counted(new RefusedException(w.refusal()))
              .refusal());
        } else {
          appended(w, started);
          acks[index.get(k)] = w.ack();
        }
      }
      return List.of(acks);
    }
  }

  /** The failed ack of a refused event: a quarantined one says so in the form branches act on. */
  AckResponse failedAck(SovereignFinancialEvent e, Refusal r) {
    if (r instanceof Refusal.Quarantined q) {
      return QuarantinedAck.of(e.getEventId(), node, q.why());
    }
    Status s = GrpcErrors.of(r).getStatus();
    return AckResponse.newBuilder().setSuccess(false).setEventId(e.getEventId()).setProcessingNode(node)
        .setMessage(s.getCode() + ": " + s.getDescription()).build();
  }

  private RefusedException counted(RefusedException r) {
    meters.counter("dcs.events.rejected", "reason", r.refusal().reason()).increment();
    return r;
  }

  private void appended(Written w, long startedNanos) {
    meters.counter("dcs.events.appended", "outcome", w.isDuplicate() ? "duplicate" : "appended").increment();
    latency.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
  }

  static <T> T await(CompletableFuture<T> f) {
    return Commits.await(f);
  }
}
