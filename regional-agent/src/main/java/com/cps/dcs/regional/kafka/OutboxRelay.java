package com.cps.dcs.regional.kafka;

import com.cps.dcs.eventstore.pg.region.Outbox;
import com.cps.dcs.service.Doorbell;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves committed events from the {@code outbox} table (written in the same transaction as the events) to Kafka.
 * One node of the region relays at a time: whichever holds the PostgreSQL advisory lock of the region; when it
 * dies its session ends, the lock is released and another node takes over. Records are sent in outbox order with
 * an idempotent producer ({@code acks=all}), keyed by stream id, the value the {@code SovereignFinancialEvent}
 * bytes; a row is deleted only after Kafka acknowledged it. A crash between the two sends a record again: delivery
 * is at least once and consumers deduplicate by {@code event_id}. Kafka being down stops only this loop, never a
 * commit: the outbox grows and drains when Kafka returns. Between rounds with nothing to relay it waits for the
 * {@link Doorbell} rung when entries with events are applied (at most {@link #IDLE_MS}), instead of polling.
 */
public final class OutboxRelay implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
  static final int BATCH = 2000;
  /** Idle: how long to wait for the doorbell before looking anyway (rows of an entry applied while not ringing). */
  static final long IDLE_MS = 500;
  /** How often the advisory lock's connection is checked while relaying. */
  static final long CHECK_LOCK_MS = 1000;

  private final Outbox outbox;
  private final long lockKey;
  private final KafkaProducer<String, byte[]> producer;
  private final Doorbell doorbell;
  private final Thread thread;
  private final AtomicLong relayed = new AtomicLong();
  private volatile boolean running = true;
  private volatile boolean holder;
  private volatile String lastError = "";

  /**
   * @param outbox the region's outbox table and the session for its advisory lock
   * @param lockKey the advisory lock's key, the same on every node of the region
   * @param doorbell rung when events were applied
   */
  public OutboxRelay(Outbox outbox, long lockKey, String bootstrapServers, String nodeId, Doorbell doorbell) {
    this.outbox = outbox;
    this.doorbell = doorbell;
    this.lockKey = lockKey;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "dcs-region-outbox-" + nodeId);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    // A Kafka that is away fails a round within seconds; the rows stay and the next round tries again.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    this.thread = new Thread(this::run, "outbox-relay");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  public boolean isRelaying() {
    return holder;
  }

  public long relayed() {
    return relayed.get();
  }

  public String lastError() {
    return lastError;
  }

  private void run() {
    long backoff = 200;
    long lockCheckedAt = System.nanoTime();
    while (running) {
      try (Outbox.LockSession lock = outbox.openLockSession()) {
        while (running) {
          if (!holder) {
            holder = lock.tryLock(lockKey);
            if (!holder) {
              sleep(1000); // another node relays; take over when its session ends
              continue;
            }
            log.info("this node relays the region's outbox to Kafka");
          }
          if (System.nanoTime() - lockCheckedAt > CHECK_LOCK_MS * 1_000_000) {
            if (!lock.isValid(2)) {
              throw new IllegalStateException("the advisory lock's connection is gone");
            }
            lockCheckedAt = System.nanoTime();
          }
          int n = relayOnce();
          lastError = "";
          backoff = 200;
          if (n == 0) {
            awaitDoorbell();
          }
        }
      } catch (RuntimeException e) { // PostgreSQL (PgStoreException) or Kafka
        holder = false;
        if (!running) {
          return;
        }
        lastError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        log.warn("outbox relay paused ({}); retrying in {} ms", lastError, backoff);
        sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  /** Sends the oldest rows and deletes those Kafka acknowledged; returns how many were relayed. */
  int relayOnce() {
    List<Outbox.Row> rows = outbox.oldest(BATCH);
    if (rows.isEmpty()) {
      return 0;
    }
    List<Future<?>> sends = new ArrayList<>(rows.size());
    for (Outbox.Row r : rows) {
      sends.add(producer.send(new ProducerRecord<>(r.topic(), r.key(), r.payload())));
    }
    producer.flush();
    List<Long> done = new ArrayList<>(rows.size());
    RuntimeException failure = null;
    for (int i = 0; i < rows.size(); i++) {
      try {
        sends.get(i).get(20, TimeUnit.SECONDS);
        done.add(rows.get(i).id());
      } catch (Exception e) {
        failure = new IllegalStateException("Kafka did not acknowledge: " + e.getMessage(), e);
        break; // keep the order: later rows go again with this one
      }
    }
    if (!done.isEmpty()) {
      outbox.delete(done);
      relayed.addAndGet(done.size());
    }
    if (failure != null) {
      throw failure;
    }
    return done.size();
  }

  private void awaitDoorbell() {
    try {
      doorbell.await(IDLE_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
