package com.cps.dcs.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Checks {@code deploy/docker-compose.yml} with the Docker Compose CLI itself ({@code docker compose config}, or
 * {@code docker-compose config} where only Compose v1 exists), with {@code deploy/.env.example} as the env file, and
 * checks the resolved configuration: the services, their health checks and start order, the region's wiring, and that
 * Prometheus and Grafana match the services. No Docker engine is needed, and none is started. Without a Compose CLI
 * the test fails: it is never skipped ({@code .ci/run} installs one).
 */
class DockerComposeConfigIT {
  /** Long-running services: each must have a health check and restart. */
  private static final Set<String> SERVERS = Set.of("postgres", "kafka", "vault", "regional-1", "regional-2",
      "regional-3", "local-agent-1", "local-agent-2", "query-service", "nginx", "prometheus", "grafana");
  /** One-shot services that prepare something and exit. */
  private static final Set<String> ONE_SHOTS = Set.of("kafka-init", "vault-init", "keys-init");
  private static final List<String> REGION = List.of("regional-1", "regional-2", "regional-3");
  private static final List<String> BRANCHES = List.of("local-agent-1", "local-agent-2");
  private static final String PEERS = "n1=regional-1:12000,n2=regional-2:12000,n3=regional-3:12000";

  private static Path root;
  private static Path deploy;
  private static List<String> compose;
  private static Map<String, Object> config;
  private static Map<String, Map<String, Object>> services;

  @BeforeAll
  static void resolveTheConfiguration() throws Exception {
    root = repositoryRoot();
    deploy = root.resolve("deploy");
    compose = composeCli();
    Result quiet = run(composeArgs("config", "-q"));
    assertEquals(0, quiet.exit, () -> String.join(" ", quiet.command) + " failed:\n" + quiet.stderr + quiet.stdout);
    Result full = run(composeArgs("config"));
    assertEquals(0, full.exit, () -> String.join(" ", full.command) + " failed:\n" + full.stderr);
    config = yaml(full.stdout);
    services = new LinkedHashMap<>();
    map(config.get("services"), "services").forEach((k, v) -> services.put(k, map(v, k)));
  }

  @Test
  void composeValidatesWithEveryVariableSet() throws Exception {
    Result r = run(composeArgs("config", "-q"));
    assertEquals(0, r.exit, r.stderr);
    // v1: "The X variable is not set. Defaulting to a blank string."; v2: 'The "X" variable is not set. ...'
    assertFalse(r.stderr.contains("is not set"), () -> "a variable is missing from deploy/.env.example:\n" + r.stderr);
  }

  @Test
  void envExampleDefinesExactlyTheVariablesTheComposeFileUses() throws IOException {
    Set<String> used = new TreeSet<>();
    Matcher m = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)").matcher(withoutComments(deploy.resolve(
        "docker-compose.yml")));
    while (m.find()) {
      used.add(m.group(1));
    }
    Set<String> defined = new TreeSet<>();
    for (String line : Files.readAllLines(deploy.resolve(".env.example"))) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("#")) {
        assertTrue(l.contains("="), () -> "not KEY=value in .env.example: " + line);
        defined.add(l.substring(0, l.indexOf('=')).strip());
      }
    }
    assertFalse(used.isEmpty());
    assertEquals(used, defined, "variables of docker-compose.yml vs. definitions in .env.example");
  }

  @Test
  void everyServiceIsThereWithHealthChecksAndRestarts() {
    Set<String> expected = new TreeSet<>(SERVERS);
    expected.addAll(ONE_SHOTS);
    assertEquals(expected, new TreeSet<>(services.keySet()));
    for (String name : SERVERS) {
      Map<String, Object> s = services.get(name);
      Map<String, Object> health = map(s.get("healthcheck"), name + ".healthcheck");
      List<?> test = list(health.get("test"), name + ".healthcheck.test");
      assertTrue(test.size() >= 2 && test.get(0).equals("CMD-SHELL"), name + ": health check " + test);
      assertEquals("unless-stopped", s.get("restart"), name + ".restart");
    }
    for (String name : ONE_SHOTS) {
      assertEquals("no", String.valueOf(services.get(name).get("restart")), name + " runs once");
    }
  }

  @Test
  void dcsServicesAreBuiltHereAndCheckedOnTheirManagementPort() {
    Map<String, String> builds = Map.of("regional-1", "regional-agent", "regional-2", "regional-agent",
        "regional-3", "regional-agent", "local-agent-1", "local-agent", "local-agent-2", "local-agent",
        "query-service", "query-service");
    builds.forEach((name, module) -> {
      Map<String, Object> s = services.get(name);
      Map<String, Object> build = map(s.get("build"), name + ".build");
      Path context = root.resolve(String.valueOf(build.get("context"))).normalize();
      assertEquals(root.normalize(), context, name + ": build context is the repository root");
      Path dockerfile = context.resolve(String.valueOf(build.get("dockerfile")));
      assertTrue(Files.isRegularFile(dockerfile), name + ": " + dockerfile);
      assertEquals(module, map(build.get("args"), name + ".build.args").get("SERVICE"), name + " SERVICE");
      assertTrue(Files.isRegularFile(root.resolve(module).resolve("pom.xml")), module + " is a module");
      String port = env(name).get("DCS_MANAGEMENT_PORT");
      assertNotNull(port, name + " sets DCS_MANAGEMENT_PORT");
      String test = String.join(" ", strings(map(s.get("healthcheck"), name).get("test")));
      assertTrue(test.contains("http://localhost:" + port + "/actuator/health"), name + ": " + test);
    });
    String dockerfile = read(deploy.resolve("docker/java-service.Dockerfile"));
    assertTrue(dockerfile.contains("FROM eclipse-temurin:21-jdk AS build") && dockerfile.contains("./mvnw -B"),
        "multi-stage build with the Maven wrapper");
    for (String module : List.of("local-agent", "regional-agent", "query-service")) {
      assertTrue(dockerfile.contains("-Djarmode=tools -jar " + module + "/target/" + module + ".jar extract"
          + " --destination /out/" + module), "Dockerfile extracts " + module);
    }
  }

  @Test
  void theRegionIsThreeRaftNodesOnPostgresAndKafka() {
    Set<String> ids = new TreeSet<>();
    for (String name : REGION) {
      Map<String, String> e = env(name);
      ids.add(e.get("DCS_NODE_ID"));
      assertEquals(PEERS, e.get("DCS_RAFT_PEERS"), name);
      assertTrue(PEERS.contains(e.get("DCS_NODE_ID") + "=" + name + ":12000"), name + " is its own peer entry");
      assertEquals("50052", e.get("DCS_GRPC_PORT"), name);
      assertEquals("9052", e.get("DCS_MANAGEMENT_PORT"), name);
      assertEquals("dcs_app", e.get("DCS_PG_APP_USER"), name);
      assertFalse(e.getOrDefault("DCS_PG_APP_PASSWORD", "").isBlank(), name + " app password");
      assertTrue(e.get("DCS_PG_URL").matches("jdbc:postgresql://postgres:5432/\\w+\\?user=\\w+&password=.+"),
          name + ": " + e.get("DCS_PG_URL"));
      assertEquals("kafka:9092", e.get("KAFKA_BOOTSTRAP_SERVERS"), name);
      assertEquals("dcs.events.v4", e.get("DCS_KAFKA_TOPIC"), name);
      assertEquals("/var/lib/dcs", e.get("DCS_DATA_DIR"), name);
      assertEquals("/var/lib/dcs-keys", e.get("DCS_KEY_DIR"), name);
      assertTrue(mounts(name).contains("dcs-keys:/var/lib/dcs-keys"), name + " mounts the shared key volume");
      assertTrue(mounts(name).stream().anyMatch(v -> v.endsWith(":/var/lib/dcs") && v.startsWith(name)),
          name + " has its own data volume: " + mounts(name));
      assertCondition(name, "postgres", "service_healthy");
      assertCondition(name, "kafka-init", "service_completed_successfully");
      assertCondition(name, "keys-init", "service_completed_successfully");
    }
    assertEquals(Set.of("n1", "n2", "n3"), ids);
    assertEquals(1, REGION.stream().map(n -> env(n).get("DCS_TENANT_ID")).distinct().count(), "one tenant");
    assertEquals(1, REGION.stream().map(n -> env(n).get("DCS_REGION_ID")).distinct().count(), "one region");
    assertEquals("dcs.events.v4", env("query-service").get("DCS_KAFKA_TOPIC"));
    assertEquals(env("regional-1").get("DCS_TENANT_ID"), env("query-service").get("DCS_TENANT_ID"),
        "the query service reads the region's tenant");
    assertTrue(strings(services.get("kafka-init").get("command")).contains("dcs.events.v4"), "topic created");
    assertFalse(services.containsKey("zookeeper"), "Kafka runs in KRaft mode");
    assertTrue(env("kafka").get("KAFKA_PROCESS_ROLES").contains("controller"), "KRaft controller");
    assertTrue(String.valueOf(services.get("postgres").get("image")).startsWith("postgres:16"), "PostgreSQL 16");
    assertCondition("query-service", "postgres", "service_healthy");
    assertCondition("query-service", "regional-1", "service_healthy");
  }

  @Test
  void branchesSyncToEveryRegionalNode() {
    Set<String> branchIds = new TreeSet<>();
    for (String name : BRANCHES) {
      Map<String, String> e = env(name);
      branchIds.add(e.get("DCS_BRANCH_ID"));
      assertEquals(Set.of("regional-1:50052", "regional-2:50052", "regional-3:50052"),
          Set.of(e.get("DCS_REGIONAL_ADDRESS").split(",")), name);
      assertEquals(env("regional-1").get("DCS_TENANT_ID"), e.get("DCS_TENANT_ID"), name + ": the region's tenant");
      assertEquals("/var/lib/dcs-keys", e.get("DCS_KEY_DIR"), name);
      assertTrue(mounts(name).contains("dcs-keys:/var/lib/dcs-keys"), name + " shares the region's MAC key/KEK");
      for (String node : REGION) {
        assertCondition(name, node, "service_healthy");
      }
    }
    assertEquals(2, branchIds.size(), "two distinct branches: " + branchIds);
    assertTrue(mounts("keys-init").contains("dcs-keys:/var/lib/dcs-keys"), "keys-init writes the shared volume");
    for (String name : BRANCHES) {
      assertCondition("nginx", name, "service_healthy");
    }
    String nginx = read(deploy.resolve("nginx/default.conf"));
    for (String name : BRANCHES) {
      assertTrue(nginx.contains("server " + name + ":50051;"), "nginx passes gRPC-Web to " + name);
    }
    assertTrue(nginx.contains("proxy_http_version 1.1;") && nginx.contains("proxy_buffering off;"));
  }

  @Test
  void prometheusScrapesEveryServiceOnItsManagementPort() {
    Set<String> expected = new TreeSet<>();
    services.forEach((name, s) -> {
      String port = env(name).get("DCS_MANAGEMENT_PORT");
      if (port != null) {
        expected.add(name + ":" + port);
      }
    });
    Set<String> scraped = new TreeSet<>();
    Map<String, Object> prom = yaml(read(deploy.resolve("prometheus/prometheus.yml")));
    for (Object job : list(prom.get("scrape_configs"), "scrape_configs")) {
      Map<String, Object> j = map(job, "job");
      if ("/actuator/prometheus".equals(j.get("metrics_path"))) {
        for (Object sc : list(j.get("static_configs"), "static_configs")) {
          scraped.addAll(strings(map(sc, "static_config").get("targets")));
        }
      }
    }
    assertEquals(6, expected.size(), "three nodes, two branches, the query service: " + expected);
    assertEquals(expected, scraped);
    assertTrue(mounts("prometheus").stream().anyMatch(v -> v.endsWith("/etc/prometheus/prometheus.yml:ro")));
  }

  @Test
  void grafanaHasTheDatasourceAndTheDcsDashboard() {
    Map<String, Object> ds = map(list(yaml(read(deploy.resolve(
        "grafana/provisioning/datasources/prometheus.yml"))).get("datasources"), "datasources").get(0), "ds");
    assertEquals("http://prometheus:9090", ds.get("url"));
    Map<String, Object> dashboard = yaml(read(deploy.resolve("grafana/dashboards/dcs.json")));
    List<String> exprs = new ArrayList<>();
    for (Object p : list(dashboard.get("panels"), "panels")) {
      Map<String, Object> panel = map(p, "panel");
      if (panel.containsKey("targets")) {
        assertEquals(ds.get("uid"), map(panel.get("datasource"), "datasource").get("uid"), "panel datasource");
        for (Object t : list(panel.get("targets"), "targets")) {
          exprs.add(String.valueOf(map(t, "target").get("expr")));
        }
      }
    }
    String all = String.join("\n", exprs);
    for (String metric : List.of("dcs_region_events_ingested_total", "dcs_raft_leader", "dcs_raft_term",
        "dcs_raft_commit_index", "dcs_raft_applied_index", "dcs_outbox_lag", "dcs_query_projection_lag_events",
        "dcs_query_projection_lag_seconds", "dcs_sync_pending", "dcs_rpc_requests_total{result=\"failure\"}")) {
      assertTrue(all.contains(metric), "the dashboard shows " + metric);
    }
    Set<String> grafanaMounts = mounts("grafana");
    assertTrue(grafanaMounts.stream().anyMatch(v -> v.endsWith("/etc/grafana/provisioning:ro")), grafanaMounts::toString);
    assertTrue(grafanaMounts.stream().anyMatch(v -> v.endsWith("/var/lib/grafana/dashboards:ro")), grafanaMounts::toString);
    List<String> ports = new ArrayList<>();
    for (Object p : list(services.get("grafana").get("ports"), "grafana.ports")) {
      ports.add(p instanceof Map<?, ?> m ? m.get("published") + ":" + m.get("target") : String.valueOf(p));
    }
    assertTrue(ports.stream().anyMatch(p -> p.startsWith("3002:") || p.contains(":3002:")), "Grafana on 3002: " + ports);
    assertCondition("grafana", "prometheus", "service_healthy");
  }

  @Test
  void everyBindMountedFileOfTheRepositoryExists() {
    int checked = 0;
    for (Map.Entry<String, Map<String, Object>> s : services.entrySet()) {
      for (String v : mounts(s.getKey())) {
        String source = v.substring(0, v.indexOf(':'));
        if (source.startsWith("/")) {
          assertTrue(Files.exists(Path.of(source)), s.getKey() + ": " + source);
          assertTrue(Path.of(source).startsWith(deploy), s.getKey() + " mounts only files of deploy/: " + source);
          checked++;
        }
      }
    }
    assertTrue(checked >= 8, "bind mounts checked: " + checked);
  }

  // ------------------------------------------------------------------------------------------------------------ util

  private static void assertCondition(String service, String dependency, String condition) {
    Object deps = services.get(service).get("depends_on");
    Map<String, Object> d = map(deps, service + ".depends_on");
    assertTrue(d.containsKey(dependency), service + " depends on " + dependency + ": " + d.keySet());
    assertEquals(condition, map(d.get(dependency), dependency).get("condition"), service + " -> " + dependency);
  }

  private static Map<String, String> env(String service) {
    Object e = services.get(service).get("environment");
    Map<String, String> out = new LinkedHashMap<>();
    if (e instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
    } else if (e instanceof List<?> l) {
      for (Object o : l) {
        String kv = String.valueOf(o);
        int i = kv.indexOf('=');
        out.put(i < 0 ? kv : kv.substring(0, i), i < 0 ? "" : kv.substring(i + 1));
      }
    }
    return out;
  }

  /** Volumes as "source:target[:mode]", from the short or the long syntax (v1 and v2 print them differently). */
  private static Set<String> mounts(String service) {
    Set<String> out = new TreeSet<>();
    Object v = services.get(service).get("volumes");
    if (v == null) {
      return out;
    }
    for (Object o : list(v, service + ".volumes")) {
      if (o instanceof Map<?, ?> m) {
        boolean ro = Boolean.TRUE.equals(m.get("read_only"));
        out.add(m.get("source") + ":" + m.get("target") + (ro ? ":ro" : ""));
      } else {
        String s = String.valueOf(o);
        out.add(s.endsWith(":rw") ? s.substring(0, s.length() - 3) : s);
      }
    }
    return out;
  }

  private static List<String> composeArgs(String... args) {
    List<String> cmd = new ArrayList<>(compose);
    cmd.addAll(List.of("--env-file", deploy.resolve(".env.example").toString(),
        "-f", deploy.resolve("docker-compose.yml").toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** {@code docker compose} (v2) when it works, else {@code docker-compose} (v1); no CLI is a failure. */
  private static List<String> composeCli() throws InterruptedException {
    for (List<String> candidate : List.of(List.of("docker", "compose"), List.of("docker-compose"))) {
      List<String> cmd = new ArrayList<>(candidate);
      cmd.add("version");
      try {
        if (run(cmd).exit == 0) {
          return candidate;
        }
      } catch (IOException notInstalled) {
        // try the next one
      }
    }
    return fail("No Docker Compose CLI: neither `docker compose` (v2 plugin) nor `docker-compose` (v1) runs here. "
        + "Install one (Debian: apt-get install docker-compose; .ci/run does it) to check deploy/docker-compose.yml.");
  }

  private record Result(List<String> command, int exit, String stdout, String stderr) {}

  private static Result run(List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("compose", ".out");
    Path err = Files.createTempFile("compose", ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).directory(root == null ? null : root.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().remove("COMPOSE_FILE");
      pb.environment().remove("COMPOSE_PROJECT_NAME");
      Process p = pb.start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) { // a hang guard, not a performance assertion
        p.destroyForcibly().waitFor();
        fail(String.join(" ", command) + " did not finish");
      }
      return new Result(command, p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static Path repositoryRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isRegularFile(p.resolve("deploy/docker-compose.yml"))) {
      p = p.getParent();
    }
    assertNotNull(p, "deploy/docker-compose.yml not found above " + Path.of("").toAbsolutePath());
    return p;
  }

  private static String withoutComments(Path file) throws IOException {
    return Files.readAllLines(file).stream().filter(l -> !l.strip().startsWith("#")).collect(Collectors.joining("\n"));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  private static Map<String, Object> yaml(String text) {
    Object o = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    return map(o, "document");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o, String what) {
    assertTrue(o instanceof Map<?, ?>, what + " is a mapping, got " + o);
    return (Map<String, Object>) o;
  }

  private static List<?> list(Object o, String what) {
    assertTrue(o instanceof List<?>, what + " is a list, got " + o);
    return (List<?>) o;
  }

  private static List<String> strings(Object o) {
    if (o instanceof Collection<?> c) {
      return c.stream().map(String::valueOf).toList();
    }
    return o == null ? List.of() : List.of(String.valueOf(o));
  }
}
