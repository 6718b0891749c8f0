package com.cps.dcs.regional.config;

import com.cps.dcs.eventstore.pg.PgDatabase;
import com.cps.dcs.eventstore.pg.PgStoreException;
import com.cps.dcs.eventstore.pg.region.Outbox;
import com.cps.dcs.eventstore.pg.region.RegionStore;
import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.clock.HlcClock;
import com.cps.dcs.kernel.event.EventVerifier;
import com.cps.dcs.proto.v4.AgentRegistration;
import com.cps.dcs.proto.v4.AgentStatus;
import com.cps.dcs.proto.v4.AgentType;
import com.cps.dcs.regional.grpc.IngestBatcher;
import com.cps.dcs.regional.grpc.QuarantineGrpcService;
import com.cps.dcs.regional.kafka.OutboxRelay;
import com.cps.dcs.regional.raft.RegionNode;
import com.cps.dcs.regional.raft.RegionStateMachine;
import com.cps.dcs.regional.swarm.RegionAgents;
import com.cps.dcs.regional.swarm.RegionCrdts;
import com.cps.dcs.regional.swarm.RegionLog;
import com.cps.dcs.service.Doorbell;
import com.cps.dcs.service.auth.ServiceCallerChecks;
import com.cps.dcs.service.config.WebExposure;
import com.cps.dcs.service.grpc.DcsGrpcServer;
import com.cps.dcs.service.keys.KeyMaterial;
import com.cps.dcs.swarm.LogSignal;
import com.cps.dcs.swarm.SwarmIdentity;
import com.cps.dcs.swarm.SwarmProtocolService;
import com.cps.dcs.swarm.TierPolicy;
import com.linecorp.armeria.server.Server;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The one place a regional node is wired: database, Raft node, Kafka relay, gRPC server, metrics and health. */
@Configuration(proxyBeanMethods = false)
public class RegionalAgentConfig {
  private static final Logger log = LoggerFactory.getLogger(RegionalAgentConfig.class);
  static final Duration STOP_QUIET_PERIOD = Duration.ofMillis(500);

  @Bean
  RegionalSettings regionalSettings(Environment env) {
    return RegionalSettings.from(env::getProperty);
  }

  @Bean
  InstantSource instantSource() {
    return InstantSource.system();
  }

  @Bean
  KeyMaterial keyMaterial(RegionalSettings s, Environment env) {
    // The tenant's MAC key (shared with its branches) verifies events; the node's own key signs its messages.
    return KeyMaterial.fromSettings(env::getProperty, s.common().dataDir(), s.tenantId(), s.nodeId());
  }

  /** Migrates as the owner (DCS_PG_URL's user), then works as the non-owner application role under RLS. */
  @Bean(destroyMethod = "close")
  HikariDataSource appDataSource(RegionalSettings s) {
    PgDatabase.createAndMigrate(s.pgUrl());
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(PgDatabase.withoutCredentials(s.pgUrl()));
    c.setUsername(s.appUser());
    c.setPassword(s.appPassword());
    c.setMaximumPoolSize(12);
    c.setPoolName("dcs-region-" + s.nodeId());
    c.setAutoCommit(true);
    c.addDataSourceProperty("reWriteBatchedInserts", "true"); // an entry's rows as multi-row INSERTs
    return new HikariDataSource(c);
  }

  @Bean
  RegionStore regionStore(HikariDataSource ds, RegionalSettings s) {
    RegionStore store = new RegionStore(ds, s.tenantId(), com.cps.dcs.regional.raft.RaftPeers.groupId(s.regionId())
        .getUuid().toString(), s.kafkaTopic());
    try {
      store.ensureAuditPartitions(3);
    } catch (PgStoreException e) {
      throw new IllegalStateException("PostgreSQL: " + e.getMessage(), e);
    }
    return store;
  }

  /** Rung when applied entries stored events: the outbox relay waits on it. */
  @Bean
  Doorbell eventsStored() {
    return new Doorbell();
  }

  /** Rung when applied entries stored events: subscriptions and swarm exchanges on this node follow it. */
  @Bean
  LogSignal eventsApplied() {
    return new LogSignal();
  }

  @Bean(destroyMethod = "close")
  RegionNode regionNode(RegionalSettings s, RegionStore store, MeterRegistry meters, Doorbell eventsStored,
      LogSignal eventsApplied) {
    Counter ingested = meters.counter("dcs.region.events.ingested");
    Counter quarantined = Counter.builder("dcs.region.events.quarantined")
        .description("events this node applied as quarantined (never storable; listed by ListQuarantined)")
        .register(meters);
    RegionStateMachine sm = new RegionStateMachine(s.regionId(), store, s.nodeId(), n -> {
      ingested.increment(n);
      if (n > 0) {
        eventsStored.ring();
        eventsApplied.ring();
      }
    }, quarantined::increment);
    try {
      RegionNode node = new RegionNode(s.raft(), sm);
      node.start();
      Gauge.builder("dcs.raft.term", node, RegionNode::term).register(meters);
      Gauge.builder("dcs.raft.commit.index", node, RegionNode::commitIndex).register(meters);
      Gauge.builder("dcs.raft.applied.index", node, RegionNode::appliedIndex).register(meters);
      Gauge.builder("dcs.raft.leader", node, n -> n.isLeader() ? 1 : 0).description("1 on the leader")
          .register(meters);
      Gauge.builder("dcs.raft.has.leader", node, n -> n.leaderId().isPresent() ? 1 : 0).register(meters);
      Gauge.builder("dcs.raft.role", node, n -> switch (n.role()) {
        case "LEADER" -> 3;
        case "CANDIDATE" -> 2;
        case "FOLLOWER" -> 1;
        default -> 0;
      }).description("0 none, 1 follower, 2 candidate, 3 leader").register(meters);
      Gauge.builder("dcs.raft.members", node, n -> n.members().size()).register(meters);
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the Raft node: " + e.getMessage(), e);
    }
  }

  @Bean(destroyMethod = "close")
  IngestBatcher ingestBatcher(RegionNode node, RegionalSettings s, InstantSource time) {
    return new IngestBatcher(node::submit, s.nodeId(), time::millis, s.ingestBatch(), 4);
  }

  /** AccountingSwarmProtocol on this node: the swarm core over the region's Raft log, registry and CRDTs. */
  @Bean
  SwarmProtocolService regionalSwarmService(RegionalSettings s, RegionNode node, RegionStore store,
      IngestBatcher batcher, LogSignal eventsApplied, KeyMaterial keys, InstantSource time, MeterRegistry meters) {
    HlcClock clock = new HlcClock(s.nodeId(), time, s.clockBounds().maxFutureDrift(), Hlc.zero(s.nodeId()));
    AgentRegistration template = AgentRegistration.newBuilder().setAgentId(s.nodeId())
        .setAgentType(AgentType.REGIONAL_AGENT).setRegionId(s.regionId()).addCapabilities("AccountingSwarmProtocol")
        .build();
    SwarmIdentity identity = new SwarmIdentity(template, keys.agentKeys(), clock, time,
        () -> node.leaderId().isPresent() ? AgentStatus.AGENT_ACTIVE : AgentStatus.AGENT_DEGRADED);
    return new SwarmProtocolService(TierPolicy.region(s.tenantId(), s.regionId(), s.currency(), s.masterAddress()),
        new RegionLog(store, batcher, s.nodeId(), eventsApplied), new RegionAgents(node), new RegionCrdts(node),
        identity, new EventVerifier(keys.mac()), s.clockBounds(), time, meters);
  }

  /** Relays the outbox to Kafka; without KAFKA_BOOTSTRAP_SERVERS events stay in the outbox (said at start). */
  @Bean(destroyMethod = "close")
  AutoCloseable outboxRelay(RegionalSettings s, HikariDataSource ds, RegionStore store, MeterRegistry meters,
      Doorbell eventsStored) {
    Gauge.builder("dcs.outbox.lag", store, st -> {
      try {
        return st.outboxLag();
      } catch (PgStoreException e) {
        return Double.NaN;
      }
    }).description("events committed but not yet acknowledged by Kafka").register(meters);
    if (s.kafkaBootstrap().isEmpty()) {
      log.warn("KAFKA_BOOTSTRAP_SERVERS is unset: committed events wait in the outbox until a node with Kafka relays"
          + " them");
      return () -> { };
    }
    Outbox outbox = new Outbox(ds, s.tenantId(), PgDatabase.withoutCredentials(s.pgUrl()), s.appUser(),
        s.appPassword());
    OutboxRelay relay = new OutboxRelay(outbox, lockKey(s.regionId()), s.kafkaBootstrap(), s.nodeId(), eventsStored);
    Gauge.builder("dcs.outbox.relaying", relay, r -> r.isRelaying() ? 1 : 0).register(meters);
    Gauge.builder("dcs.outbox.relayed", relay, OutboxRelay::relayed).register(meters);
    relay.start();
    return relay;
  }

  static long lockKey(String regionId) {
    return ("dcs-outbox:" + regionId).hashCode() * 0x9E3779B97F4A7C15L;
  }

  /** Keeps the audit log's monthly partitions three months ahead. */
  @Bean(destroyMethod = "shutdownNow")
  ScheduledExecutorService housekeeping(RegionStore store) {
    ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "region-housekeeping");
      t.setDaemon(true);
      return t;
    });
    ex.scheduleAtFixedRate(() -> {
      try {
        store.ensureAuditPartitions(3);
      } catch (RuntimeException e) {
        log.warn("audit partitions not checked: {}", e.getMessage());
      }
    }, 6, 6, TimeUnit.HOURS);
    return ex;
  }

  @Bean
  HealthIndicator raft(RegionNode node) {
    return () -> {
      var b = node.leaderId().isPresent() ? Health.up() : Health.down();
      return b.withDetail("role", node.role()).withDetail("leader", node.leaderId().orElse("none"))
          .withDetail("term", node.term()).withDetail("commitIndex", node.commitIndex())
          .withDetail("appliedIndex", node.appliedIndex()).build();
    };
  }

  /** gRPC, gRPC-Web and JSON on DCS_GRPC_PORT; gRPC health says NOT_SERVING while this node knows no leader. */
  @Bean
  SmartLifecycle grpcServer(SwarmProtocolService swarm, RegionStore store, RegionNode node, RegionalSettings s,
      KeyMaterial keys, MeterRegistry meters, Environment env) {
    // A short quiet period: branches sync every few seconds, so a longer one would only run into the timeout.
    // No browser app calls a region: no origin may, unless DCS_CORS_ORIGINS says.
    Server server = DcsGrpcServer.builder().port(s.grpcPort()).exposure(WebExposure.from(env::getProperty, List.of()))
        .meterRegistry(meters).gracefulShutdown(STOP_QUIET_PERIOD)
        // Every RPC checks its caller (DcsRpcTable); a node serves every branch of the region.
        .callerChecks(ServiceCallerChecks.install(env::getProperty, keys.keyDir(), s.tenantId(), Optional.empty(),
            InstantSource.system()))
        .addService(swarm).addService(new QuarantineGrpcService(store))
        .addServerInterceptor(SwarmProtocolService.callHeaders()).healthy(() -> node.leaderId().isPresent()).build();
    return new SmartLifecycle() {
      private volatile boolean running;

      @Override
      public void start() {
        server.start().join();
        running = true;
        log.info("regional node {} of region {} serving gRPC on {}", s.nodeId(), s.regionId(), s.grpcPort());
      }

      @Override
      public void stop() {
        DcsGrpcServer.stop(server, Duration.ofSeconds(5));
        running = false;
      }

      @Override
      public boolean isRunning() {
        return running;
      }
    };
  }
}
