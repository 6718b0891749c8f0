package com.cps.dcs.suite;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.crdt.Crdt;
import com.cps.dcs.kernel.crdt.CrdtBundles;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.testsupport.BranchAgent;
import com.cps.dcs.testsupport.Kafka;
import com.cps.dcs.testsupport.Postgres;
import com.cps.dcs.testsupport.RegionCluster;
import com.cps.dcs.testsupport.TempDirs;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The world of the multi-process sync tests: PostgreSQL, a Kafka broker, a three-node region (real JVMs, Raft over
 * loopback) and the branches (real local agents, each behind its own proxies), with the invariants every scenario
 * ends on: each branch's events in PostgreSQL exactly once and byte for byte as the branch sealed them, the CRDTs
 * equal on every regional node and every branch, every event in Kafka.
 */
final class SyncWorld implements AutoCloseable {
  static final Path REGION_JAR = Path.of("..", "regional-agent", "target", "regional-agent.jar");
  static final Path AGENT_JAR = Path.of("..", "local-agent", "target", "local-agent.jar");

  final String tenant;
  final String pgUrl;
  final String topic;
  final Path dir;
  final RegionCluster region;
  final List<BranchAgent> branches = new ArrayList<>();

  SyncWorld(String name) {
    this.tenant = "tenant-" + name;
    this.pgUrl = Postgres.shared().createDatabase(name.replace('-', '_'));
    this.topic = "dcs.events." + name + "." + UUID.randomUUID().toString().substring(0, 8);
    Kafka.shared().createTopic(topic, 4);
    this.dir = TempDirs.create(name);
    this.region = new RegionCluster(REGION_JAR, 3, tenant, "region-" + name, pgUrl, Kafka.shared().bootstrapServers(),
        topic, dir, 500);
  }

  /** A branch syncing every {@code syncIntervalSeconds} through its own proxies; not started. */
  BranchAgent branch(String branchId, int syncIntervalSeconds) {
    BranchAgent b = new BranchAgent(AGENT_JAR, branchId, tenant, dir.resolve(branchId), region.keyDir,
        region.logDir, region.grpcAddressList(), syncIntervalSeconds);
    branches.add(b);
    return b;
  }

  /** The branch's events in PostgreSQL: event id -> the stored event, failing on any id stored twice. */
  Map<String, SovereignFinancialEvent> inRegion(String branchId) throws SQLException {
    Map<String, SovereignFinancialEvent> out = new HashMap<>();
    List<String> twice = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(pgUrl)) {
      c.createStatement().execute("SELECT set_config('app.tenant_id', '" + tenant + "', false)");
      try (PreparedStatement ps = c.prepareStatement("SELECT event_id, event_bytes FROM event_store"
          + " WHERE branch_id = ?")) {
        ps.setString(1, branchId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            try {
              if (out.put(rs.getString(1), SovereignFinancialEvent.parseFrom(rs.getBytes(2))) != null) {
                twice.add(rs.getString(1));
              }
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
              throw new AssertionError("a stored event does not parse: " + rs.getString(1), e);
            }
          }
        }
      }
    }
    assertThat(twice).as("events of %s stored more than once", branchId).isEmpty();
    return out;
  }

  int countInRegion(String branchId) throws SQLException {
    return Math.toIntExact(region.eventsInRegion(branchId));
  }

  /** Waits until the branch has nothing pending and the region holds all its events; returns the ms it took. */
  long awaitConverged(BranchAgent b, Duration timeout) throws Exception {
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    int local = b.events().size();
    while (System.nanoTime() < deadline) {
      if (b.pending() == 0 && countInRegion(b.branchId) >= local) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      }
      Thread.sleep(100);
    }
    throw new AssertionError(b.branchId + " did not converge within " + timeout + ": the region has "
        + countInRegion(b.branchId) + " of " + local + " events, " + b.pending() + " pending; logs in "
        + region.logDir);
  }

  /**
   * Every event of the branch in PostgreSQL exactly once, and exactly as the branch sealed it: the causal context
   * (HLC, parent ids), the chain link, the hash and the signature arrive untouched (received_at is the region's).
   */
  void assertExactlyOnce(BranchAgent b) throws Exception {
    List<SovereignFinancialEvent> local = b.events();
    Map<String, SovereignFinancialEvent> stored = inRegion(b.branchId);
    assertThat(stored.keySet()).as("the region's events of %s", b.branchId)
        .isEqualTo(local.stream().map(SovereignFinancialEvent::getEventId).collect(java.util.stream.Collectors
            .toSet()));
    for (SovereignFinancialEvent e : local) {
      SovereignFinancialEvent r = stored.get(e.getEventId());
      assertThat(r.getReceivedAt()).isPositive();
      if (!r.toBuilder().clearReceivedAt().build().equals(e.toBuilder().clearReceivedAt().build())) {
        throw new AssertionError("event " + e.getEventId() + " of " + b.branchId + " differs at the region:\n"
            + r + "\nbranch:\n" + e);
      }
    }
  }

  /** CRDT id -> value (the CRDT itself: counters by node, sets by tag, registers with their clock). */
  static Map<String, Crdt> values(List<CRDTStateBundle> bundles) {
    Map<String, Crdt> out = new TreeMap<>();
    for (CRDTStateBundle b : bundles) {
      out.put(b.getCrdtId(), CrdtBundles.fromBundle(b));
    }
    return out;
  }

  /** Every replica's CRDTs: each running regional node and each running branch. */
  Map<String, Map<String, Crdt>> crdtReplicas() throws Exception {
    Map<String, Map<String, Crdt>> all = new LinkedHashMap<>();
    for (String n : region.running()) {
      all.put(n, values(region.crdts(n)));
    }
    for (BranchAgent b : branches) {
      if (b.isRunning()) {
        all.put(b.branchId, values(b.crdts()));
      }
    }
    return all;
  }

  /** Waits until the CRDTs are equal on every replica (the branches pick up the rest on their next rounds). */
  Map<String, Crdt> awaitCrdtsEqual(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Map<String, Crdt>> all = crdtReplicas();
    while (System.nanoTime() < deadline) {
      all = crdtReplicas();
      if (new HashSet<>(all.values()).size() == 1) {
        Map<String, Crdt> one = all.values().iterator().next();
        assertThat(one).isNotEmpty();
        return one;
      }
      Thread.sleep(250);
    }
    StringBuilder diff = new StringBuilder();
    Map<String, Crdt> first = all.values().iterator().next();
    String firstName = all.keySet().iterator().next();
    all.forEach((replica, v) -> {
      Set<String> ids = new HashSet<>(first.keySet());
      ids.addAll(v.keySet());
      for (String id : ids) {
        if (!java.util.Objects.equals(first.get(id), v.get(id))) {
          diff.append(replica).append(" ").append(id).append(": ").append(v.get(id)).append(" vs ").append(firstName)
              .append(": ").append(first.get(id)).append('\n');
        }
      }
    });
    throw new AssertionError("CRDTs differ after " + timeout + ":\n" + diff);
  }

  /** Every event the region stored (of the given branches) reached Kafka. */
  void assertAllInKafka(List<BranchAgent> of) throws Exception {
    Set<String> all = new HashSet<>();
    for (BranchAgent b : of) {
      all.addAll(inRegion(b.branchId).keySet());
    }
    Set<String> inKafka = new HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!inKafka.containsAll(all) && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : readToEnd()) {
        inKafka.add(SovereignFinancialEvent.parseFrom(r.value()).getEventId());
      }
      if (!inKafka.containsAll(all)) {
        Thread.sleep(500); // the outbox relay is still at work
      }
    }
    Set<String> missing = new HashSet<>(all);
    missing.removeAll(inKafka);
    if (!missing.isEmpty()) {
      throw new AssertionError(missing.size() + " of " + all.size() + " events stored at the region are not in Kafka"
          + " (outbox rows waiting: " + outboxRows() + "), e.g. " + missing.iterator().next());
    }
  }

  long outboxRows() throws SQLException {
    try (Connection c = DriverManager.getConnection(pgUrl)) {
      c.createStatement().execute("SELECT set_config('app.tenant_id', '" + tenant + "', false)");
      try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM outbox")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Every record of the topic, from the beginning of each partition to its current end. */
  List<ConsumerRecord<byte[], byte[]>> readToEnd() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Kafka.shared().bootstrapServers());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  @Override
  public void close() {
    for (BranchAgent b : branches) {
      try {
        b.close();
      } catch (RuntimeException ignored) {
        // the others still stop
      }
    }
    region.close();
  }
}
