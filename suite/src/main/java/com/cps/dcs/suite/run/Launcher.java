package com.cps.dcs.suite.run;

import com.cps.dcs.testsupport.BootJars;
import com.cps.dcs.testsupport.Kafka;
import com.cps.dcs.testsupport.Postgres;
import com.cps.dcs.testsupport.TcpProxy;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./dcs run}: the whole suite on one machine. PostgreSQL (DCS_PG_URL, or an embedded server with its data in
 * the data dir) and Kafka (KAFKA_BOOTSTRAP_SERVERS, or a broker in this JVM with its log in the data dir), a
 * three-node region, the query service and two branches (local agents with the sample catalogue, serving the POS
 * app), each service a child JVM with its log under {@code <data>/logs}. Every branch reaches the region through a
 * link of its own (a test-support {@link TcpProxy} per regional node) that the demo can cut. A control port answers {@code GET /status} and
 * {@code POST /branches/<id>/offline|online}. SIGINT / SIGTERM stop everything, branches first, infrastructure last.
 */
final class Launcher {
  private static final Logger log = LoggerFactory.getLogger("com.cps.dcs.suite.run");
  /** Keys that are one service's own: never inherited from the launcher's environment. */
  private static final List<String> PER_SERVICE = List.of("DCS_NODE_ID", "DCS_RAFT_PEERS", "DCS_RAFT_JOIN",
      "DCS_GRPC_PORT", "DCS_MANAGEMENT_PORT", "DCS_DATA_DIR", "DCS_DB_PATH", "DCS_KEY_DIR", "DCS_BRANCH_ID",
      "DCS_AGENT_ID", "DCS_REGIONAL_ADDRESS", "DCS_SAMPLE_DATA", "DCS_WEB_DIR", "DCS_PG_URL",
      "KAFKA_BOOTSTRAP_SERVERS");

  private final RunConfig cfg;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<ServiceProcess> regionNodes = new ArrayList<>();
  private final List<ServiceProcess> branchAgents = new ArrayList<>();
  private ServiceProcess queryService;
  /** The services' DCS_ADMIN_TOKEN: printed in the banner, never logged. */
  private String adminToken;
  private final Map<String, List<TcpProxy>> links = new LinkedHashMap<>();
  private Postgres postgres;
  private Kafka.Broker broker;
  private HttpServer control;
  /** How long the services together get to stop on SIGTERM before they are killed. */
  static final Duration STOP_GRACE = Duration.ofSeconds(15);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean stopping;

  Launcher(RunConfig cfg) {
    this.cfg = cfg;
  }

  int run() throws Exception {
    for (String module : List.of("local-agent", "regional-agent", "query-service")) {
      if (!Files.isRegularFile(cfg.jar(module))) {
        log.error("{} is missing; build it with ./mvnw -B -DskipTests install (./dcs run does it)", cfg.jar(module));
        return 1;
      }
    }
    Map<String, Integer> taken = new LinkedHashMap<>();
    cfg.listeningPorts().forEach((key, port) -> {
      if (!isFree(port)) {
        taken.put(key, port);
      }
    });
    if (!taken.isEmpty()) {
      taken.forEach((key, port) -> log.error("port {} ({}) is in use: stop what uses it or set {} to a free port",
          port, key, key));
      return 1;
    }
    Files.createDirectories(cfg.logs);
    adminToken = AdminSecret.loadOrCreate(cfg);
    adoptSingleBranchKeys();
    Files.createDirectories(cfg.keys);
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "dcs-run-stop"));
    long t0 = System.nanoTime();
    log.info("Starting CP'S Enterprise DCS in {} (logs in {})", cfg.data, cfg.logs);

    String pgUrl = cfg.pgUrl;
    if (pgUrl.isEmpty()) {
      log.info("PostgreSQL: embedded, data in {}, port {}", cfg.data.resolve("postgres"), cfg.embeddedPgPort);
      postgres = Postgres.startPersistent(cfg.data.resolve("postgres"), cfg.embeddedPgPort);
      pgUrl = postgres.superuserJdbcUrl("dcs");
    } else {
      log.info("PostgreSQL: {} (DCS_PG_URL)", pgUrl.replaceAll("password=[^&]*", "password=***"));
    }
    String kafka = cfg.kafka;
    if (kafka.isEmpty()) {
      log.info("Kafka: a broker in this JVM, log in {}, port {}", cfg.data.resolve("kafka"), cfg.embeddedKafkaPort);
      broker = Kafka.startPersistent(cfg.data.resolve("kafka"), cfg.embeddedKafkaPort,
          cfg.embeddedKafkaControllerPort);
      kafka = broker.bootstrapServers();
    } else {
      log.info("Kafka: {} (KAFKA_BOOTSTRAP_SERVERS)", kafka);
    }
    Kafka.at(kafka).createTopic(cfg.topic, 4);
    if (System.getenv("VAULT_ADDR") != null) {
      log.info("Keys: the KEK from Vault Transit at {}; MAC and signing keys in {}", System.getenv("VAULT_ADDR"),
          cfg.keys);
    } else {
      log.info("Keys: local key files in {}", cfg.keys);
    }

    for (RunConfig.Node n : cfg.nodes) {
      Map<String, String> env = baseEnv();
      env.put("DCS_NODE_ID", n.id());
      env.put("DCS_RAFT_PEERS", cfg.raftPeers());
      env.put("DCS_RAFT_JOIN", "false");
      env.put("DCS_GRPC_PORT", String.valueOf(n.grpcPort()));
      env.put("DCS_MANAGEMENT_PORT", String.valueOf(n.managementPort()));
      env.put("DCS_DATA_DIR", cfg.data.resolve("region").resolve(n.id()).toString());
      env.put("DCS_PG_URL", pgUrl);
      env.put("KAFKA_BOOTSTRAP_SERVERS", kafka);
      regionNodes.add(service("regional-" + n.id(), "regional-agent", "-Xmx384m", env));
    }
    Map<String, String> qenv = baseEnv();
    qenv.put("DCS_GRPC_PORT", String.valueOf(cfg.queryPort));
    qenv.put("DCS_MANAGEMENT_PORT", String.valueOf(cfg.queryManagementPort));
    qenv.put("DCS_DATA_DIR", cfg.data.resolve("query-service").toString());
    qenv.put("DCS_PG_URL", pgUrl);
    qenv.put("KAFKA_BOOTSTRAP_SERVERS", kafka);
    queryService = service("query-service", "query-service", "-Xmx384m", qenv);
    boolean web = Files.isRegularFile(cfg.posWebDir().resolve("index.html"));
    if (!web) {
      log.warn("The POS app is not built ({} is missing): the branches serve the APIs only", cfg.posWebDir());
    }
    for (RunConfig.Branch b : cfg.branches) {
      List<TcpProxy> paths = new ArrayList<>();
      for (RunConfig.Node n : cfg.nodes) {
        paths.add(new TcpProxy("127.0.0.1", n.grpcPort()));
      }
      links.put(b.id(), paths);
      Map<String, String> env = baseEnv();
      env.put("DCS_BRANCH_ID", b.id());
      env.put("DCS_AGENT_ID", b.agentId());
      env.put("DCS_GRPC_PORT", String.valueOf(b.grpcPort()));
      env.put("DCS_MANAGEMENT_PORT", String.valueOf(b.managementPort()));
      env.put("DCS_DATA_DIR", cfg.data.resolve(b.id()).toString());
      env.put("DCS_REGIONAL_ADDRESS", String.join(",", paths.stream().map(l -> "127.0.0.1:" + l.port()).toList()));
      env.put("DCS_SYNC_INTERVAL", String.valueOf(cfg.syncIntervalSeconds));
      env.put("DCS_SAMPLE_DATA", "true");
      if (web) {
        env.put("DCS_WEB_DIR", cfg.posWebDir().toString());
      }
      branchAgents.add(service(b.id(), "local-agent", "-Xmx256m", env));
    }
    List<ServiceProcess> all = new ArrayList<>(regionNodes);
    all.add(queryService);
    all.addAll(branchAgents);
    for (ServiceProcess s : all) {
      if (stopping) {
        return 1;
      }
      s.start();
    }
    for (ServiceProcess s : all) {
      if (!s.awaitLogLine("Started \\w+ in [0-9.]+ seconds", Duration.ofSeconds(240))) {
        return failed(s.name + " did not start", s);
      }
      log.info("  {} is serving (pid {})", s.name, s.pid());
    }
    String leader = awaitLeader(Duration.ofSeconds(120));
    if (leader == null) {
      return failed("the region elected no leader within 120 s", regionNodes.get(0));
    }
    log.info("  the region has a leader: {}", leader);
    for (RunConfig.Branch b : cfg.branches) {
      awaitUp(b.managementPort(), Duration.ofSeconds(60));
    }
    awaitUp(cfg.queryManagementPort, Duration.ofSeconds(60));
    startControl();
    printUrls(web, pgUrl, kafka, Duration.ofNanos(System.nanoTime() - t0));
    stopped.await();
    return 0;
  }

  private ServiceProcess service(String name, String module, String heap, Map<String, String> env)
      throws IOException {
    List<String> jvm = new ArrayList<>(cfg.childJvmOptions);
    jvm.add(0, heap);
    return new ServiceProcess(name, staged(module), jvm, List.of(), env, cfg.logs.resolve(name + ".log"));
  }

  /**
   * The services run from extracted copies in {@code <data>/jars/<module>} ({@link BootJars}: Spring Boot's advice
   * for deployment, and no nested-jar class loader). A copy also keeps the running JVMs apart from a build that
   * rewrites {@code <module>/target/<module>.jar} in place while the suite runs. Extracted again only when the built
   * jar changed.
   */
  private Path staged(String module) throws IOException {
    Path jars = cfg.data.resolve("jars");
    Files.deleteIfExists(jars.resolve(module + ".jar")); // an earlier version copied the whole jar
    return BootJars.extracted(cfg.jar(module), jars.resolve(module));
  }

  private Map<String, String> baseEnv() {
    Map<String, String> env = new HashMap<>(System.getenv());
    PER_SERVICE.forEach(env::remove);
    env.put("DCS_TENANT_ID", cfg.tenantId);
    env.put("DCS_REGION_ID", cfg.regionId);
    env.put("DCS_CURRENCY", cfg.currency);
    env.put("DCS_KEY_DIR", cfg.keys.toString());
    env.put("DCS_KAFKA_TOPIC", cfg.topic);
    env.put(AdminSecret.ENV, adminToken); // every service accepts it as the tenant's admin
    return env;
  }

  /** A data dir of the earlier one-branch ./dcs run kept its keys in branch-1/keys: they become the shared ones. */
  private void adoptSingleBranchKeys() throws IOException {
    Path old = cfg.data.resolve("branch-1").resolve("keys");
    if (Files.isDirectory(old) && !Files.isDirectory(cfg.keys)) {
      Files.createDirectories(cfg.keys);
      try (Stream<Path> files = Files.list(old)) {
        for (Path f : files.toList()) {
          Files.copy(f, cfg.keys.resolve(f.getFileName()));
        }
      }
      log.info("Keys of the earlier one-branch run ({}) copied to {}", old, cfg.keys);
    }
  }

  private int failed(String what, ServiceProcess s) {
    log.error("{}; the end of {}:", what, s.logFile);
    try {
      List<String> lines = Files.readAllLines(s.logFile);
      lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> log.error("  | {}", l));
    } catch (IOException ignored) {
      // nothing to show
    }
    return 1;
  }

  private String awaitLeader(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && !stopping) {
      for (RunConfig.Node n : cfg.nodes) {
        String h = health(n.managementPort());
        if (h.contains("\"role\":\"LEADER\"")) {
          return n.id();
        }
      }
      Thread.sleep(300);
    }
    return null;
  }

  private void awaitUp(int managementPort, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && !stopping) {
      if (health(managementPort).startsWith("{\"status\":\"UP\"")) {
        return;
      }
      Thread.sleep(300);
    }
    log.warn("  the service with management port {} does not report UP yet: {}", managementPort,
        health(managementPort));
  }

  private String health(int managementPort) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health"))
          .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void startControl() throws IOException {
    control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), cfg.controlPort), 10);
    control.createContext("/status", ex -> answer(ex, 200, status()));
    control.createContext("/branches/", ex -> {
      String[] parts = ex.getRequestURI().getPath().split("/"); // "", "branches", id, offline|online
      if (!"POST".equals(ex.getRequestMethod()) || parts.length != 4 || !links.containsKey(parts[2])
          || !List.of("offline", "online").contains(parts[3])) {
        answer(ex, 404, "POST /branches/<" + String.join("|", links.keySet()) + ">/<offline|online>\n");
        return;
      }
      boolean offline = parts[3].equals("offline");
      links.get(parts[2]).forEach(offline ? TcpProxy::cut : TcpProxy::restore);
      log.info("{} is now {} (its links to the region are {})", parts[2], parts[3], offline ? "cut" : "restored");
      answer(ex, 200, parts[2] + " " + parts[3] + "\n");
    });
    control.start();
  }

  private String status() {
    StringBuilder sb = new StringBuilder();
    List<ServiceProcess> all = new ArrayList<>(regionNodes);
    all.add(queryService);
    all.addAll(branchAgents);
    for (ServiceProcess s : all) {
      sb.append(s.name).append(' ').append(s.isAlive() ? "running pid " + s.pid() : "not running");
      if (links.containsKey(s.name)) {
        sb.append(links.get(s.name).get(0).isCut() ? " offline" : " online");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static void answer(HttpExchange ex, int code, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("content-type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(code, b.length);
    try (var out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  private void printUrls(boolean web, String pgUrl, String kafka, Duration took) {
    StringBuilder sb = new StringBuilder();
    String nl = System.lineSeparator();
    sb.append(nl).append("CP'S Enterprise DCS is running (started in ").append(took.toSeconds()).append(" s).")
        .append(nl);
    for (RunConfig.Branch b : cfg.branches) {
      if (web) {
        sb.append(String.format("  POS %-9s (cashier %s, PIN %s)   http://localhost:%d/%n", b.id(), b.cashier(),
            b.pin(), b.grpcPort()));
      }
    }
    for (RunConfig.Branch b : cfg.branches) {
      sb.append(String.format("  %-10s local agent  gRPC/gRPC-Web/JSON localhost:%d   API page http://localhost:%d/docs"
          + "   metrics http://localhost:%d/actuator/prometheus%n", b.id(), b.grpcPort(), b.grpcPort(),
          b.managementPort()));
    }
    for (RunConfig.Node n : cfg.nodes) {
      sb.append(String.format("  region %-5s         gRPC localhost:%d (Raft %d)   API page http://localhost:%d/docs"
          + "   health http://localhost:%d/actuator/health%n", n.id(), n.grpcPort(), n.raftPort(), n.grpcPort(),
          n.managementPort()));
    }
    sb.append(String.format("  query service        QueryProtocol localhost:%d   API page http://localhost:%d/docs"
        + "   metrics http://localhost:%d/actuator/prometheus%n", cfg.queryPort, cfg.queryPort,
        cfg.queryManagementPort));
    sb.append("  PostgreSQL           ").append(pgUrl.replaceAll("password=[^&]*", "password=***")).append(nl);
    sb.append("  Kafka                ").append(kafka).append(" topic ").append(cfg.topic).append(nl);
    sb.append(String.format("  control              http://localhost:%d/status  (./dcs demo drives sales and takes a"
        + " branch offline)%n", cfg.controlPort));
    sb.append("  Staff on both branches: cashiers 1001 (PIN 1234), 1002 (PIN 2345); manager 9001 (PIN 9999)")
        .append(nl);
    sb.append("  admin token: ").append(adminToken).append(nl);
    sb.append(String.format("    (every API but the POS and health needs it: -H \"authorization: Bearer <token>\";"
        + " kept in %s)%n", cfg.data.resolve(AdminSecret.FILE)));
    sb.append("  Data: ").append(cfg.data).append("   Logs: ").append(cfg.logs).append(nl);
    sb.append("Press Ctrl-C to stop.").append(nl);
    System.out.print(sb);
    System.out.flush();
    log.debug("{}", sb);
  }

  /** The services (all at once), then the links, Kafka, PostgreSQL last. */
  void stop() {
    if (stopping) {
      return;
    }
    stopping = true;
    System.out.println();
    log.info("Stopping...");
    if (control != null) {
      control.stop(0);
    }
    // Every service at once: each stops within seconds on SIGTERM (a regional node ends any wait for PostgreSQL at
    // once), and the infrastructure they use stays up until all are gone.
    List<ServiceProcess> services = new ArrayList<>(branchAgents);
    if (queryService != null) {
      services.add(queryService);
    }
    services.addAll(regionNodes);
    stopAll(services);
    links.values().forEach(l -> l.forEach(TcpProxy::close));
    // The broker and PostgreSQL do not need each other: stopped side by side.
    Thread kafkaStop = Thread.ofPlatform().name("dcs-run-stop-kafka").start(() -> {
      if (broker != null) {
        try {
          broker.close();
        } catch (RuntimeException e) {
          log.warn("Kafka did not stop cleanly: {}", e.toString());
        }
      }
    });
    if (postgres != null) {
      try {
        postgres.stop();
      } catch (RuntimeException e) {
        log.warn("PostgreSQL did not stop cleanly: {}", e.toString());
      }
    }
    try {
      kafkaStop.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("Stopped.");
    stopped.countDown();
  }

  /** SIGTERM to all, then each is awaited until one deadline: a service still running after it is killed. */
  private static void stopAll(List<ServiceProcess> services) {
    services.forEach(ServiceProcess::beginStop);
    long deadline = System.nanoTime() + STOP_GRACE.toNanos();
    services.forEach(s -> s.awaitStopped(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))));
  }
}
