package com.cps.dcs.query.grpc;

import com.cps.dcs.proto.v4.AlertLevel;
import com.cps.dcs.proto.v4.DashboardUpdate;
import com.google.protobuf.Timestamp;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live dashboard streams. The projections bump a version on every change; each subscriber ticks at its own
 * interval, reads the branch's metrics (computed once per version and shared by all subscribers of the branch) and
 * sends the metrics whose value changed. A subscriber whose transport is not ready keeps only the latest value per
 * metric (a bounded, coalescing queue), so a slow subscriber never blocks the others nor grows memory.
 */
public final class DashboardHub implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DashboardHub.class);

  private record Snapshot(long version, Map<String, Double> values) {}

  private final Function<String, Map<String, Double>> metrics;
  private final InstantSource clock;
  private final ScheduledExecutorService ticks = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "dashboard-tick");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong version = new AtomicLong();
  private final Map<String, Snapshot> cache = new ConcurrentHashMap<>();

  public DashboardHub(Function<String, Map<String, Double>> metrics, InstantSource clock) {
    this.metrics = metrics;
    this.clock = clock;
  }

  /** The projections changed. */
  public void changed() {
    version.incrementAndGet();
  }

  private Map<String, Double> current(String branch) {
    long v = version.get();
    Snapshot s = cache.get(branch);
    if (s == null || s.version() != v) {
      s = new Snapshot(v, metrics.apply(branch));
      cache.put(branch, s);
    }
    return s.values();
  }

  /** Streams {@code wanted} metrics of {@code branch} to {@code out} every {@code intervalMs} when they change. */
  public void subscribe(String branch, List<String> wanted, long intervalMs,
      ServerCallStreamObserver<DashboardUpdate> out) {
    Map<String, Double> sent = new LinkedHashMap<>();
    Map<String, Double> pending = new LinkedHashMap<>(); // at most one entry per metric
    ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
    Runnable tick = () -> {
      try {
        synchronized (pending) {
          Map<String, Double> now = current(branch);
          for (String m : wanted) {
            Double v = now.get(m);
            if (v != null && !v.equals(sent.get(m))) {
              pending.put(m, v);
            }
          }
          if (pending.isEmpty() || !out.isReady()) {
            return; // nothing new, or the caller is slow: keep only the latest values
          }
          Instant t = clock.instant();
          for (Map.Entry<String, Double> p : pending.entrySet()) {
            Double before = sent.put(p.getKey(), p.getValue());
            AlertLevel trend = before == null || before.equals(p.getValue()) ? AlertLevel.INFO
                : p.getValue() > before ? AlertLevel.INFO : AlertLevel.WARNING;
            out.onNext(DashboardUpdate.newBuilder().setMetricName(p.getKey()).setValue(p.getValue())
                .setDisplayValue(display(p.getKey(), p.getValue())).setTrend(trend)
                .setTimestamp(Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano())).build());
          }
          pending.clear();
        }
      } catch (RuntimeException e) {
        log.warn("dashboard stream for {} ended: {}", branch, e.getMessage());
        task[0].cancel(false);
        try {
          out.onError(io.grpc.Status.UNAVAILABLE.withDescription("dashboard stream failed").asRuntimeException());
        } catch (RuntimeException ignored) {
          // the call is already closed
        }
      }
    };
    synchronized (pending) {
      task[0] = ticks.scheduleAtFixedRate(tick, 0, intervalMs, TimeUnit.MILLISECONDS);
    }
    out.setOnCancelHandler(() -> task[0].cancel(false));
  }

  private static String display(String metric, double v) {
    return metric.equals("today_sales") || metric.equals("current_balance") ? String.format("%.2f", v)
        : Long.toString((long) v);
  }

  @Override
  public void close() {
    ticks.shutdownNow();
  }
}
