package com.cps.dcs.localagent.config;

import com.cps.dcs.kernel.event.EventSealer;
import com.cps.dcs.kernel.event.EventVerifier;
import com.cps.dcs.localagent.catalog.SampleData;
import com.cps.dcs.localagent.payment.PaymentPort;
import com.cps.dcs.localagent.payment.SimulatedCardGateway;
import com.cps.dcs.localagent.pos.PosGrpcService;
import com.cps.dcs.localagent.query.BranchReadModel;
import com.cps.dcs.localagent.sale.RefundService;
import com.cps.dcs.localagent.sale.SaleSecrets;
import com.cps.dcs.localagent.sale.SaleService;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.store.PeerRegistry;
import com.cps.dcs.localagent.swarm.BranchCrdts;
import com.cps.dcs.localagent.swarm.BranchLog;
import com.cps.dcs.localagent.sync.AgentCredential;
import com.cps.dcs.localagent.sync.SyncClient;
import com.cps.dcs.localagent.sync.SyncStatusView;
import com.cps.dcs.localagent.till.TillService;
import com.cps.dcs.proto.pos.v1.SyncStatus;
import com.cps.dcs.proto.v4.AgentRegistration;
import com.cps.dcs.proto.v4.AgentStatus;
import com.cps.dcs.proto.v4.AgentType;
import com.cps.dcs.service.auth.ServiceCallerChecks;
import com.cps.dcs.service.config.WebExposure;
import com.cps.dcs.service.grpc.DcsGrpcServer;
import com.cps.dcs.service.keys.KeyMaterial;
import com.cps.dcs.swarm.SwarmIdentity;
import com.cps.dcs.swarm.SwarmProtocolService;
import com.cps.dcs.swarm.TierPolicy;
import com.cps.dcs.swarm.query.QueryProtocolService;
import com.linecorp.armeria.server.Server;
import io.grpc.BindableService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The one place the local agent is wired: the store, keys and services, and the gRPC/gRPC-Web server. */
@Configuration(proxyBeanMethods = false)
public class LocalAgentConfig {
  private static final Logger log = LoggerFactory.getLogger(LocalAgentConfig.class);

  @Bean
  LocalAgentSettings localAgentSettings(Environment env) {
    return LocalAgentSettings.from(env::getProperty);
  }

  @Bean
  InstantSource instantSource() {
    return InstantSource.system();
  }

  @Bean
  KeyMaterial keyMaterial(LocalAgentSettings s, Environment env) {
    return KeyMaterial.fromSettings(env::getProperty, s.common().dataDir(), s.tenantId(), s.agentId());
  }

  @Bean(destroyMethod = "close")
  LocalStore localStore(LocalAgentSettings s, KeyMaterial keys, InstantSource time) {
    return LocalStore.open(s.dbPath(), new LocalStore.Identity(s.tenantId(), s.branchId(), s.agentId(), s.currency()),
        new EventSealer(keys.kek(), keys.mac(), keys.agentKeys()), time, s.maxClockDrift());
  }

  @Bean
  EventVerifier eventVerifier(KeyMaterial keys) {
    return new EventVerifier(keys.mac());
  }

  /** Who this agent is to its peers and its region: its registration and key, which sign what it sends. */
  @Bean
  SwarmIdentity swarmIdentity(LocalStore store, KeyMaterial keys, InstantSource time, LocalAgentSettings s) {
    AgentRegistration template = AgentRegistration.newBuilder().setAgentId(s.agentId())
        .setAgentType(AgentType.LOCAL_AGENT).setBranchId(s.branchId()).addCapabilities("AccountingSwarmProtocol")
        .addCapabilities("QueryProtocol").addCapabilities("PosService").build();
    return new SwarmIdentity(template, keys.agentKeys(), store.clock(), time, () -> AgentStatus.AGENT_ACTIVE);
  }

  /** AccountingSwarmProtocol at this branch: the swarm core over the branch's SQLite log, peers and CRDTs. */
  @Bean
  SwarmProtocolService accountingSwarmService(LocalStore store, SwarmIdentity identity, EventVerifier verifier,
      InstantSource time, LocalAgentSettings s, MeterRegistry meters) {
    Gauge.builder("dcs.events.log.size", store, LocalStore::maxSeq).register(meters);
    return new SwarmProtocolService(TierPolicy.branch(s.tenantId(), s.branchId(), s.agentId(), s.currency(),
        s.masterAddress()), new BranchLog(store, s.clockBounds(), time), new PeerRegistry(store),
        new BranchCrdts(store), identity, verifier, s.clockBounds(), time, meters);
  }

  @Bean
  TillService tillService(LocalStore store, InstantSource time) {
    return new TillService(store, time);
  }

  @Bean
  PaymentPort paymentPort() {
    return new SimulatedCardGateway();
  }

  @Bean
  RefundService refundService(LocalStore store, TillService tills, PaymentPort payments, InstantSource time) {
    RefundService refunds = new RefundService(store, tills, payments, time);
    int settled = refunds.recover(); // every unfinished REFUND_PROCESSING saga, from its persisted state
    if (settled > 0) {
      log.info("settled {} refund(s) left pending by a stop", settled);
    }
    return refunds;
  }

  @Bean
  SaleService saleService(LocalStore store, TillService tills, PaymentPort payments, KeyMaterial keys,
      Environment env, InstantSource time) {
    int threshold = Integer.parseInt(env.getProperty("DCS_DISCOUNT_APPROVAL_BP", "1000"));
    SaleService sales = new SaleService(store, tills, payments, new SaleSecrets(keys.kek(), keys.mac()), threshold,
        time);
    int resumed = sales.recover(); // every unfinished STANDARD_SALE saga, from its persisted state
    if (resumed > 0) {
      log.info("resumed {} sale(s) interrupted by a stop", resumed);
    }
    if (Boolean.parseBoolean(env.getProperty("DCS_SAMPLE_DATA", "false")) && SampleData.loadIfEmpty(store, tills)) {
      log.info("loaded the sample catalogue, stock and staff");
    }
    return sales;
  }

  /** Pushes the branch's events and CRDT state to its region (idle for a standalone branch). */
  @Bean(destroyMethod = "close")
  SyncClient syncClient(LocalStore store, SwarmIdentity swarm, LocalAgentSettings s, KeyMaterial keys,
      Environment env, InstantSource time, MeterRegistry meters) {
    // Role agent for this branch: a token minted here from the tenant's token key, or DCS_AGENT_TOKEN when the key
    // folder holds only the public key.
    AgentCredential credential = AgentCredential.of(keys.keyDir(), s.tenantId(), s.branchId(), s.agentId(),
        env.getProperty("DCS_AGENT_TOKEN"), InstantSource.system());
    SyncClient sync = new SyncClient(store, swarm, s.regionalAddresses(), s.syncInterval(),
        s.syncOfflineRetry(), credential, time, meters);
    sync.start();
    return sync;
  }

  @Bean
  PosGrpcService posGrpcService(LocalStore store, TillService tills, SaleService sales, RefundService refunds,
      SyncClient sync, MeterRegistry meters) {
    return new PosGrpcService(store, tills, sales, refunds, () -> {
      SyncStatusView v = sync.status();
      SyncStatus.Builder b = SyncStatus.newBuilder().setRegionReachable(v.reachable())
          .setPendingEvents(v.pendingEvents()).setSyncedEvents(v.syncedEvents())
          .setRegionalAddress(v.regionalAddress()).setLastError(v.lastError());
      if (v.lastSync() != null) {
        b.setLastSync(com.google.protobuf.Timestamp.newBuilder().setSeconds(v.lastSync().getEpochSecond())
            .setNanos(v.lastSync().getNano()));
      }
      return b.build();
    }, meters);
  }

  @Bean
  QueryProtocolService queryProtocolService(LocalStore store, InstantSource time, MeterRegistry meters) {
    return new QueryProtocolService(new BranchReadModel(store), time, meters);
  }

  /** Serves every gRPC service bean on one port (gRPC, gRPC-Web, JSON), started and stopped with the context. */
  @Bean
  SmartLifecycle grpcServer(List<BindableService> services, LocalAgentSettings s, KeyMaterial keys,
      MeterRegistry meters, Environment env) {
    // A short quiet period, so that the agent stops within seconds of SIGTERM (./dcs run's Ctrl-C). The POS it serves
    // itself is same-origin; browsers elsewhere only from the POS dev server and the admin app unless configured.
    DcsGrpcServer.Builder b = DcsGrpcServer.builder().port(s.grpcPort()).meterRegistry(meters)
        .exposure(WebExposure.from(env::getProperty, List.of("http://localhost:3000", "http://127.0.0.1:3000",
            "http://localhost:3001", "http://127.0.0.1:3001")))
        .gracefulShutdown(java.time.Duration.ofMillis(500))
        // Every RPC checks its caller (DcsRpcTable); an empty branch field means this branch. PosService stays open
        // at the transport: its session is in the body.
        .callerChecks(ServiceCallerChecks.install(env::getProperty, keys.keyDir(), s.tenantId(),
            Optional.of(s.branchId()), InstantSource.system()));
    services.forEach(b::addService);
    b.addServerInterceptor(SwarmProtocolService.callHeaders());
    if (s.webDir() != null) {
      b.staticFiles(s.webDir());
    }
    Server server = b.build();
    return new SmartLifecycle() {
      private volatile boolean running;

      @Override
      public void start() {
        server.start().join();
        running = true;
        log.info("local agent {} of branch {} serving gRPC and gRPC-Web on port {}", s.agentId(), s.branchId(),
            server.activeLocalPort());
      }

      @Override
      public void stop() {
        DcsGrpcServer.stop(server, java.time.Duration.ofSeconds(15));
        running = false;
      }

      @Override
      public boolean isRunning() {
        return running;
      }
    };
  }
}
