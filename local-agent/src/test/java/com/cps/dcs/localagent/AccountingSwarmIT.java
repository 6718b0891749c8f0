package com.cps.dcs.localagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.crdt.CrdtBundles;
import com.cps.dcs.kernel.crdt.LwwRegister;
import com.cps.dcs.kernel.crdt.PnCounter;
import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.Ecdsa;
import com.cps.dcs.kernel.event.EventSealer;
import com.cps.dcs.kernel.event.EventVerifier;
import com.cps.dcs.kernel.event.ReceiptHash;
import com.cps.dcs.kernel.hash.Canonical;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.AgentMessage;
import com.cps.dcs.proto.v4.AgentMessageType;
import com.cps.dcs.proto.v4.AgentRegistration;
import com.cps.dcs.proto.v4.BatchAckResponse;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.ConflictResolutionRequest;
import com.cps.dcs.proto.v4.ConflictStrategy;
import com.cps.dcs.proto.v4.EventBatch;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.GetEventRequest;
import com.cps.dcs.proto.v4.GetEventsRangeRequest;
import com.cps.dcs.proto.v4.ReconciliationRequest;
import com.cps.dcs.proto.v4.ReconciliationResponse;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.proto.v4.SubscribeRequest;
import com.cps.dcs.service.grpc.GrpcErrors;
import com.cps.dcs.service.keys.KeyMaterial;
import com.cps.dcs.swarm.TierPolicy;
import com.cps.dcs.testsupport.FirstReply;
import com.google.protobuf.ByteString;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** AccountingSwarmProtocol of a real local agent over real gRPC: every RPC and its error paths. */
class AccountingSwarmIT {
  static AgentFixture agent;

  @BeforeAll
  static void start() {
    agent = new AgentFixture("branch-it").start();
  }

  @AfterAll
  static void stop() {
    agent.close();
  }

  static int count() {
    return agent.swarm().getEventsByRange(GetEventsRangeRequest.newBuilder().setLimit(1).build()).getTotalCount();
  }

  static Status.Code codeOf(Runnable r) {
    try {
      r.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void broadcastSealsSignsChainsAndAcknowledges() {
    AckResponse ack = agent.swarm().broadcastFinancialEvent(AgentFixture.sale("sale-a", 1250, "k-a"));
    assertThat(ack.getSuccess()).isTrue();
    assertThat(ack.getIsDuplicate()).isFalse();
    assertThat(UuidV7.isV7(ack.getEventId())).isTrue();
    assertThat(ack.getReceiptHash()).isEqualTo(ReceiptHash.of(ack.getEventId(), 1));
    assertThat(ack.getProcessingNode()).isEqualTo("agent-branch-it");
    assertThat(ack.getCommittedClock().getPhysicalMs()).isPositive();

    SovereignFinancialEvent stored = agent.swarm().getEventById(GetEventRequest.newBuilder()
        .setEventId(ack.getEventId()).setIncludePayload(true).build());
    KeyMaterial keys = KeyMaterial.fromEnvironment(Map.of("DCS_DATA_DIR", agent.dataDir.toString()), "tenant-it",
        "agent-branch-it");
    new EventVerifier(keys.mac()).verify(stored, keys.agentKeys().publicKey());
    assertThat(new String(new EventVerifier(keys.mac()).open(stored, keys.kek()))).isEqualTo("card=tok_4242 k-a");
    assertThat(stored.getPayload().getAuditTrailHash().size()).isEqualTo(32);
    assertThat(stored.getAmount()).isEqualTo(12.50);

    SovereignFinancialEvent withoutPayload = agent.swarm().getEventById(GetEventRequest.newBuilder()
        .setEventId(ack.getEventId()).build());
    assertThat(withoutPayload.hasPayload()).isFalse();
  }

  @Test
  void aRetryGetsTheFirstAckAndADifferentRequestWithTheSameKeyIsRefused() {
    AckResponse first = agent.swarm().broadcastFinancialEvent(AgentFixture.sale("sale-b", 990, "k-b"));
    int before = count();
    AckResponse again = agent.swarm().broadcastFinancialEvent(AgentFixture.sale("sale-b", 990, "k-b"));
    assertThat(again.getIsDuplicate()).isTrue();
    assertThat(again.getEventId()).isEqualTo(first.getEventId());
    assertThat(again.getReceiptHash()).isEqualTo(first.getReceiptHash());
    assertThat(count()).isEqualTo(before);
    assertThat(codeOf(() -> agent.swarm().broadcastFinancialEvent(AgentFixture.sale("sale-b", 991, "k-b"))))
        .isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(count()).isEqualTo(before);
  }

  @Test
  void aStaleStreamVersionIsAbortedWithTheCurrentVersion() {
    agent.swarm().broadcastFinancialEvent(AgentFixture.sale("sale-c", 100, "k-c1"));
    agent.swarm().broadcastFinancialEvent(AgentFixture.sale("sale-c", 100, "k-c2").toBuilder().setStreamVersion(2)
        .build());
    assertThatThrownBy(() -> agent.swarm().broadcastFinancialEvent(AgentFixture.sale("sale-c", 100, "k-c3")
        .toBuilder().setStreamVersion(2).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
          ErrorInfo info = GrpcErrors.detail(GrpcErrors.statusOf(e), ErrorInfo.class).orElseThrow();
          assertThat(info.getMetadataMap()).containsEntry("current_stream_version", "2");
        });
  }

  @Test
  void badInputIsRefusedNamingTheFieldAndNothingIsWritten() {
    int before = count();
    Map<String, SovereignFinancialEvent> bad = Map.of(
        "branch_id", AgentFixture.sale("s-bad", 100, "b1").toBuilder().setBranchId("branch-other").build(),
        "tenant_id", AgentFixture.sale("s-bad", 100, "b2").toBuilder().setTenantId("tenant-other").build(),
        "currency", AgentFixture.sale("s-bad", 100, "b3").toBuilder().setCurrency("EURO").build(),
        "amount", AgentFixture.sale("s-bad", 100, "b4").toBuilder().setAmount(1.01).build(),
        "type", AgentFixture.sale("s-bad", 100, "b5").toBuilder().setType(EventType.UNKNOWN).build(),
        "created_by", AgentFixture.sale("s-bad", 100, "b6").toBuilder().clearCreatedBy().build(),
        "event_id", AgentFixture.sale("s-bad", 100, "b7").toBuilder().setEventId("not-a-uuid").build(),
        "public_metadata", AgentFixture.sale("s-bad", 100, "b8").toBuilder()
            .setPublicMetadata(ByteString.copyFrom(new byte[70_000])).build(),
        "agent_id", AgentFixture.sale("s-bad", 100, "b9").toBuilder().setAgentId("agent-elsewhere").build());
    bad.forEach((field, event) -> assertThatThrownBy(() -> agent.swarm().broadcastFinancialEvent(event))
        .as(field)
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          BadRequest br = GrpcErrors.detail(GrpcErrors.statusOf(e), BadRequest.class).orElseThrow();
          assertThat(br.getFieldViolations(0).getField()).isEqualTo(field);
        }));
    assertThat(count()).isEqualTo(before);
    assertThat(codeOf(() -> agent.swarm().getEventById(GetEventRequest.newBuilder().setEventId(UuidV7.next()
        .toString()).build()))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(codeOf(() -> agent.swarm().getEventsByRange(GetEventsRangeRequest.newBuilder().setStartTimestamp(10)
        .setEndTimestamp(5).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(codeOf(() -> agent.swarm().getEventsByRange(GetEventsRangeRequest.newBuilder().setCursor("%%")
        .build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(codeOf(() -> agent.swarm().getEventsByRange(GetEventsRangeRequest.newBuilder()
        .setBranchId("branch-other").build()))).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void rangePagesStayCorrectWhileEventsAreAppended() {
    for (int i = 0; i < 7; i++) {
      agent.swarm().broadcastFinancialEvent(AgentFixture.sale("sale-r", 10 + i, "k-r" + i).toBuilder()
          .setType(EventType.INVENTORY_COUNTED).setAmountMinor(0).setAmount(0).setCurrency("").build());
    }
    GetEventsRangeRequest.Builder q = GetEventsRangeRequest.newBuilder().addTypeFilter(EventType.INVENTORY_COUNTED)
        .setLimit(3);
    List<String> seen = new ArrayList<>();
    EventBatch page = agent.swarm().getEventsByRange(q.build());
    page.getEventsList().forEach(e -> seen.add(e.getEventId()));
    agent.swarm().broadcastFinancialEvent(AgentFixture.sale("sale-r", 0, "k-r-late").toBuilder()
        .setType(EventType.INVENTORY_COUNTED).setAmountMinor(0).setAmount(0).setCurrency("").build());
    while (page.getHasMore()) {
      page = agent.swarm().getEventsByRange(q.setCursor(page.getNextCursor()).build());
      page.getEventsList().forEach(e -> seen.add(e.getEventId()));
    }
    assertThat(seen).hasSize(8).doesNotHaveDuplicates();
  }

  @Test
  void subscribersGetHistoryThenLiveWithNoGapAndNoDuplicate() throws Exception {
    agent.swarm().broadcastFinancialEvent(AgentFixture.sale("sale-s", 100, "k-s0").toBuilder()
        .setType(EventType.LOYALTY_POINTS_EARNED).build());
    List<String> got = new CopyOnWriteArrayList<>();
    Context.CancellableContext ctx = Context.current().withCancellation();
    ctx.run(() -> agent.swarmAsync().subscribeEvents(SubscribeRequest.newBuilder().setIncludeHistorical(true)
        .addEventTypes(EventType.LOYALTY_POINTS_EARNED).build(), new StreamObserver<>() {
          @Override
          public void onNext(SovereignFinancialEvent e) {
            got.add(e.getIdempotencyKey());
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        }));
    for (int i = 1; i <= 20; i++) {
      agent.swarm().broadcastFinancialEvent(AgentFixture.sale("sale-s", 100, "k-s" + i).toBuilder()
          .setType(EventType.LOYALTY_POINTS_EARNED).build());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (got.size() < 21 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    ctx.cancel(null);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i <= 20; i++) {
      expected.add("k-s" + i);
    }
    assertThat(got).containsExactlyElementsOf(expected);
  }

  @Test
  void offlineBatchesGetOneAckPerEventAndABadOneDoesNotStopTheRest() throws Exception {
    CompletableFuture<BatchAckResponse> result = new CompletableFuture<>();
    StreamObserver<SovereignFinancialEvent> in = agent.swarmAsync().streamOfflineEvents(observer(result));
    in.onNext(AgentFixture.sale("sale-o", 100, "k-o1"));
    in.onNext(AgentFixture.sale("sale-o", 100, "k-o2").toBuilder().setCurrency("XYZ").build());
    in.onNext(AgentFixture.sale("sale-o", 100, "k-o3"));
    in.onNext(AgentFixture.sale("sale-o", 100, "k-o1"));
    in.onCompleted();
    BatchAckResponse acks = result.get(30, TimeUnit.SECONDS);
    assertThat(acks.getTotalProcessed()).isEqualTo(4);
    assertThat(acks.getTotalFailed()).isEqualTo(1);
    assertThat(acks.getIndividualResponses(1).getMessage()).contains("INVALID_ARGUMENT");
    assertThat(acks.getIndividualResponses(3).getIsDuplicate()).isTrue();
  }

  /**
   * A call longer than many chunks (they are committed while the rest still arrives): one ack per event in the
   * order sent, stream versions that continue across chunks, a repeat of an earlier chunk's key answered as a
   * duplicate, a key reused with other content and a stale version refused, and nothing else lost.
   */
  @Test
  void aLongOfflineCallKeepsOrderAndIdempotencyAcrossChunks() throws Exception {
    int n = TierPolicy.BRANCH_CHUNK * (TierPolicy.BRANCH_CHUNKS_IN_FLIGHT + 3) + 17;
    CompletableFuture<BatchAckResponse> result = new CompletableFuture<>();
    StreamObserver<SovereignFinancialEvent> in = agent.swarmAsync().streamOfflineEvents(observer(result));
    for (int i = 0; i < n; i++) {
      in.onNext(AgentFixture.sale("sale-long", 100 + i, "k-long" + i).toBuilder().setStreamVersion(i + 1).build());
    }
    in.onNext(AgentFixture.sale("sale-long", 100, "k-long0").toBuilder().setStreamVersion(1).build()); // retry
    in.onNext(AgentFixture.sale("sale-long", 999, "k-long1").toBuilder().setStreamVersion(n + 1).build());
    in.onNext(AgentFixture.sale("sale-long", 5, "k-long-stale").toBuilder().setStreamVersion(3).build());
    in.onNext(AgentFixture.sale("sale-long", 7, "k-long-last").toBuilder().setStreamVersion(n + 1).build());
    in.onCompleted();
    BatchAckResponse acks = result.get(60, TimeUnit.SECONDS);
    assertThat(acks.getTotalProcessed()).isEqualTo(n + 4);
    assertThat(acks.getTotalFailed()).isEqualTo(2);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      AckResponse a = acks.getIndividualResponses(i);
      assertThat(a.getSuccess()).as("ack %d", i).isTrue();
      assertThat(a.getIsDuplicate()).isFalse();
      ids.add(a.getEventId());
    }
    assertThat(acks.getIndividualResponses(n).getIsDuplicate()).isTrue();
    assertThat(acks.getIndividualResponses(n).getEventId()).isEqualTo(ids.get(0));
    assertThat(acks.getIndividualResponses(n + 1).getMessage()).contains("k-long1");
    assertThat(acks.getIndividualResponses(n + 2).getMessage()).contains("ABORTED");
    assertThat(acks.getIndividualResponses(n + 3).getSuccess()).isTrue();
    for (int i : new int[] {0, n / 2, n - 1}) {
      SovereignFinancialEvent stored = agent.swarm().getEventById(GetEventRequest.newBuilder()
          .setEventId(ids.get(i)).build());
      assertThat(stored.getStreamVersion()).isEqualTo(i + 1);
      assertThat(stored.getAmountMinor()).isEqualTo(100 + i);
    }
    assertThat(ids).doesNotHaveDuplicates();
  }

  @Test
  void crdtBundlesMergeAndTheUnionComesBack() throws Exception {
    PnCounter stock = PnCounter.empty().increment("region", 40);
    CRDTStateBundle mine = CrdtBundles.toBundle("region", "stock:p-1", stock, new Hlc(System.currentTimeMillis(), 0,
        "region", 1), 1);
    CompletableFuture<BatchAckResponse> acked = new CompletableFuture<>();
    StreamObserver<CRDTStateBundle> up = agent.swarmAsync().streamCRDTUpdates(observer(acked));
    up.onNext(mine);
    up.onCompleted();
    assertThat(acked.get(30, TimeUnit.SECONDS).getTotalFailed()).isZero();

    LwwRegister price = LwwRegister.empty().set("249", new Hlc(System.currentTimeMillis(), 0, "region", 2));
    List<CRDTStateBundle> back = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<CRDTStateBundle> sync = agent.swarmAsync().syncCRDTState(new StreamObserver<>() {
      @Override
      public void onNext(CRDTStateBundle b) {
        back.add(b);
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
    sync.onNext(CrdtBundles.toBundle("region", "price:p-1", price, new Hlc(System.currentTimeMillis(), 0, "region",
        3), 1));
    sync.onNext(CrdtBundles.toBundle("region", "stock:p-1", PnCounter.empty().decrement("region", 5),
        new Hlc(System.currentTimeMillis(), 0, "region", 4), 2));
    sync.onCompleted();
    done.get(30, TimeUnit.SECONDS);
    CRDTStateBundle stockBack = back.stream().filter(b -> b.getCrdtId().equals("stock:p-1")).findFirst().orElseThrow();
    assertThat(((PnCounter) CrdtBundles.fromBundle(stockBack)).value()).isEqualTo(35);
    assertThat(back).extracting(CRDTStateBundle::getCrdtId).contains("price:p-1");

    CompletableFuture<BatchAckResponse> refused = new CompletableFuture<>();
    StreamObserver<CRDTStateBundle> bad = agent.swarmAsync().streamCRDTUpdates(observer(refused));
    bad.onNext(mine.toBuilder().setCrdtType("ORSet").build());
    bad.onCompleted();
    assertThat(refused.get(30, TimeUnit.SECONDS).getTotalFailed()).isEqualTo(1);
  }

  @Test
  void peerEventsAreAcceptedOnlyFromRegisteredAgentsAndOnlyIntact() throws Exception {
    KeyMaterial tenantKeys = KeyMaterial.fromEnvironment(Map.of("DCS_DATA_DIR", agent.dataDir.toString()),
        "tenant-it", null);
    AgentKeys peerKeys = AgentKeys.generateEphemeral();
    EventSealer peerSealer = new EventSealer(tenantKeys.kek(), tenantKeys.mac(), peerKeys);
    SovereignFinancialEvent peerEvent = peerSealer.seal(SovereignFinancialEvent.newBuilder()
        .setEventId(UuidV7.next().toString()).setStreamId("transfer-1").setStreamVersion(1).setTenantId("tenant-it")
        .setBranchId("branch-peer").setAgentId("agent-peer").setType(EventType.INVENTORY_TRANSFERRED_IN)
        .setIdempotencyKey("peer-1").setCreatedBy("agent-peer")
        .setCausalContext(CausalContext.newBuilder().setHlc(new Hlc(System.currentTimeMillis(), 0, "branch-peer", 1)
            .toProto())).build(), new byte[0], com.cps.dcs.kernel.chain.HashChain.GENESIS);

    assertThat(codeOf(() -> agent.swarm().broadcastFinancialEvent(peerEvent))).isEqualTo(Status.Code.PERMISSION_DENIED);

    AgentMessage unsigned = AgentMessage.newBuilder().setMessageId("m-1").setFromAgent("agent-peer")
        .setMessageType(AgentMessageType.HEARTBEAT).setPayload(AgentRegistration.newBuilder().setAgentId("agent-peer")
            .setPublicKey(ByteString.copyFrom(peerKeys.publicKeyBytes())).build().toByteString()).build();
    AgentMessage registration = unsigned.toBuilder().setSignature(ByteString.copyFrom(
        Ecdsa.sign(peerKeys.privateKey(), Canonical.bytes(unsigned)))).build();
    List<AgentMessage> replies = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<AgentMessage> chat = agent.swarmAsync().agentCommunication(new StreamObserver<>() {
      @Override
      public void onNext(AgentMessage m) {
        replies.add(m);
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
    chat.onNext(registration);
    chat.onCompleted();
    done.get(30, TimeUnit.SECONDS);
    AgentRegistration ours = AgentRegistration.parseFrom(replies.get(0).getPayload());
    assertThat(ours.getAgentId()).isEqualTo("agent-branch-it");

    AckResponse accepted = agent.swarm().broadcastFinancialEvent(peerEvent);
    assertThat(accepted.getSuccess()).isTrue();
    assertThat(agent.swarm().broadcastFinancialEvent(peerEvent).getIsDuplicate()).isTrue();
    SovereignFinancialEvent forged = peerEvent.toBuilder().setEventId(UuidV7.next().toString())
        .setIdempotencyKey("peer-2").build();
    assertThat(codeOf(() -> agent.swarm().broadcastFinancialEvent(forged))).isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void reconciliationRecomputesTheBalanceFromTheEvents() {
    long from = System.currentTimeMillis() - 1;
    agent.swarm().broadcastFinancialEvent(AgentFixture.sale("sale-rec", 1000, "k-rec1"));
    agent.swarm().broadcastFinancialEvent(AgentFixture.sale("sale-rec", 250, "k-rec2").toBuilder()
        .setType(EventType.SALE_PARTIALLY_REFUNDED).build());
    long to = System.currentTimeMillis() + 1000;
    ReconciliationResponse ok = agent.swarm().requestReconciliation(ReconciliationRequest.newBuilder()
        .setStartTimestamp(from).setEndTimestamp(to).setExpectedBalance(7.50).build());
    assertThat(ok.getActualBalance()).isEqualTo(7.50);
    assertThat(ok.getIsBalanced()).isTrue();
    assertThat(ok.getValidationSignature()).isNotEmpty();
    ReconciliationResponse off = agent.swarm().requestReconciliation(ReconciliationRequest.newBuilder()
        .setStartTimestamp(from).setEndTimestamp(to).setExpectedBalance(8.00).build());
    assertThat(off.getIsBalanced()).isFalse();
    List<ReconciliationResponse> streamed = new ArrayList<>();
    agent.swarm().streamReconciliation(ReconciliationRequest.newBuilder().setStartTimestamp(from)
        .setEndTimestamp(to).setExpectedBalance(7.50).build()).forEachRemaining(streamed::add);
    assertThat(streamed.get(streamed.size() - 1).getActualBalance()).isEqualTo(7.50);
    assertThat(codeOf(() -> agent.swarm().requestReconciliation(ReconciliationRequest.newBuilder()
        .setStartTimestamp(from).setExpectedBalance(0.001).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void conflictsAreDecidedHereOrRefusedWhenTheyNeedAMaster() {
    String idA = com.cps.dcs.kernel.id.UuidV7.next().toString();
    String idB = com.cps.dcs.kernel.id.UuidV7.next().toString();
    SovereignFinancialEvent a = AgentFixture.sale("x", 100, "a").toBuilder().setEventId(idA)
        .setCausalContext(CausalContext.newBuilder().setHlc(new Hlc(1000, 0, "n1", 1).toProto())).build();
    SovereignFinancialEvent b = AgentFixture.sale("x", 200, "b").toBuilder().setEventId(idB)
        .setCausalContext(CausalContext.newBuilder().setHlc(new Hlc(1000, 1, "n2", 1).toProto())).build();
    assertThat(agent.swarm().resolveLedgerConflict(ConflictResolutionRequest.newBuilder().addConflictingEvents(a)
        .addConflictingEvents(b).setResolutionStrategy(ConflictStrategy.LAST_WRITER_WINS).build()).getEventId())
        .isEqualTo(idB);
    SovereignFinancialEvent merged = agent.swarm().resolveLedgerConflict(ConflictResolutionRequest.newBuilder()
        .addConflictingEvents(a).addConflictingEvents(b).addConflictingEvents(a)
        .setResolutionStrategy(ConflictStrategy.CRDT_MERGE).build());
    assertThat(merged.getAmountMinor()).isEqualTo(300);
    assertThat(merged.getCausalContext().getParentEventIdsList()).containsExactly(idA, idB);
    assertThat(codeOf(() -> agent.swarm().resolveLedgerConflict(ConflictResolutionRequest.newBuilder()
        .addConflictingEvents(a).addConflictingEvents(b).setResolutionStrategy(ConflictStrategy.MASTER_DECIDES)
        .build()))).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(codeOf(() -> agent.swarm().resolveLedgerConflict(ConflictResolutionRequest.newBuilder()
        .addConflictingEvents(a).addConflictingEvents(b).setResolutionStrategy(ConflictStrategy.VECTOR_CLOCK_ORDER)
        .build()))).isEqualTo(Status.Code.FAILED_PRECONDITION);
  }

  @Test
  void swarmExchangeTakesThePeersEventsAndPushesOursLive() throws Exception {
    List<SovereignFinancialEvent> pushed = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    StreamObserver<SovereignFinancialEvent> toAgent = agent.swarmAsync().swarmEventExchange(new StreamObserver<>() {
      @Override
      public void onNext(SovereignFinancialEvent e) {
        pushed.add(e);
      }

      @Override
      public void onError(Throwable t) {
        closed.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        closed.complete(null);
      }
    });
    // What the peer sends is ingested like any event (here a client's, unsealed: the agent seals it)...
    toAgent.onNext(AgentFixture.sale("sale-x", 700, "k-x-peer"));
    // ...and what this branch appends meanwhile is pushed to the peer as it commits.
    AckResponse local = agent.swarm().broadcastFinancialEvent(AgentFixture.sale("sale-x", 800, "k-x-local"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (pushed.stream().noneMatch(e -> e.getEventId().equals(local.getEventId()))
        && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    toAgent.onCompleted();
    closed.get(20, TimeUnit.SECONDS);
    assertThat(pushed).extracting(SovereignFinancialEvent::getEventId).contains(local.getEventId());
    assertThat(pushed).extracting(SovereignFinancialEvent::getIdempotencyKey).doesNotContain("k-x-peer");
    assertThat(agent.swarm().broadcastFinancialEvent(AgentFixture.sale("sale-x", 700, "k-x-peer")).getIsDuplicate())
        .isTrue();
  }

  static <T> StreamObserver<T> observer(CompletableFuture<T> f) {
    return FirstReply.into(f);
  }
}
