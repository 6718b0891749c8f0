package com.cps.dcs.query.store;

import com.cps.dcs.swarm.query.ReadModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GetBranchSummary} answers kept between projection commits. Every transaction that changes the read models
 * sends {@code NOTIFY dcs_qs_changed} (PostgreSQL delivers it when, and only if, the transaction commits), this cache
 * listens on its own connection, and any notification makes every kept answer stale; so does a commit of this
 * instance's own consumer, at once. An answer is kept with the generation current <em>before</em> its read began,
 * so a commit that lands during the read makes it stale too. While the listening connection is not established
 * (start-up, a lost connection) nothing is kept and every call reads the database; an answer is never older than
 * {@link #MAX_AGE} in any case. The answers were read through the tenant's row-level security, and one service
 * instance serves one tenant, so the key is the branch and the day.
 */
public final class SummaryCache implements AutoCloseable {
  public static final String CHANNEL = "dcs_qs_changed";
  /** The bound on an answer's age, should a notification be lost without the connection failing. */
  static final Duration MAX_AGE = Duration.ofSeconds(5);
  private static final int MAX_ENTRIES = 10_000;
  private static final Logger log = LoggerFactory.getLogger(SummaryCache.class);

  private final DataSource ds;
  private final AtomicLong generation = new AtomicLong();
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
  private final Counter hits;
  private final Counter misses;
  private final Thread listener;
  private volatile boolean listening;
  private volatile boolean closed;

  private record Key(String branchId, LocalDate day) {}

  private record Entry(long generation, long readAtNanos, ReadModel.Summary summary) {}

  public SummaryCache(DataSource ds, MeterRegistry registry) {
    this.ds = ds;
    this.hits = registry.counter("dcs.query.summary.cache", "result", "hit");
    this.misses = registry.counter("dcs.query.summary.cache", "result", "miss");
    this.listener = new Thread(this::listen, "summary-cache-listener");
    listener.setDaemon(true);
    listener.start();
  }

  /** True once the listening connection is established (until then every call reads the database). */
  public boolean listening() {
    return listening;
  }

  /** The kept answer for the branch and day if it is current, else {@code read}'s (kept when it succeeds). */
  public ReadModel.Summary get(String branchId, LocalDate day, Supplier<ReadModel.Summary> read) {
    if (!listening) {
      misses.increment();
      return read.get();
    }
    long g = generation.get();
    long now = System.nanoTime();
    Key key = new Key(branchId, day);
    Entry e = entries.get(key);
    if (e != null && e.generation == g && now - e.readAtNanos < MAX_AGE.toNanos()) {
      hits.increment();
      return e.summary;
    }
    misses.increment();
    ReadModel.Summary s = read.get(); // a refusal (unknown branch) throws and keeps nothing
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
    entries.put(key, new Entry(g, now, s));
    return s;
  }

  /** Makes every kept answer stale. */
  public void invalidate() {
    generation.incrementAndGet();
  }

  private void listen() {
    while (!closed) {
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        s.execute("LISTEN " + CHANNEL);
        PGConnection pg = c.unwrap(PGConnection.class);
        invalidate();
        listening = true;
        while (!closed) {
          PGNotification[] n = pg.getNotifications(500);
          if (n != null && n.length > 0) {
            invalidate();
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (!closed) {
          log.warn("summary cache: not listening for read-model changes ({}); reading every summary from the "
              + "database until the connection is back", e.getMessage());
        }
      } finally {
        listening = false;
        invalidate();
      }
      try {
        Thread.sleep(1_000); // before listening again
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    listener.interrupt();
    listener.join(5_000);
  }
}
