package com.cps.dcs.swarm.query;

import com.cps.dcs.proto.v4.AlertLevel;
import com.cps.dcs.proto.v4.DashboardUpdate;
import com.cps.dcs.service.Doorbell;
import com.cps.dcs.service.grpc.GrpcErrors;
import com.cps.dcs.service.grpc.PacedStream;
import com.google.protobuf.Timestamp;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live dashboard streams over a {@link ReadModel}. Every change the model reports bumps a version; a branch's metrics
 * are read once per version and shared by all its subscribers. Each subscriber has a virtual thread that sends the
 * metrics whose value changed, then waits out its interval, then waits for a change (one during the interval
 * counts), so it gets at most one push per interval and none while nothing changes. Messages go at the reader's
 * pace ({@link PacedStream}): a reader that takes nothing for the stall bound is dropped with RESOURCE_EXHAUSTED.
 */
final class DashboardStreams {
  private static final Logger log = LoggerFactory.getLogger(DashboardStreams.class);
  private static final long IDLE_CHECK_MS = 500;

  private record Snapshot(long version, String currency, Map<String, Double> values) {}

  /** A branch's latest snapshot; the lock makes its subscribers wait for one read rather than read alike. */
  private static final class Branch {
    final ReentrantLock lock = new ReentrantLock();
    volatile Snapshot snapshot;
  }

  private final ReadModel model;
  private final InstantSource clock;
  private final Duration maxStall;
  private final Function<RuntimeException, StatusRuntimeException> errors;
  private final AtomicLong version = new AtomicLong();
  private final Map<String, Branch> branches = new ConcurrentHashMap<>();
  private final Set<Doorbell> waiting = ConcurrentHashMap.newKeySet();

  DashboardStreams(ReadModel model, InstantSource clock, Duration maxStall,
      Function<RuntimeException, StatusRuntimeException> errors, MeterRegistry registry) {
    this.model = model;
    this.clock = clock;
    this.maxStall = maxStall;
    this.errors = errors;
    model.onChange(this::changed);
    Gauge.builder("dcs.query.dashboard.streams", waiting, Set::size).description("open dashboard streams")
        .register(registry);
  }

  /** The streams open now. */
  int streams() {
    return waiting.size();
  }

  private void changed() {
    version.incrementAndGet();
    waiting.forEach(Doorbell::ring);
  }

  /** The branch's metrics as of the current version: read once per version, whoever asks. */
  private Snapshot current(String branch) {
    Branch b = branches.computeIfAbsent(branch, k -> new Branch());
    b.lock.lock();
    try {
      long v = version.get(); // before the read: a change during it makes the next call read again
      Snapshot s = b.snapshot;
      if (s == null || s.version() != v) {
        ReadModel.Dashboard d = model.dashboard(branch, clock.millis());
        Map<String, Double> values = new HashMap<>();
        values.put("today_sales", QueryProtocolService.wire(d.todaySalesMinor(), d.currency()));
        values.put("today_transactions", (double) d.todayTransactions());
        values.put("active_sessions", (double) d.activeSessions());
        values.put("low_stock_items", (double) d.lowStockItems());
        values.put("current_balance", QueryProtocolService.wire(d.currentBalanceMinor(), d.currency()));
        s = new Snapshot(v, d.currency(), values);
        b.snapshot = s;
      }
      return s;
    } catch (RuntimeException e) {
      if (b.snapshot == null) {
        branches.remove(branch, b); // an unknown branch leaves nothing behind
      }
      throw e;
    } finally {
      b.lock.unlock();
    }
  }

  /**
   * Reads the branch's metrics now, so that an unknown branch is refused before the stream opens (the model's
   * exception propagates), then streams {@code metrics} to {@code call} every {@code intervalMs} they change.
   * Call it in the service method itself (the stream's flow control is set up there).
   */
  void open(String branch, List<String> metrics, long intervalMs, ServerCallStreamObserver<DashboardUpdate> call) {
    Snapshot first = current(branch);
    PacedStream<DashboardUpdate> paced = new PacedStream<>(call, maxStall);
    Doorbell bell = new Doorbell();
    waiting.add(bell);
    Thread.ofVirtual().name("dashboard-" + branch).start(() -> {
      try {
        stream(branch, first, metrics, intervalMs, paced, bell);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        log.warn("dashboard stream of {} ended: {}", branch, e.toString());
        if (!paced.isOver()) {
          try {
            call.onError(errors.apply(e));
          } catch (IllegalStateException alreadyClosed) {
            // the call ended meanwhile
          }
        }
      } finally {
        waiting.remove(bell);
      }
    });
  }

  private void stream(String branch, Snapshot first, List<String> metrics, long intervalMs,
      PacedStream<DashboardUpdate> paced, Doorbell bell) throws InterruptedException {
    Map<String, Double> sent = new LinkedHashMap<>();
    Snapshot s = first;
    while (!paced.isOver()) {
      Timestamp at = timestamp(clock.instant());
      for (String m : metrics) {
        Double v = s.values().get(m);
        Double before = sent.get(m);
        if (!v.equals(before)) {
          AlertLevel trend = before == null || v >= before ? AlertLevel.INFO : AlertLevel.WARNING;
          if (!paced.send(DashboardUpdate.newBuilder().setMetricName(m).setValue(v)
              .setDisplayValue(display(m, v, s.currency())).setTimestamp(at).setTrend(trend).build())) {
            return;
          }
          sent.put(m, v);
        }
      }
      Thread.sleep(intervalMs); // the throttle the subscriber asked for, not a wait for a condition
      while (!paced.isOver() && version.get() == s.version()) {
        bell.await(IDLE_CHECK_MS); // idle until something changes or the subscriber leaves
      }
      if (paced.isOver()) {
        return;
      }
      s = current(branch);
    }
  }

  static String display(String metric, double v, String currency) {
    if (metric.equals("today_sales") || metric.equals("current_balance")) {
      return currency.isEmpty() ? String.format("%.2f", v) : String.format("%.2f %s", v, currency);
    }
    return Long.toString((long) v);
  }

  private static Timestamp timestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
