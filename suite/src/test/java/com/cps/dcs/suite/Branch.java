package com.cps.dcs.suite;

import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.EventBatch;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.GetEventsRangeRequest;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.testsupport.ChildJvm;
import com.cps.dcs.testsupport.FreePorts;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real local agent (the packaged jar in its own JVM) serving one branch, syncing to a region. */
final class Branch implements AutoCloseable {
  static final Path JAR = Path.of("..", "local-agent", "target", "local-agent.jar");

  final String branchId;
  final String agentId;
  final int grpcPort;
  final int managementPort;
  private final Path dataDir;
  private final Path keyDir;
  private final Path logDir;
  private final String tenantId;
  private final String regionalAddresses;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private ChildJvm jvm;
  private ManagedChannel channel;
  private int sold;

  Branch(String branchId, String tenantId, Path dataDir, Path keyDir, Path logDir, String regionalAddresses) {
    this.branchId = branchId;
    this.agentId = "agent-" + branchId;
    this.tenantId = tenantId;
    this.dataDir = dataDir;
    this.keyDir = keyDir;
    this.logDir = logDir;
    this.regionalAddresses = regionalAddresses;
    int[] ports = FreePorts.allocate(2);
    this.grpcPort = ports[0];
    this.managementPort = ports[1];
  }

  void start() {
    jvm = ChildJvm.builder().jar(JAR).jvmArg("-Xmx256m").jvmArg("-XX:TieredStopAtLevel=1")
        .env("DCS_BRANCH_ID", branchId).env("DCS_TENANT_ID", tenantId).env("DCS_DATA_DIR", dataDir.toString())
        .env("DCS_KEY_DIR", keyDir.toString()).env("DCS_GRPC_PORT", String.valueOf(grpcPort))
        .env("DCS_MANAGEMENT_PORT", String.valueOf(managementPort)).env("DCS_REGIONAL_ADDRESS", regionalAddresses)
        .env("DCS_SYNC_INTERVAL", "1").logTo(logDir.resolve(branchId + "-" + System.currentTimeMillis() + ".log"))
        .start();
    jvm.awaitLogLine("serving gRPC", Duration.ofSeconds(120));
  }

  /** SIGKILL: no shutdown hook, no flush. */
  void killHard() {
    closeChannel();
    jvm.killHard();
  }

  private void closeChannel() {
    if (channel != null) {
      channel.shutdownNow();
      channel = null;
    }
  }

  AccountingSwarmProtocolGrpc.AccountingSwarmProtocolBlockingStub api() {
    if (channel == null) {
      channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    }
    return AccountingSwarmProtocolGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /** One sale as a client submits it; the agent assigns id, clock and stream position, seals and signs it. */
  AckResponse sell(long amountMinor) {
    sold++;
    return api().broadcastFinancialEvent(SovereignFinancialEvent.newBuilder().setType(EventType.SALE_COMPLETED)
        .setAmountMinor(amountMinor).setAmount(amountMinor / 100.0).setCurrency("EUR").setCreatedBy("cashier-1001")
        .setIdempotencyKey(branchId + "-sale-" + System.nanoTime() + "-" + sold).build());
  }

  /** Every event in the branch's own log, sealed, in log order. */
  List<SovereignFinancialEvent> events() {
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
  List<CRDTStateBundle> crdts() throws Exception {
    List<CRDTStateBundle> out = new ArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (channel == null) {
      api();
    }
    StreamObserver<CRDTStateBundle> req = AccountingSwarmProtocolGrpc.newStub(channel).syncCRDTState(
        new StreamObserver<>() {
          @Override
          public void onNext(CRDTStateBundle b) {
            synchronized (out) {
              out.add(b);
            }
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            done.complete(null);
          }
        });
    req.onCompleted();
    done.get(30, TimeUnit.SECONDS);
    return out;
  }

  /** A Prometheus gauge of the agent, e.g. dcs_sync_pending. */
  double metric(String name) {
    try {
      String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
          + "/actuator/prometheus")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString())
          .body();
      Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(body);
      return m.find() ? Double.parseDouble(m.group(2)) : Double.NaN;
    } catch (IOException e) {
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Double.NaN;
    }
  }

  @Override
  public void close() {
    closeChannel();
    if (jvm != null) {
      jvm.close();
    }
  }
}
