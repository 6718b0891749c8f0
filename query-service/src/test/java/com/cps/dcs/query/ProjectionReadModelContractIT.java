package com.cps.dcs.query;

import static com.cps.dcs.query.Events.event;
import static com.cps.dcs.query.Events.line;
import static org.awaitility.Awaitility.await;

import com.cps.dcs.kernel.chain.HashChain;
import com.cps.dcs.kernel.event.EventSealer;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.query.projection.ProjectionConsumer;
import com.cps.dcs.query.projection.ProjectionStore;
import com.cps.dcs.query.store.ReadModels;
import com.cps.dcs.query.store.SummaryCache;
import com.cps.dcs.swarm.query.ReadModel;
import com.cps.dcs.swarm.query.ReadModelContract;
import com.cps.dcs.testsupport.BranchSigner;
import com.cps.dcs.testsupport.Kafka;
import com.cps.dcs.testsupport.Postgres;
import com.cps.dcs.testsupport.TempDirs;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The port's contract against the query service's figures: {@link ProjectionReadModel} over its own database in the
 * shared PostgreSQL, fed by the projection consumer from a topic of the shared Kafka broker, wired as
 * {@link QueryService#start} wires its own (the summary cache and the model told of each commit), without the gRPC
 * server. Events are sealed and signed by a branch's agent key ({@link BranchSigner}), as the region publishes them.
 * One database, topic and consumer for the class; only one contract test records a sale.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProjectionReadModelContractIT extends ReadModelContract {
  static final Instant NOW = Instant.parse("2026-11-22T15:00:00Z");
  static final String TENANT = "tenant-c";
  static final String BRANCH = "b1";

  HikariDataSource ds;
  SummaryCache summaries;
  ProjectionConsumer consumer;
  ProjectionReadModel model;
  KafkaProducer<String, byte[]> producer;
  String topic;
  BranchSigner signer;
  byte[] chain = HashChain.GENESIS;
  int sales;
  /** The consumer's count of applied events when the model last told its listeners of a commit. */
  final AtomicLong announced = new AtomicLong();

  @BeforeAll
  void start() {
    String pgUrl = Postgres.shared().createDatabase("qs_contract");
    topic = "qs-contract-" + UUID.randomUUID();
    Kafka.shared().createTopic(topic, 1);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ds = QueryService.migratedPool(pgUrl);
    summaries = new SummaryCache(ds, registry);
    model = new ProjectionReadModel(new ReadModels(ds), TENANT, summaries);
    consumer = new ProjectionConsumer(Kafka.shared().bootstrapServers(), topic, "qs-contract-" + UUID.randomUUID(),
        new ProjectionStore(ds), registry, InstantSource.fixed(NOW));
    consumer.onChange(summaries::invalidate);
    consumer.onChange(model::changed);
    model.onChange(() -> announced.set(consumer.applied())); // on the consumer's thread, after its commit
    consumer.start();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Kafka.shared().bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    signer = new BranchSigner(TempDirs.create("qs-contract-keys"), TENANT, BRANCH, "agent-" + BRANCH);
    // the summaries are kept between commits once the cache listens: the contract then reads through it
    await().atMost(Duration.ofSeconds(30)).until(summaries::listening);
    // the branch as the contract finds it: a product received this morning and an earlier sale today
    publish(event(TENANT, BRANCH, "stock-" + BRANCH + "-p1", 1, EventType.INVENTORY_RECEIVED, 0,
        NOW.minusSeconds(7200), EventFacts.newBuilder().addLines(line("p1", "food", 20, 0)).setReorderPoint(5)
            .build()));
    publish(sale(400, "food", NOW.minusSeconds(3600)));
  }

  @AfterAll
  void stop() throws Exception {
    if (producer != null) {
      producer.close();
    }
    if (consumer != null) {
      consumer.close();
    }
    if (summaries != null) {
      summaries.close();
    }
    if (ds != null) {
      ds.close();
    }
  }

  /** A cash sale of one item of {@code category} at {@code at}, shaped as the branch's POS shapes it. */
  SovereignFinancialEvent sale(long amountMinor, String category, Instant at) {
    return event(TENANT, BRANCH, "sale-" + ++sales, 1, EventType.SALE_COMPLETED, amountMinor, at, EventFacts
        .newBuilder().addLines(line("p-" + category, category, 1, amountMinor)).setPaymentMethod("CASH")
        .setSessionId("till-1").build());
  }

  /** Seals {@code draft} as the branch's agent (chained after its previous event), publishes it, and waits. */
  void publish(SovereignFinancialEvent draft) {
    SovereignFinancialEvent sealed = signer.seal(draft, chain);
    chain = EventSealer.chainLinkOf(sealed);
    long expected = consumer.applied() + 1;
    producer.send(new ProducerRecord<>(topic, sealed.getStreamId(), sealed.toByteArray()));
    producer.flush();
    // applied, committed, the kept summaries made stale and the model's listeners told: a read now includes it
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
        .until(() -> announced.get() >= expected);
  }

  @Override
  protected ReadModel model() {
    return model;
  }

  @Override
  protected String branch() {
    return BRANCH;
  }

  @Override
  protected String product() {
    return "p1";
  }

  @Override
  protected long now() {
    return NOW.toEpochMilli();
  }

  @Override
  protected void recordSale(long amountMinor, String category) {
    publish(sale(amountMinor, category, NOW));
  }
}
