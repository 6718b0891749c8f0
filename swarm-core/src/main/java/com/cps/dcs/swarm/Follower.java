package com.cps.dcs.swarm;

import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.service.grpc.GrpcErrors;
import com.cps.dcs.service.grpc.PacedStream;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a tier's events to one reader in commit order from a position: history, then live as the log's signal
 * rings. Following positions, never a queue of notifications, is what makes the seam between history and live
 * free of gaps and duplicates, and keeps a slow reader from holding anything but its position (it is paced by
 * {@link PacedStream}, and dropped when it takes nothing for too long).
 */
final class Follower implements Runnable {
  private static final Logger logger = LoggerFactory.getLogger(Follower.class);
  private static final int PAGE = 500;
  /** How long a follower waits for a ring before it looks anyway (a log written by another node rings nothing). */
  private static final long MAX_WAIT_MS = 100;
  private final SwarmLog log;
  private final ServerCallStreamObserver<SovereignFinancialEvent> call;
  private final PacedStream<SovereignFinancialEvent> paced;
  private final Slice slice;
  private final Predicate<SovereignFinancialEvent> filter;
  private Position after;
  private volatile boolean stopped;

  /** Create in the service method itself (gRPC takes an on-ready handler only there), then {@link #start}. */
  Follower(SwarmLog log, ServerCallStreamObserver<SovereignFinancialEvent> call, Slice slice, Position after,
      Predicate<SovereignFinancialEvent> filter) {
    this.log = log;
    this.call = call;
    this.paced = new PacedStream<>(call, PacedStream.DEFAULT_MAX_STALL);
    this.slice = slice;
    this.after = after;
    this.filter = filter;
  }

  Follower start(String name) {
    Thread.ofVirtual().name(name).start(this);
    return this;
  }

  void stop() {
    stopped = true;
  }

  @Override
  public void run() {
    try {
      while (!stopped && !call.isCancelled()) {
        long rings = log.signal().rings();
        List<Logged> page = log.read(slice, after, PAGE);
        for (Logged s : page) {
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
          after = s.position();
        }
        if (page.size() < PAGE) {
          log.signal().awaitAfter(rings, MAX_WAIT_MS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      if (!call.isCancelled() && !stopped) {
        logger.warn("event stream failed: {}", e.getMessage());
        synchronized (call) {
          try {
            call.onError(e instanceof RefusedException r ? GrpcErrors.of(r.refusal())
                : GrpcErrors.unavailable("the event stream failed: " + e.getMessage()));
          } catch (IllegalStateException alreadyClosed) {
            // the call ended meanwhile
          }
        }
      }
    }
  }
}
