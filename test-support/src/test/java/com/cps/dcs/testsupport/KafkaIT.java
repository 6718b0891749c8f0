package com.cps.dcs.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class KafkaIT {
  @Test
  void aProducedRecordIsConsumedFromTheRealBroker() throws Exception {
    Kafka kafka = Kafka.shared();
    kafka.createTopic("kafka-it", 2);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>("kafka-it", "k".getBytes(), "hello".getBytes())).get();
    }
    var records = kafka.readAll("kafka-it", Duration.ofSeconds(30), 1);
    assertThat(records).hasSize(1);
    assertThat(new String(records.get(0).value())).isEqualTo("hello");
  }
}
