package com.cps.dcs.query.projection;

import com.cps.dcs.eventstore.pg.SqlStates;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incremental path: a consumer group on the region's event topic. Positions live in PostgreSQL
 * ({@code projection_position}), written with the rows; on assignment the consumer seeks to them, so Kafka's own
 * committed offsets are never trusted for correctness.
 */
public final class ProjectionConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProjectionConsumer.class);

  /** Records per poll, applied in one transaction: fewer commits (each an fsync) for a larger, still small, batch. */
  static final int MAX_BATCH = 1000;

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final ProjectionStore store;
  private final String topic;
  private final InstantSource clock;
  private final Thread thread;
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong seen = new AtomicLong();
  private final Map<Integer, long[]> lag = new ConcurrentHashMap<>(); // partition -> {events, lastEventTsMs}
  private final MeterRegistry registry;
  private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile boolean running = true;
  /** Counted down by close(): ends a back-off at once. */
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Counter deadLetters;

  public ProjectionConsumer(String bootstrap, String topic, String groupId, ProjectionStore store,
      MeterRegistry registry, InstantSource clock) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(MAX_BATCH));
    this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.store = store;
    this.topic = topic;
    this.clock = clock;
    this.registry = registry;
    this.deadLetters = registry == null ? null : Counter.builder("dcs.query.projection.dead.letters")
        .description("records set aside for good in projection_dead_letters").register(registry);
    this.thread = new Thread(this::run, "projection-consumer");
    this.thread.setDaemon(true);
  }

  /** Called (on the consumer thread) after a batch changed the projections. */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  public ProjectionConsumer start() {
    thread.start();
    return this;
  }

  /** Records read from the topic since start (duplicates included). */
  public long seen() {
    return seen.get();
  }

  /** Events applied (new, not duplicates) since start. */
  public long applied() {
    return applied.get();
  }

  private void run() {
    consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        try {
          seekToStored(partitions);
        } catch (SQLException e) {
          throw new IllegalStateException("cannot read projection positions", e);
        }
        partitions.forEach(tp -> registerLag(tp.partition()));
      }
    });
    while (running) {
      try {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        // one transaction per poll: its events, their dedupe rows and the next offset of every partition in it
        List<Incoming> batch = new ArrayList<>(records.count());
        List<ProjectionStore.Position> next = new ArrayList<>();
        for (TopicPartition tp : records.partitions()) {
          List<ConsumerRecord<byte[], byte[]>> part = records.records(tp);
          long lastTs = 0;
          for (ConsumerRecord<byte[], byte[]> r : part) {
            seen.incrementAndGet();
            Incoming in = Incoming.fromKafka(r.topic(), r.partition(), r.offset(), r.value());
            batch.add(in); // one that is not an event is dead-lettered by the store, with the batch
            if (in.event() != null) {
              lastTs = in.event().getTs().getSeconds() * 1000 + in.event().getTs().getNanos() / 1_000_000;
            }
          }
          next.add(new ProjectionStore.Position(tp.topic(), tp.partition(), part.get(part.size() - 1).offset() + 1,
              lastTs));
        }
        boolean changed = false;
        if (!records.isEmpty()) {
          ProjectionStore.Result result = applyWithRetry(batch, next);
          int n = result.applied();
          applied.addAndGet(n);
          if (result.deadLettered() > 0 && deadLetters != null) {
            deadLetters.increment(result.deadLettered());
          }
          changed = n > 0;
          for (ProjectionStore.Position p : next) {
            if (p.eventTsMs() != 0) {
              lag.computeIfAbsent(p.partition(), k -> new long[2])[1] = p.eventTsMs();
            }
          }
          updateLag();
        }
        if (changed) {
          listeners.forEach(Runnable::run);
        }
      } catch (WakeupException e) {
        // close() asked us to stop
      } catch (RuntimeException e) {
        if (running) {
          log.error("projection consumer failed; resuming from the stored positions", e);
          rewind();
        }
      }
    }
    consumer.close(Duration.ofSeconds(2));
  }

  /**
   * Applies a batch, retrying with back-off while the failure is transient ({@link SqlStates#isTransient}). Records
   * that can never be projected are dead-lettered inside the batch, so what reaches here is the database's own
   * trouble, not a record's: a non-transient one (a schema or permission fault) is retried too, at the longest
   * back-off and logged as an error, since skipping the batch would lose events. close() ends the wait at once.
   */
  private ProjectionStore.Result applyWithRetry(List<Incoming> batch, List<ProjectionStore.Position> next) {
    long backoff = 100;
    while (running) {
      try {
        return store.applyRecords(batch, next);
      } catch (SQLException ex) {
        if (SqlStates.isTransient(ex)) {
          log.warn("applying a batch of {} records failed (SQLState {}), retrying: {}", batch.size(),
              ex.getSQLState(), ex.getMessage());
          backoff = Math.min(5000, backoff * 2);
        } else {
          log.error("applying a batch of {} records failed (SQLState {}), retrying: {}", batch.size(),
              ex.getSQLState(), ex.getMessage());
          backoff = 5000;
        }
        try {
          if (stop.await(backoff, TimeUnit.MILLISECONDS)) {
            break;
          }
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new WakeupException();
  }

  private void seekToStored(Collection<TopicPartition> partitions) throws SQLException {
    Map<Integer, Long> pos = store.positions(topic);
    for (TopicPartition tp : partitions) {
      Long next = pos.get(tp.partition());
      if (next != null) {
        consumer.seek(tp, next);
      } else {
        consumer.seekToBeginning(List.of(tp));
      }
    }
  }

  /** Back to the positions stored with the projections, so records of a failed poll are read again, not skipped. */
  private void rewind() {
    try {
      seekToStored(consumer.assignment());
    } catch (SQLException | RuntimeException e) {
      log.warn("cannot rewind to the stored positions yet: {}", e.getMessage());
    }
  }

  private void registerLag(int partition) {
    if (lag.putIfAbsent(partition, new long[2]) == null && registry != null) {
      Gauge.builder("dcs.query.projection.lag.events", lag, m -> m.getOrDefault(partition, new long[2])[0])
          .tag("topic", topic).tag("partition", Integer.toString(partition)).register(registry);
      Gauge.builder("dcs.query.projection.lag.seconds", lag, m -> {
        long ts = m.getOrDefault(partition, new long[2])[1];
        return ts == 0 ? 0 : Math.max(0, clock.millis() - ts) / 1000.0;
      }).tag("topic", topic).tag("partition", Integer.toString(partition)).register(registry);
    }
  }

  /** Records behind per partition, from the high watermark of the last fetch (no broker round trip). */
  private void updateLag() {
    for (TopicPartition tp : consumer.assignment()) {
      consumer.currentLag(tp).ifPresent(behind -> lag.computeIfAbsent(tp.partition(), k -> new long[2])[0] = behind);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    stop.countDown();
    consumer.wakeup();
    thread.join(10_000);
  }
}
