package com.cps.dcs.localagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.EventBatch;
import com.cps.dcs.proto.v4.GetEventsRangeRequest;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.testsupport.ChildJvm;
import com.cps.dcs.testsupport.FreePorts;
import com.cps.dcs.testsupport.TempDirs;
import com.cps.dcs.testsupport.TestCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The packaged agent in a child JVM, killed with SIGKILL in the middle of a burst of sales, then restarted on the
 * same data: every acknowledged sale is there exactly once, retries of everything sent never duplicate, and the
 * hash chain verifies.
 */
class CrashRecoveryIT {
  private static final Path JAR = Path.of("target/local-agent.jar");

  private static ChildJvm startAgent(Path data, int grpcPort, Path log) {
    ChildJvm agent = ChildJvm.builder().jar(JAR).env("DCS_DATA_DIR", data.toString())
        .env("DCS_GRPC_PORT", Integer.toString(grpcPort)).env("DCS_MANAGEMENT_PORT", Integer.toString(FreePorts.allocate()))
        .env("DCS_BRANCH_ID", "branch-crash").env("DCS_TENANT_ID", "tenant-it").logTo(log).start();
    agent.awaitLogLine("serving gRPC and gRPC-Web on port", Duration.ofSeconds(90));
    return agent;
  }

  @Test
  void everyAcknowledgedSaleSurvivesAKillNineExactlyOnceAndTheChainVerifies() throws Exception {
    assertThat(JAR).as("the packaged agent (mvn package builds it before integration tests)").exists();
    Path data = TempDirs.create("crash");
    int port = FreePorts.allocate();
    ChildJvm agent = startAgent(data, port, data.resolve("agent-1.log"));
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
        .intercept(TestCredentials.admin()).build();
    var stub = AccountingSwarmProtocolGrpc.newBlockingStub(channel);

    Map<String, String> acked = new ConcurrentHashMap<>(); // idempotency key -> event id
    Set<String> sent = ConcurrentHashMap.newKeySet();
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    for (int t = 0; t < 8; t++) {
      pool.submit(() -> {
        while (true) {
          String key = "crash-" + next.incrementAndGet();
          sent.add(key);
          try {
            AckResponse ack = stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                .broadcastFinancialEvent(AgentFixture.sale("sale-" + key, 199, key));
            acked.put(key, ack.getEventId());
          } catch (StatusRuntimeException e) {
            return; // the agent is gone
          }
        }
      });
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (acked.size() < 300 && System.nanoTime() < deadline) {
      Thread.sleep(20); // polling the burst's progress
    }
    agent.killHard();
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    channel.shutdownNow();
    assertThat(acked).hasSizeGreaterThanOrEqualTo(300);

    ChildJvm restarted = startAgent(data, port, data.resolve("agent-2.log"));
    ManagedChannel channel2 = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
        .intercept(TestCredentials.admin()).build();
    try {
      var stub2 = AccountingSwarmProtocolGrpc.newBlockingStub(channel2);
      Map<String, List<String>> stored = eventsByKey(stub2);
      acked.forEach((key, id) -> assertThat(stored.get(key)).as(key).containsExactly(id));
      assertThat(stored.values()).allMatch(ids -> ids.size() == 1);

      // Clients retry whatever they did not see acknowledged (and more): nothing is ever duplicated.
      for (String key : sent) {
        AckResponse ack = stub2.broadcastFinancialEvent(AgentFixture.sale("sale-" + key, 199, key));
        if (acked.containsKey(key)) {
          assertThat(ack.getIsDuplicate()).isTrue();
          assertThat(ack.getEventId()).isEqualTo(acked.get(key));
        }
      }
      Map<String, List<String>> after = eventsByKey(stub2);
      assertThat(after.keySet()).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(after.values()).allMatch(ids -> ids.size() == 1);
    } finally {
      channel2.shutdownNow();
      restarted.stop();
    }

    Path verifyLog = data.resolve("verify.log");
    ChildJvm verify = ChildJvm.builder().jar(JAR).arg("verify-chain").env("DCS_DATA_DIR", data.toString())
        .env("DCS_BRANCH_ID", "branch-crash").logTo(verifyLog).start();
    verify.awaitLogLine("hash chain (intact|BROKEN)", Duration.ofSeconds(60));
    assertThat(Files.readString(verifyLog)).contains("hash chain intact: " + sent.size() + " events");
    verify.stop();
  }

  private static Map<String, List<String>> eventsByKey(
      AccountingSwarmProtocolGrpc.AccountingSwarmProtocolBlockingStub stub) {
    Map<String, List<String>> byKey = new HashMap<>();
    GetEventsRangeRequest.Builder q = GetEventsRangeRequest.newBuilder().setLimit(1000);
    EventBatch page;
    do {
      page = stub.getEventsByRange(q.build());
      for (SovereignFinancialEvent e : page.getEventsList()) {
        byKey.computeIfAbsent(e.getIdempotencyKey(), k -> new ArrayList<>()).add(e.getEventId());
      }
      q.setCursor(page.getNextCursor());
    } while (page.getHasMore());
    return byKey;
  }
}
