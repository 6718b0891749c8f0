package com.cps.dcs.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /** The cluster at {@code bootstrap} (for {@link #createTopic} and {@link #readAll}); nothing is started. */
  public static Kafka at(String bootstrap) {
    return new Kafka(bootstrap);
  }

  /**
   * A real Kafka broker (KRaft, broker and controller in one, in this JVM) on {@code port} and
   * {@code controllerPort} whose log stays in {@code logDir}: formatted on first use, reused afterwards, so a second
   * start finds the topics, records and consumer offsets of the first. Not stopped at exit: the caller closes it.
   * For the one-machine launcher ({@code ./dcs run}).
   */
  public static Broker startPersistent(Path logDir, int port, int controllerPort) {
    try {
      Files.createDirectories(logDir);
      Properties p = new Properties();
      p.put("process.roles", "broker,controller");
      p.put("node.id", "1");
      p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
      p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
      p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
      p.put("controller.listener.names", "CONTROLLER");
      p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
      p.put("inter.broker.listener.name", "PLAINTEXT");
      p.put("log.dirs", logDir.toAbsolutePath().toString());
      p.put("offsets.topic.replication.factor", "1");
      p.put("offsets.topic.num.partitions", "4");
      p.put("transaction.state.log.replication.factor", "1");
      p.put("transaction.state.log.min.isr", "1");
      p.put("group.initial.rebalance.delay.ms", "0");
      p.put("auto.create.topics.enable", "true");
      p.put("num.partitions", "4");
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        Path conf = Files.createTempFile("kafka-format-", ".properties");
        try (var out = Files.newOutputStream(conf)) {
          p.store(out, "format");
        }
        int rc = kafka.tools.StorageTool$.MODULE$.execute(new String[] {"format", "-t",
            org.apache.kafka.common.Uuid.randomUuid().toString(), "-c", conf.toString(), "--ignore-formatted"},
            System.out);
        Files.deleteIfExists(conf);
        if (rc != 0) {
          throw new IllegalStateException("kafka storage format of " + logDir + " failed (exit " + rc + ")");
        }
      }
      kafka.server.KafkaRaftServer server = new kafka.server.KafkaRaftServer(kafka.server.KafkaConfig.fromProps(p),
          org.apache.kafka.common.utils.Time.SYSTEM);
      server.startup();
      return new Broker(server, "127.0.0.1:" + port);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the Kafka broker in " + logDir, e);
    }
  }

  /** A broker started by {@link #startPersistent}. */
  public static final class Broker implements AutoCloseable {
    private final kafka.server.KafkaRaftServer server;
    private final String bootstrap;

    private Broker(kafka.server.KafkaRaftServer server, String bootstrap) {
      this.server = server;
      this.bootstrap = bootstrap;
    }

    public String bootstrapServers() {
      return bootstrap;
    }

    /** Controlled shutdown; returns when the broker has stopped and its log is closed. */
    @Override
    public void close() {
      server.shutdown();
      server.awaitShutdown();
    }
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
