package com.cps.dcs.localagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cps.dcs.localagent.sync.SyncClient;
import com.cps.dcs.localagent.sync.SyncStatusView;
import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.GetEventRequest;
import com.cps.dcs.testsupport.FreePorts;
import com.cps.dcs.testsupport.TempDirs;
import com.cps.dcs.testsupport.TestCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Branch-to-region sync over real gRPC. The "region" is a second real agent process-in-JVM serving the same
 * AccountingSwarmProtocol on the address the branch was configured with: it verifies the branch's sealed events
 * against the key the branch registered, as a regional node does.
 */
class SyncIT {

  /** A second agent on a given port standing where the region is expected. */
  private static ConfigurableApplicationContext region(int port, Path keyDir) {
    return new SpringApplicationBuilder(LocalAgentApplication.class).properties(
        "DCS_GRPC_PORT=" + port, "DCS_MANAGEMENT_PORT=" + FreePorts.allocate(),
        "DCS_DATA_DIR=" + TempDirs.create("region"), "DCS_KEY_DIR=" + keyDir, "DCS_BRANCH_ID=region-node",
        "DCS_TENANT_ID=tenant-it", "DCS_AGENT_ID=agent-region-node", TestCredentials.adminProperty()).run();
  }

  @Test
  void eventsAndCrdtsReachTheRegionOnceItIsReachableAndOnlyOnce() throws Exception {
    Path keys = TempDirs.create("tenant-keys");
    int regionPort = FreePorts.allocate();
    try (AgentFixture branch = new AgentFixture("branch-s").start("DCS_REGIONAL_ADDRESS=127.0.0.1:" + regionPort,
        "DCS_SYNC_INTERVAL=1", "DCS_SAMPLE_DATA=true", "DCS_KEY_DIR=" + keys)) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ids.add(branch.swarm().broadcastFinancialEvent(AgentFixture.sale("sync-" + i, 100 + i, "sync-k-" + i))
            .getEventId());
      }
      SyncClient sync = branch.context.getBean(SyncClient.class);
      // Offline: nothing listens on the region's address yet.
      await().atMost(Duration.ofSeconds(20)).until(() -> sync.status().lastError().startsWith("region unreachable"));
      SyncStatusView offline = sync.status();
      assertThat(offline.reachable()).isFalse();
      assertThat(offline.pendingEvents()).isGreaterThanOrEqualTo(3);

      try (ConfigurableApplicationContext ignored = region(regionPort, keys)) {
        ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", regionPort).usePlaintext()
            .intercept(TestCredentials.admin()).build();
        try {
          var regionStub = AccountingSwarmProtocolGrpc.newBlockingStub(ch);
          await().atMost(Duration.ofSeconds(30)).until(() -> sync.status().pendingEvents() == 0
              && sync.status().reachable() && sync.status().lastSync() != null);
          for (String id : ids) {
            var e = regionStub.withDeadlineAfter(10, TimeUnit.SECONDS)
                .getEventById(GetEventRequest.newBuilder().setEventId(id).build());
            assertThat(e.getBranchId()).isEqualTo("branch-s");
            assertThat(e.getDigitalSignature()).isNotEmpty();
          }
          long synced = sync.status().syncedEvents();

          // A later event goes too, after the mark; the earlier ones are not sent again.
          String later = branch.swarm().broadcastFinancialEvent(AgentFixture.sale("sync-later", 777, "sync-k-later"))
              .getEventId();
          assertThat(sync.syncOnce()).isTrue();
          assertThat(regionStub.getEventById(GetEventRequest.newBuilder().setEventId(later).build()).getAmountMinor())
              .isEqualTo(777);
          assertThat(sync.status().syncedEvents()).isEqualTo(synced + 1);
          assertThat(sync.status().pendingEvents()).isZero();

          // The branch's CRDTs (its sample catalogue) are now part of the region's state.
          List<String> regionCrdts = new CopyOnWriteArrayList<>();
          CompletableFuture<Void> done = new CompletableFuture<>();
          StreamObserver<CRDTStateBundle> req = AccountingSwarmProtocolGrpc.newStub(ch)
              .syncCRDTState(new StreamObserver<>() {
                @Override
                public void onNext(CRDTStateBundle b) {
                  regionCrdts.add(b.getCrdtId());
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
          done.get(20, TimeUnit.SECONDS);
          assertThat(regionCrdts).contains("catalog:active");
          assertThat(regionCrdts).anyMatch(id -> id.startsWith("stock:"));
        } finally {
          ch.shutdownNow();
        }
      }
    }
  }

  @Test
  void aRegionThatRefusesTheEventsLeavesThemPendingAndSaysWhy() {
    int regionPort = FreePorts.allocate();
    // The region holds other tenant keys than the branch: the branch's HMACs do not verify there.
    try (AgentFixture branch = new AgentFixture("branch-x").start("DCS_REGIONAL_ADDRESS=127.0.0.1:" + regionPort,
        "DCS_SYNC_INTERVAL=3600", "DCS_KEY_DIR=" + TempDirs.create("keys-branch"));
        ConfigurableApplicationContext ignored = region(regionPort, TempDirs.create("keys-region"))) {
      branch.swarm().broadcastFinancialEvent(AgentFixture.sale("refused-1", 100, "refused-k-1"));
      SyncClient sync = branch.context.getBean(SyncClient.class);
      assertThat(sync.syncOnce()).isFalse();
      SyncStatusView v = sync.status();
      assertThat(v.reachable()).as(v.lastError()).isTrue();
      assertThat(v.lastError()).contains("refused");
      assertThat(v.pendingEvents()).isEqualTo(1);
      assertThat(sync.highWater()).isZero();
    } catch (StatusRuntimeException e) {
      throw new AssertionError(e);
    }
  }
}
