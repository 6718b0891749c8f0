package com.cps.dcs.query;

import com.cps.dcs.query.grpc.DashboardHub;
import com.cps.dcs.query.grpc.QueryGrpcService;
import com.cps.dcs.query.projection.DeadLetterGrpcService;
import com.cps.dcs.query.projection.DeadLetters;
import com.cps.dcs.query.projection.ProjectionConsumer;
import com.cps.dcs.query.projection.ProjectionStore;
import com.cps.dcs.query.projection.Rebuilder;
import com.cps.dcs.service.grpc.DcsGrpcServer;
import com.linecorp.armeria.server.Server;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import com.cps.dcs.eventstore.pg.PgDatabase;

/**
 * The running query service: migrated database, projection consumer, QueryProtocol server. Start with
 * {@link #start}, stop with {@link #close}.
 */
public final class QueryService implements AutoCloseable {

  private final HikariDataSource ds;
  private final ProjectionStore store;
  private final ProjectionConsumer consumer;
  private final DashboardHub hub;
  private final Server server;
  private final QueryGrpcService grpc;
  private final SummaryCache summaries;

  private QueryService(HikariDataSource ds, ProjectionStore store, ProjectionConsumer consumer, DashboardHub hub,
      Server server, QueryGrpcService grpc, SummaryCache summaries) {
    this.ds = ds;
    this.summaries = summaries;
    this.store = store;
    this.consumer = consumer;
    this.hub = hub;
    this.server = server;
    this.grpc = grpc;
  }

  /** Creates the database if missing, migrates it, starts consuming and serving. */
  public static QueryService start(QueryConfig cfg, MeterRegistry registry, InstantSource clock) {
    HikariDataSource ds = migratedPool(cfg.pgUrl());
    ProjectionStore store = new ProjectionStore(ds);
    DashboardHub[] hubRef = new DashboardHub[1];
    QueryGrpcService[] grpcRef = new QueryGrpcService[1];
    DashboardHub hub = new DashboardHub(branch -> grpcRef[0].metrics(branch), clock);
    hubRef[0] = hub;
    SummaryCache summaries = new SummaryCache(ds, registry);
    QueryGrpcService grpc = new QueryGrpcService(new ReadModels(ds), cfg.tenantId(), clock, registry, hub,
        summaries);
    grpcRef[0] = grpc;
    ProjectionConsumer consumer = new ProjectionConsumer(cfg.kafkaBootstrap(), cfg.topic(), cfg.groupId(), store,
        registry, clock);
    consumer.onChange(summaries::invalidate); // this instance's commits at once; others' through NOTIFY
    consumer.onChange(hub::changed);
    // A short quiet period: the service stops within seconds of SIGTERM (dashboards reconnect elsewhere).
    Server server = DcsGrpcServer.builder().port(cfg.grpcPort()).gracefulShutdown(Duration.ofMillis(500))
        .addService(grpc)
        .addService(new DeadLetterGrpcService(new DeadLetters(ds))).corsAllowAllOrigins()
        .meterRegistry(registry).build();
    server.start().join();
    consumer.start();
    return new QueryService(ds, store, consumer, hub, server, grpc, summaries);
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

  public QueryGrpcService grpc() {
    return grpc;
  }

  @Override
  public void close() throws InterruptedException {
    com.cps.dcs.service.grpc.DcsGrpcServer.stop(server, java.time.Duration.ofSeconds(15));
    hub.close();
    consumer.close();
    summaries.close();
    ds.close();
  }
}
