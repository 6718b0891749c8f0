package com.cps.dcs.testsupport;

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
import com.cps.dcs.proto.pos.v1.UpsertProductRequest;
import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.EventBatch;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.GetEventsRangeRequest;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real branch for multi-process tests and load generators: the packaged local agent ({@code local-agent.jar}) in
 * its own JVM with its own SQLite file, syncing to a region through one {@link TcpProxy} per regional node, so a
 * test can cut, stall or break the branch's link. The data folder and the proxies outlive a kill and restart.
 * Sales go in as a client submits them ({@code BroadcastFinancialEvent}, each naming the previous sale as its causal
 * parent) or through the cashier's POS commands (with the sample catalogue: stock, prices, tills, CRDTs).
 */
public final class BranchAgent implements AutoCloseable {
  public final String branchId;
  public final String agentId;
  public final int grpcPort;
  public final int managementPort;
  private final Path jar;
  private final Path dataDir;
  private final Path keyDir;
  private final Path logDir;
  private final String tenantId;
  private final List<TcpProxy> links = new ArrayList<>();
  private final Map<String, String> extraEnv = new LinkedHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  /** Heap, collector and compiler: quick to start and small for tests (C1 only); see {@link #jvmOptions(List)}. */
  private List<String> jvmOptions = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  private ChildJvm jvm;
  private ManagedChannel channel;
  private String cashierToken;
  private String managerToken;
  private String lastSaleId = "";
  private long sold;

  /**
   * @param regionalAddresses the regional nodes' gRPC {@code host:port}s; the branch reaches each through a proxy
   * @param syncIntervalSeconds DCS_SYNC_INTERVAL
   */
  public BranchAgent(Path jar, String branchId, String tenantId, Path dataDir, Path keyDir, Path logDir,
      List<String> regionalAddresses, int syncIntervalSeconds) {
    this.jar = jar;
    this.branchId = branchId;
    this.agentId = "agent-" + branchId;
    this.tenantId = tenantId;
    this.dataDir = dataDir;
    this.keyDir = keyDir;
    this.logDir = logDir;
    int[] ports = FreePorts.allocate(2);
    this.grpcPort = ports[0];
    this.managementPort = ports[1];
    for (String a : regionalAddresses) {
      int colon = a.lastIndexOf(':');
      links.add(new TcpProxy(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))));
    }
    extraEnv.put("DCS_SYNC_INTERVAL", String.valueOf(syncIntervalSeconds));
    extraEnv.put("DCS_SAMPLE_DATA", "true");
  }

  /**
   * The agent's JVM options from the next start on, replacing the test ones (a benchmark passes a heap size only:
   * the JVM's own collector and both compiler tiers, as a deployment runs it).
   */
  public BranchAgent jvmOptions(List<String> options) {
    this.jvmOptions = List.copyOf(options);
    return this;
  }

  /** Another environment variable for the agent (from the next start on). */
  public BranchAgent env(String key, String value) {
    extraEnv.put(key, value);
    return this;
  }

  public void start() {
    ChildJvm.Builder b = ChildJvm.builder().jar(jar).tuning(jvmOptions)
        .env("DCS_BRANCH_ID", branchId).env("DCS_AGENT_ID", agentId).env("DCS_TENANT_ID", tenantId)
        .env("DCS_DATA_DIR", dataDir.toString()).env("DCS_KEY_DIR", keyDir.toString())
        .env("DCS_GRPC_PORT", String.valueOf(grpcPort)).env("DCS_MANAGEMENT_PORT", String.valueOf(managementPort))
        .env("DCS_REGIONAL_ADDRESS", String.join(",", links.stream().map(TcpProxy::address).toList()))
        .logTo(logDir.resolve(branchId + "-" + System.currentTimeMillis() + ".log"));
    extraEnv.forEach(b::env);
    jvm = b.start();
    jvm.awaitLogLine("serving gRPC", Duration.ofSeconds(120));
    cashierToken = null;
    managerToken = null;
  }

  public boolean isRunning() {
    return jvm != null && jvm.isAlive();
  }

  /** SIGKILL: no shutdown hook, no flush. */
  public void killHard() {
    closeChannel();
    if (jvm != null) {
      jvm.killHard();
    }
  }

  /** The proxies between this branch and each regional node. */
  public List<TcpProxy> links() {
    return links;
  }

  /** The branch loses its network: every link to the region is reset and stays down. */
  public void disconnect() {
    links.forEach(TcpProxy::cut);
  }

  /** Links hang: connections stay open, no byte moves. */
  public void stallLinks() {
    links.forEach(TcpProxy::stall);
  }

  /** The network is back. */
  public void reconnect() {
    links.forEach(TcpProxy::restore);
  }

  private synchronized void closeChannel() {
    if (channel != null) {
      channel.shutdownNow();
      channel = null;
    }
  }

  private synchronized ManagedChannel channel() {
    if (channel == null) {
      channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext()
          .intercept(TestCredentials.admin()).build();
    }
    return channel;
  }

  public AccountingSwarmProtocolGrpc.AccountingSwarmProtocolBlockingStub api() {
    return AccountingSwarmProtocolGrpc.newBlockingStub(channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  public PosServiceGrpc.PosServiceBlockingStub pos() {
    return PosServiceGrpc.newBlockingStub(channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /**
   * One sale as a client submits it; the agent assigns id, clock and stream position, seals and signs it. Its causal
   * parent is the previous sale made through this object. {@code key} makes the call idempotent (a retry with the
   * same key is the same sale).
   */
  public AckResponse sell(long amountMinor, String key) {
    CausalContext.Builder causal = CausalContext.newBuilder();
    if (!lastSaleId.isEmpty()) {
      causal.addParentEventIds(lastSaleId);
    }
    AckResponse a = api().broadcastFinancialEvent(SovereignFinancialEvent.newBuilder()
        .setType(EventType.SALE_COMPLETED).setAmountMinor(amountMinor).setAmount(amountMinor / 100.0)
        .setCurrency("EUR").setCreatedBy("cashier-1001").setCausalContext(causal).setIdempotencyKey(key).build());
    if (a.getSuccess()) {
      lastSaleId = a.getEventId();
      sold++;
    }
    return a;
  }

  public AckResponse sell(long amountMinor) {
    return sell(amountMinor, branchId + "-sale-" + System.nanoTime() + "-" + sold);
  }

  private String cashier() {
    if (cashierToken == null) {
      cashierToken = pos().signIn(SignInRequest.newBuilder().setCashierId("1001").setPin("1234")
          .setTillId("till-1").build()).getSessionToken();
      try {
        pos().openTill(OpenTillRequest.newBuilder().setSessionToken(cashierToken).setOpeningCashMinor(10_000)
            .build());
      } catch (StatusRuntimeException e) {
        // the till is already open (a restarted agent keeps its tills)
      }
    }
    return cashierToken;
  }

  private String manager() {
    if (managerToken == null) {
      managerToken = pos().signIn(SignInRequest.newBuilder().setCashierId("9001").setPin("9999").build())
          .getSessionToken();
    }
    return managerToken;
  }

  /** A cashier's checkout of {@code quantity} of a product from the sample catalogue, paid in cash (idempotent). */
  public Receipt checkout(String checkoutId, String productId, int quantity) {
    return pos().checkout(CheckoutRequest.newBuilder().setSessionToken(cashier()).setCheckoutId(checkoutId)
        .addLines(CartLine.newBuilder().setProductId(productId).setQuantity(quantity))
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH).setAmountMinor(1_000_000)).build());
  }

  /** The product as the branch's POS shows it (price, stock). */
  public Product product(String productId) {
    return pos().listCatalog(ListCatalogRequest.newBuilder().setSessionToken(cashier()).build()).getProductsList()
        .stream().filter(p -> p.getProductId().equals(productId)).findFirst()
        .orElseThrow(() -> new AssertionError(productId + " is not in the catalogue of " + branchId));
  }

  /** A manager changes a product's price at this branch. */
  public Product setPrice(String productId, long priceMinor) {
    Product p = product(productId).toBuilder().setPriceMinor(priceMinor).build();
    return pos().upsertProduct(UpsertProductRequest.newBuilder().setSessionToken(manager()).setProduct(p).build());
  }

  /** Every event in the branch's own log, sealed, in log order. */
  public List<SovereignFinancialEvent> events() {
    List<SovereignFinancialEvent> out = new ArrayList<>();
    String cursor = "";
    do {
      EventBatch b = api().getEventsByRange(GetEventsRangeRequest.newBuilder().setLimit(1000).setCursor(cursor)
          .build());
      out.addAll(b.getEventsList());
      cursor = b.getNextCursor();
    } while (!cursor.isEmpty());
    return out;
  }

  /** The branch's CRDT bundles (a SyncCRDTState that sends nothing gets all of them back). */
  public List<CRDTStateBundle> crdts() throws Exception {
    return RegionCluster.syncCrdts(AccountingSwarmProtocolGrpc.newStub(channel())
        .withDeadlineAfter(30, TimeUnit.SECONDS), List.of());
  }

  /** A Prometheus gauge of the agent, e.g. dcs_sync_pending; NaN when the agent does not answer. */
  public double metric(String name) {
    return firstNumber("/actuator/prometheus",
        Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$"), 2);
  }

  /**
   * One meter's value from the management port's {@code /actuator/metrics/<name>} (dotted name), NaN when the agent
   * does not answer. Much cheaper for the agent than a whole Prometheus page, which matters in poll loops.
   */
  public double meter(String dottedName) {
    return firstNumber("/actuator/metrics/" + dottedName, METER_VALUE, 1);
  }

  /** The number in {@code group} of the first match in the management port's answer at {@code path}, or NaN. */
  private double firstNumber(String path, Pattern pattern, int group) {
    try {
      String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
      Matcher m = pattern.matcher(body);
      return m.find() ? Double.parseDouble(m.group(group)) : Double.NaN;
    } catch (IOException e) {
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Double.NaN;
    }
  }

  private static final Pattern METER_VALUE = Pattern.compile("\"statistic\":\"VALUE\",\"value\":([0-9.eE+-]+)");

  /** Own events the region has not acknowledged yet (dcs.sync.pending), or -1 when the agent does not answer. */
  public long pending() {
    double v = meter("dcs.sync.pending");
    return Double.isNaN(v) ? -1 : (long) v;
  }

  /** Stops the agent (SIGTERM) but keeps the proxies. */
  public void stop() {
    closeChannel();
    if (jvm != null) {
      jvm.stop();
    }
  }

  @Override
  public void close() {
    closeChannel();
    if (jvm != null) {
      jvm.close();
    }
    links.forEach(TcpProxy::close);
  }
}
