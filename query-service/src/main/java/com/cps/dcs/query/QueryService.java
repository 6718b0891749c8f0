package com.cps.dcs.query;

import com.cps.dcs.eventstore.pg.PgDatabase;
import com.cps.dcs.query.projection.DeadLetterGrpcService;
import com.cps.dcs.query.projection.DeadLetters;
import com.cps.dcs.query.projection.ProjectionConsumer;
import com.cps.dcs.query.projection.ProjectionStore;
import com.cps.dcs.query.projection.Rebuilder;
import com.cps.dcs.query.store.ReadModels;
import com.cps.dcs.query.store.SummaryCache;
import com.cps.dcs.service.auth.BootstrapAdmin;
import com.cps.dcs.service.auth.ServiceCallerChecks;
import com.cps.dcs.service.config.WebExposure;
import com.cps.dcs.service.grpc.DcsGrpcServer;
import com.cps.dcs.swarm.query.QueryProtocolService;
import com.linecorp.armeria.server.Server;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/**
 * The running query service: migrated database, projection consumer, QueryProtocol server. Start with
 * {@link #start}, stop with {@link #close}.
 */
public final class QueryService implements AutoCloseable {

  private final HikariDataSource ds;
  private final ProjectionStore store;
  private final ProjectionConsumer consumer;
  private final Server server;
  private final SummaryCache summaries;

  private QueryService(HikariDataSource ds, ProjectionStore store, ProjectionConsumer consumer, Server server,
      SummaryCache summaries) {
    this.ds = ds;
    this.summaries = summaries;
    this.store = store;
    this.consumer = consumer;
    this.server = server;
  }

  /** The admin app's origins in `./dcs run`: browsers there may call this service unless DCS_CORS_ORIGINS says. */
  static final List<String> ADMIN_WEB_ORIGINS = List.of("http://localhost:3001", "http://127.0.0.1:3001");

  /** Creates the database if missing, migrates it, starts consuming and serving. */
  public static QueryService start(QueryConfig cfg, MeterRegistry registry, InstantSource clock) {
    HikariDataSource ds = migratedPool(cfg.pgUrl());
    ProjectionStore store = new ProjectionStore(ds);
    SummaryCache summaries = new SummaryCache(ds, registry);
    ProjectionReadModel projections = new ProjectionReadModel(new ReadModels(ds), cfg.tenantId(), summaries);
    QueryProtocolService query = new QueryProtocolService(projections, clock, registry);
    ProjectionConsumer consumer = new ProjectionConsumer(cfg.kafkaBootstrap(), cfg.topic(), cfg.groupId(), store,
        registry, clock);
    consumer.onChange(summaries::invalidate); // this instance's commits at once; others' through NOTIFY
    consumer.onChange(projections::changed); // the dashboards
    // A short quiet period: the service stops within seconds of SIGTERM (dashboards reconnect elsewhere).
    // Every RPC checks its caller (DcsRpcTable), against the real clock whatever clock the data is read with; the
    // service serves every branch of the tenant.
    Server server = DcsGrpcServer.builder().port(cfg.grpcPort()).gracefulShutdown(Duration.ofMillis(500))
        .callerChecks(ServiceCallerChecks.install(name -> BootstrapAdmin.ENV.equals(name) ? cfg.adminToken() : null,
            cfg.keyDir(), cfg.tenantId(), Optional.empty(), InstantSource.system()))
        .addService(query)
        .addService(new DeadLetterGrpcService(new DeadLetters(ds)))
        .exposure(WebExposure.from(System::getenv, ADMIN_WEB_ORIGINS))
        .meterRegistry(registry).build();
    server.start().join();
    consumer.start();
    return new QueryService(ds, store, consumer, server, summaries);
  }

  /** A pool to {@code pgUrl} after creating the database when missing and running the migrations as its user. */
  public static HikariDataSource migratedPool(String pgUrl) {
    PgDatabase.createAndMigrate(pgUrl);
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(pgUrl);
    hc.setMaximumPoolSize(16);
    hc.setPoolName("query-service");
    return new HikariDataSource(hc);
  }

  /** The rebuild command: truncate and replay the PostgreSQL event_store into the projections. */
  public static long rebuild(String pgUrl, String bytesColumn) throws SQLException {
    try (HikariDataSource ds = migratedPool(pgUrl)) {
      return new Rebuilder(new ProjectionStore(ds)).rebuildFromEventStore(ds, bytesColumn);
    }
  }

  public SummaryCache summaries() {
    return summaries;
  }

  public int grpcPort() {
    return server.activeLocalPort();
  }

  public ProjectionConsumer consumer() {
    return consumer;
  }

  public ProjectionStore store() {
    return store;
  }

  @Override
  public void close() throws InterruptedException {
    com.cps.dcs.service.grpc.DcsGrpcServer.stop(server, java.time.Duration.ofSeconds(15));
    consumer.close();
    summaries.close();
    ds.close();
  }
}
