package com.cps.dcs.suite;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.proto.pos.v1.CartLine;
import com.cps.dcs.proto.pos.v1.CheckoutRequest;
import com.cps.dcs.proto.pos.v1.ListCatalogRequest;
import com.cps.dcs.proto.pos.v1.OpenTillRequest;
import com.cps.dcs.proto.pos.v1.PosServiceGrpc;
import com.cps.dcs.proto.pos.v1.Product;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.SignInRequest;
import com.cps.dcs.proto.pos.v1.Tender;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.BranchQuery;
import com.cps.dcs.proto.v4.BranchSummary;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.GetEventsRangeRequest;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.testsupport.FreePorts;
import com.cps.dcs.testsupport.Postgres;
import com.cps.dcs.testsupport.TestCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's run command, as a user runs it: {@code ./dcs run} in a child process on a fresh data dir and free
 * ports. It waits for the suite to say it runs and for every service's health, sells through branch-1's POS API
 * (SignIn, OpenTill, Checkout over real gRPC), sees the sale in the region's PostgreSQL ({@code event_store}) and in
 * the query service ({@code GetBranchSummary}), lists what the suite quarantined ({@code ./dcs quarantine}), then
 * stops the command with SIGINT (Ctrl-C), within 10 s, and checks that every process it
 * started (the service JVMs, the embedded PostgreSQL and its workers) is gone and every port is free again.
 */
class RunCommandIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private Process dcs;
  private final List<ProcessHandle> started = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private String adminToken;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @AfterEach
  void cleanUp() {
    channels.forEach(ManagedChannel::shutdownNow);
    if (dcs != null && dcs.isAlive()) {
      dcs.descendants().forEach(ProcessHandle::destroyForcibly);
      dcs.destroyForcibly();
    }
    started.forEach(ProcessHandle::destroyForcibly);
  }

  @Test
  void theRunCommandStartsTheSuiteASaleReachesPostgresAndTheQueryServiceAndCtrlCStopsEverything() throws Exception {
    for (String jar : List.of("suite/target/suite.jar", "local-agent/target/local-agent.jar",
        "regional-agent/target/regional-agent.jar", "query-service/target/query-service.jar")) {
      assertThat(ROOT.resolve(jar)).as("built before this test (./mvnw install)").isRegularFile();
    }
    // Under target/, and kept when the test fails, so the services' logs can be read.
    Path data = Path.of("target", "it-data", "run-command-" + System.currentTimeMillis()).toAbsolutePath();
    Files.createDirectories(data);
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (String key : List.of("DCS_BRANCH_1_PORT", "DCS_BRANCH_1_MANAGEMENT_PORT", "DCS_BRANCH_2_PORT",
        "DCS_BRANCH_2_MANAGEMENT_PORT", "DCS_REGION_N1_PORT", "DCS_REGION_N1_MANAGEMENT_PORT", "DCS_REGION_N1_RAFT_PORT",
        "DCS_REGION_N2_PORT", "DCS_REGION_N2_MANAGEMENT_PORT", "DCS_REGION_N2_RAFT_PORT", "DCS_REGION_N3_PORT",
        "DCS_REGION_N3_MANAGEMENT_PORT", "DCS_REGION_N3_RAFT_PORT", "DCS_QUERY_PORT", "DCS_QUERY_MANAGEMENT_PORT",
        "DCS_RUN_CONTROL_PORT", "DCS_RUN_PG_PORT", "DCS_RUN_KAFKA_PORT", "DCS_RUN_KAFKA_CONTROLLER_PORT")) {
      ports.put(key, FreePorts.allocate());
    }
    Map<String, String> env = new HashMap<>(System.getenv());
    env.keySet().removeIf(k -> k.startsWith("DCS_") || k.equals("VAULT_ADDR"));
    ports.forEach((k, v) -> env.put(k, String.valueOf(v)));
    env.put("DCS_RUN_DATA", data.toString());
    env.put("DCS_NO_BUILD", "1");
    env.put("DCS_SYNC_INTERVAL", "1");
    String pgUrl;
    if (System.getenv("DCS_PG_URL") != null && !System.getenv("DCS_PG_URL").isBlank()) {
      pgUrl = Postgres.shared().createDatabase("run_command"); // the given server, a fresh database
      env.put("DCS_PG_URL", pgUrl);
      ports.remove("DCS_RUN_PG_PORT");
    } else {
      pgUrl = "jdbc:postgresql://localhost:" + ports.get("DCS_RUN_PG_PORT") + "/dcs?user=postgres"; // embedded
    }
    if (env.containsKey("KAFKA_BOOTSTRAP_SERVERS")) {
      env.put("DCS_KAFKA_TOPIC", "dcs.events.run." + UUID.randomUUID().toString().substring(0, 8));
      env.put("DCS_QUERY_GROUP_ID", "run-command-" + UUID.randomUUID());
      ports.remove("DCS_RUN_KAFKA_PORT");
      ports.remove("DCS_RUN_KAFKA_CONTROLLER_PORT");
    }
    Path console = data.resolve("console.txt");
    // SIGINT as a terminal leaves it: a build started in the background of a shell runs with SIGINT ignored, and an
    // ignored SIGINT is inherited (the JVM then installs no handler for it), so Ctrl-C below would not reach it.
    ProcessBuilder pb = new ProcessBuilder("env", "--default-signal=INT", "bash", ROOT.resolve("dcs").toString(),
        "run").directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(console.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    dcs = pb.start();

    // About a minute on a quiet two-core machine; much longer when other builds share the cores.
    await(() -> "the suite says it runs; console:\n" + read(console), Duration.ofSeconds(300), () -> {
      assertThat(dcs.isAlive()).as("./dcs run is alive; console:%n%s", read(console)).isTrue();
      return read(console).contains("is running");
    });
    String out = read(console);
    // The run made its admin secret, kept it in its data folder and printed it: the test's calls carry it.
    adminToken = Files.readString(data.resolve("admin-token")).strip();
    assertThat(out).contains("admin token: " + adminToken);
    int b1 = ports.get("DCS_BRANCH_1_PORT");
    assertThat(out).contains("http://localhost:" + b1 + "/docs", "localhost:" + ports.get("DCS_QUERY_PORT"),
        "/actuator/prometheus", "Press Ctrl-C to stop.");
    for (String key : List.of("DCS_BRANCH_1_MANAGEMENT_PORT", "DCS_BRANCH_2_MANAGEMENT_PORT",
        "DCS_REGION_N1_MANAGEMENT_PORT", "DCS_REGION_N2_MANAGEMENT_PORT", "DCS_REGION_N3_MANAGEMENT_PORT",
        "DCS_QUERY_MANAGEMENT_PORT")) {
      await(key + " health UP", Duration.ofSeconds(60), () -> health(ports.get(key)).startsWith("{\"status\":\"UP\""));
    }
    if (Files.isRegularFile(ROOT.resolve("pos-web/dist/index.html"))) {
      for (String key : List.of("DCS_BRANCH_1_PORT", "DCS_BRANCH_2_PORT")) {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(key)
            + "/")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).as("the POS app at %s", key).isEqualTo(200);
        assertThat(page.body()).contains("<title>DCS Point of Sale</title>");
      }
    }
    for (String log : List.of("launcher.log", "branch-1.log", "branch-2.log", "regional-n1.log", "regional-n2.log",
        "regional-n3.log", "query-service.log")) {
      assertThat(data.resolve("logs").resolve(log)).isNotEmptyFile();
    }
    started.addAll(dcs.descendants().toList());
    assertThat(started.stream().filter(h -> h.info().command().orElse("").endsWith("java")).count())
        .as("six service JVMs").isEqualTo(6);
    if (!env.containsKey("DCS_PG_URL")) {
      // pg_ctl starts the postmaster detached (its parent is init), so it is found by its pid file in the data dir.
      long pid = Long.parseLong(Files.readAllLines(data.resolve("postgres").resolve("postmaster.pid")).get(0).strip());
      ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
      assertThat(postmaster.info().command().orElse("")).as("the embedded PostgreSQL").endsWith("postgres");
      started.add(postmaster);
      started.addAll(postmaster.descendants().toList());
    }

    // A sale at branch-1's till, as the POS app makes it.
    PosServiceGrpc.PosServiceBlockingStub pos = PosServiceGrpc.newBlockingStub(channel(b1));
    String token = pos.withDeadlineAfter(30, TimeUnit.SECONDS).signIn(SignInRequest.newBuilder().setCashierId("1001")
        .setPin("1234").setTillId("till-1").build()).getSessionToken();
    pos.withDeadlineAfter(30, TimeUnit.SECONDS).openTill(OpenTillRequest.newBuilder().setSessionToken(token)
        .setTillId("till-1").setOpeningCashMinor(10_000).build());
    Product p = pos.withDeadlineAfter(30, TimeUnit.SECONDS).listCatalog(ListCatalogRequest.newBuilder()
        .setSessionToken(token).build()).getProductsList().stream().filter(x -> x.getStockAvailable() >= 2)
        .findFirst().orElseThrow();
    long handed = ((p.getPriceMinor() * 2 + 999) / 1000) * 1000;
    Receipt receipt = pos.withDeadlineAfter(60, TimeUnit.SECONDS).checkout(CheckoutRequest.newBuilder()
        .setSessionToken(token).setCheckoutId("run-command-it-1")
        .addLines(CartLine.newBuilder().setProductId(p.getProductId()).setQuantity(2))
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH).setAmountMinor(handed)).build());
    assertThat(receipt.getTotalMinor()).isEqualTo(p.getPriceMinor() * 2);
    assertThat(receipt.getChangeMinor()).isEqualTo(handed - receipt.getTotalMinor());

    List<SovereignFinancialEvent> sales = AccountingSwarmProtocolGrpc.newBlockingStub(channel(b1))
        .withDeadlineAfter(30, TimeUnit.SECONDS).getEventsByRange(GetEventsRangeRequest.newBuilder()
            .addTypeFilter(EventType.SALE_COMPLETED).setLimit(100).build()).getEventsList();
    assertThat(sales).hasSize(1);
    String saleEventId = sales.get(0).getEventId();

    // The branch syncs it to the region, which commits it to PostgreSQL...
    await("the sale in the region's event_store", Duration.ofSeconds(60), () -> {
      try (Connection c = DriverManager.getConnection(pgUrl);
          PreparedStatement ps = c.prepareStatement("SELECT branch_id, amount_minor FROM event_store"
              + " WHERE event_id = ?")) {
        ps.setString(1, saleEventId);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return false;
          }
          assertThat(rs.getString(1)).isEqualTo("branch-1");
          assertThat(rs.getLong(2)).isEqualTo(receipt.getTotalMinor());
          assertThat(rs.next()).as("stored once").isFalse();
          return true;
        }
      } catch (java.sql.SQLException e) {
        return false; // the database or the table may not exist yet
      }
    });
    // ...and relays it through Kafka to the query service's read models.
    QueryProtocolGrpc.QueryProtocolBlockingStub query = QueryProtocolGrpc.newBlockingStub(
        channel(ports.get("DCS_QUERY_PORT")));
    await("the sale in the query service", Duration.ofSeconds(60), () -> {
      try {
        BranchSummary s = query.withDeadlineAfter(10, TimeUnit.SECONDS)
            .getBranchSummary(BranchQuery.newBuilder().setBranchId("branch-1").build());
        return s.getTodayTransactions() == 1 && s.getTodaySalesMinor() == receipt.getTotalMinor();
      } catch (StatusRuntimeException e) {
        return false; // NOT_FOUND until the first event of the branch is projected
      }
    });

    // ./dcs quarantine asks the running region and query service what they set aside: nothing, here.
    ProcessBuilder qb = new ProcessBuilder("bash", ROOT.resolve("dcs").toString(), "quarantine")
        .directory(ROOT.toFile()).redirectErrorStream(true);
    qb.environment().clear();
    qb.environment().putAll(env);
    Process quarantine = qb.start();
    String listed = new String(quarantine.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(quarantine.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(quarantine.exitValue()).as("./dcs quarantine: %s", listed).isZero();
    assertThat(listed).contains("Quarantined by the region (node n1): 0 event(s)",
        "Dead letters of the query service: 0 record(s)");

    // Ctrl-C (SIGINT to the launcher, as a terminal sends it): every service stops within 10 s, nothing stays behind.
    channels.forEach(ManagedChannel::shutdownNow);
    started.addAll(dcs.descendants().toList());
    long stopAsked = System.nanoTime();
    assertThat(new ProcessBuilder("kill", "-INT", Long.toString(dcs.pid())).start().waitFor()).isZero();
    assertThat(dcs.waitFor(60, TimeUnit.SECONDS)).as("./dcs run stopped; console:%n%s", read(console)).isTrue();
    assertThat(read(console)).contains("Stopped.").doesNotContain("did not stop within");
    await("every process it started gone", Duration.ofSeconds(10),
        () -> started.stream().noneMatch(ProcessHandle::isAlive));
    long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopAsked);
    System.out.printf("./dcs run stopped everything %d ms after Ctrl-C%n", stopMs);
    assertThat(stopMs).as("every service stopped within 10 s of Ctrl-C; console:%n%s", read(console))
        .isLessThanOrEqualTo(10_000);
    ports.forEach((key, port) -> assertThat(isFree(port)).as("%s %d free again", key, port).isTrue());
    deleteRecursively(data); // kept only when the test fails
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private ManagedChannel channel(int port) {
    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
        .intercept(TestCredentials.bearer(adminToken)).build();
    channels.add(ch);
    return ch;
  }

  private String health(int port) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
          .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void await(String what, Duration timeout, Supplier<Boolean> condition) throws InterruptedException {
    await(() -> what, timeout, condition);
  }

  private static void await(Supplier<String> what, Duration timeout, Supplier<Boolean> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.get()) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("not within " + timeout + ": " + what.get());
  }
}
