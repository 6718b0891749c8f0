package com.cps.dcs.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real Kafka broker for tests: the cluster at {@code KAFKA_BOOTSTRAP_SERVERS} when set, otherwise one in-process
 * KRaft broker (the real broker code from Maven Central) started once per JVM and stopped at exit.
 */
public final class Kafka {
  private static Kafka shared;
  private final String bootstrap;

  private Kafka(String bootstrap) {
    this.bootstrap = bootstrap;
  }

  public static synchronized Kafka shared() {
    if (shared == null) {
      String env = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
      shared = new Kafka(env != null && !env.isBlank() ? env.strip() : startEmbedded(FreePorts.allocate()));
    }
    return shared;
  }

  /** Starts an in-process KRaft broker on {@code port}, stopped at JVM exit; returns its bootstrap address. */
  public static String startEmbedded(int port) {
    EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
    Map<String, String> props = new HashMap<>();
    // A one-broker cluster: internal topics must not ask for more replicas than exist, or consumers never get data.
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "4");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "true");
    broker.brokerProperties(props);
    broker.kafkaPorts(port);
    broker.afterPropertiesSet();
    Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy, "embedded-kafka-stop"));
    return broker.getBrokersAsString();
  }

  public String bootstrapServers() {
    return bootstrap;
  }

  public void createTopic(String name, int partitions) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create topic " + name, e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Reads {@code topic} from the beginning until at least {@code expectedAtLeast} records or the deadline. */
  public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, Duration timeout, int expectedAtLeast) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (out.size() < expectedAtLeast && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
