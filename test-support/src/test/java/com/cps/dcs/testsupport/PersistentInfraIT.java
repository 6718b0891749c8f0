package com.cps.dcs.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The launcher's PostgreSQL and Kafka keep their data across a stop and a start on the same directory. */
class PersistentInfraIT {
  @Test
  void aSecondEmbeddedPostgresOnTheSameDirectoryFindsTheDataOfTheFirst() throws Exception {
    Path dir = TempDirs.create("pg-persist").resolve("pg");
    int port = FreePorts.allocate();
    Postgres first = Postgres.startPersistent(dir, port);
    try (Connection c = first.connect(first.superuserJdbcUrl("postgres")); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE kept (v text)");
      s.execute("INSERT INTO kept VALUES ('first run')");
    }
    first.stop();
    assertThat(portIsFree(port)).isTrue();

    Postgres second = Postgres.startPersistent(dir, port);
    try (Connection c = second.connect(second.superuserJdbcUrl("postgres")); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("first run");
    } finally {
      second.stop();
    }
    assertThat(portIsFree(port)).isTrue();
  }

  @Test
  void aSecondBrokerOnTheSameLogDirectoryFindsTheRecordsOfTheFirst() throws Exception {
    Path dir = TempDirs.create("kafka-persist").resolve("kafka");
    int[] ports = FreePorts.allocate(2);
    try (Kafka.Broker first = Kafka.startPersistent(dir, ports[0], ports[1])) {
      Kafka.at(first.bootstrapServers()).createTopic("kept", 2);
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, first.bootstrapServers());
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
        producer.send(new ProducerRecord<>("kept", "k".getBytes(), "first run".getBytes())).get();
      }
    }
    assertThat(portIsFree(ports[0])).isTrue();

    try (Kafka.Broker second = Kafka.startPersistent(dir, ports[0], ports[1])) {
      var records = Kafka.at(second.bootstrapServers()).readAll("kept", Duration.ofSeconds(60), 1);
      assertThat(records).hasSize(1);
      assertThat(new String(records.get(0).value())).isEqualTo("first run");
    }
  }

  private static boolean portIsFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
