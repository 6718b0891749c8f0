package com.cps.dcs.testsupport.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.AgentMessage;
import com.cps.dcs.proto.v4.BatchAckResponse;
import com.cps.dcs.proto.v4.EventBatch;
import com.cps.dcs.proto.v4.GetEventRequest;
import com.cps.dcs.proto.v4.GetEventsRangeRequest;
import com.cps.dcs.proto.v4.ReconciliationRequest;
import com.cps.dcs.proto.v4.ReconciliationResponse;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.proto.v4.SubscribeRequest;
import com.cps.dcs.testsupport.BranchSigner;
import com.cps.dcs.testsupport.FirstReply;
import com.cps.dcs.testsupport.Refusals;
import com.cps.dcs.testsupport.Refusals.Refusal;
import com.google.protobuf.ByteString;
import com.google.rpc.Code;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The scenarios every tier that serves {@code AccountingSwarmProtocol} must pass the same way, over the real wire:
 * a branch, a region, and the master when it comes. A tier's test extends this with its running service and a way
 * to make agents of a branch it serves; each scenario registers a fresh agent, so scenarios do not see each other.
 */
public abstract class SwarmContract {
  /** A blocking stub to the tier under test. */
  protected abstract AccountingSwarmProtocolGrpc.AccountingSwarmProtocolBlockingStub swarm();

  protected abstract AccountingSwarmProtocolGrpc.AccountingSwarmProtocolStub swarmAsync();

  /** The key folder holding the tenant keys the tier verifies events against. */
  protected abstract Path keyDir();

  protected abstract String tenantId();

  /** A branch this tier serves. */
  protected abstract String branchId();

  /** A new agent of {@link #branchId}, with a stream of its own. */
  protected BranchSigner newAgent(String agentId) {
    return new BranchSigner(keyDir(), tenantId(), branchId(), agentId, "contract-" + agentId);
  }

  /** A new agent, registered with the tier through {@code AgentCommunication}. */
  protected BranchSigner registeredAgent() throws Exception {
    BranchSigner agent = newAgent("agent-contract-" + UUID.randomUUID().toString().substring(0, 8));
    AgentMessage reply = talk(agent.registration());
    assertThat(reply.getSignature()).isNotEmpty();
    return agent;
  }

  private AgentMessage talk(AgentMessage m) throws Exception {
    CompletableFuture<AgentMessage> reply = new CompletableFuture<>();
    StreamObserver<AgentMessage> in = swarmAsync().agentCommunication(FirstReply.into(reply));
    in.onNext(m);
    return reply.get(60, TimeUnit.SECONDS);
  }

  private List<SovereignFinancialEvent> all(String branchId) {
    List<SovereignFinancialEvent> out = new ArrayList<>();
    String cursor = "";
    do {
      EventBatch page = swarm().getEventsByRange(GetEventsRangeRequest.newBuilder().setBranchId(branchId)
          .setLimit(7).setCursor(cursor).build());
      out.addAll(page.getEventsList());
      cursor = page.getHasMore() ? page.getNextCursor() : "";
    } while (!cursor.isEmpty());
    return out;
  }

  @Test
  void aRegisteredAgentsEventIsStoredOnceAndItsRetryAnswersTheFirstAck() throws Exception {
    BranchSigner agent = registeredAgent();
    SovereignFinancialEvent sale = agent.nextSale(1234);
    AckResponse first = swarm().broadcastFinancialEvent(sale);
    AckResponse again = swarm().broadcastFinancialEvent(sale);
    assertThat(first.getSuccess()).isTrue();
    assertThat(first.getIsDuplicate()).isFalse();
    assertThat(again.getIsDuplicate()).isTrue();
    assertThat(again.getEventId()).isEqualTo(first.getEventId());
    SovereignFinancialEvent stored = swarm().getEventById(GetEventRequest.newBuilder()
        .setEventId(sale.getEventId()).setIncludePayload(true).build());
    // As the agent sealed it (the tier adds only when it received it).
    assertThat(stored.toBuilder().clearReceivedAt().build()).isEqualTo(sale.toBuilder().clearReceivedAt().build());
  }

  @Test
  void anEventAlteredAfterSigningIsRefusedAsForgedAndNothingIsWritten() throws Exception {
    BranchSigner agent = registeredAgent();
    SovereignFinancialEvent forged = agent.nextSale(1000).toBuilder().setAmountMinor(100_000).setAmount(1000)
        .build();
    Refusal r = Refusals.of(() -> swarm().broadcastFinancialEvent(forged));
    assertThat(r.code()).as(r.message()).isEqualTo(Code.PERMISSION_DENIED);
    assertThat(r.reason()).isEqualTo("FORGED_EVENT");
    assertThat(Refusals.of(() -> swarm().getEventById(GetEventRequest.newBuilder()
        .setEventId(forged.getEventId()).build())).code()).isEqualTo(Code.NOT_FOUND);
  }

  @Test
  void anUnregisteredAgentsEventIsRefused() {
    BranchSigner stranger = newAgent("agent-stranger-" + UUID.randomUUID().toString().substring(0, 8));
    Refusal r = Refusals.of(() -> swarm().broadcastFinancialEvent(stranger.nextSale(500)));
    assertThat(r.code()).as(r.message()).isEqualTo(Code.PERMISSION_DENIED);
    assertThat(r.reason()).isEqualTo("UNKNOWN_AGENT");
  }

  @Test
  void aTakenStreamPositionIsRefusedAsStaleNamingTheStream() throws Exception {
    BranchSigner agent = registeredAgent();
    SovereignFinancialEvent first = agent.nextSale(700);
    swarm().broadcastFinancialEvent(first);
    SovereignFinancialEvent rival = agent.wouldBeNext(800, b -> b.setStreamVersion(first.getStreamVersion()));
    Refusal r = Refusals.of(() -> swarm().broadcastFinancialEvent(rival));
    assertThat(r.code()).as(r.message()).isEqualTo(Code.ABORTED);
    assertThat(r.reason()).isEqualTo("STALE_STREAM_VERSION");
    assertThat(r.message()).contains(first.getStreamId())
        .contains("is at version " + first.getStreamVersion()); // where the stream is, at every tier
  }

  @Test
  void anAgentCannotRegisterAgainWithAnotherKey() throws Exception {
    BranchSigner agent = registeredAgent();
    BranchSigner impostor = newAgent(agent.agentId() + "-x");
    AgentMessage claim = impostor.registrationAs(agent.agentId());
    Refusal r = Refusals.of(() -> talk(claim));
    assertThat(r.code()).as(r.message()).isEqualTo(Code.PERMISSION_DENIED);
    assertThat(r.reason()).isEqualTo("KEY_MISMATCH");
  }

  @Test
  void aBatchAnswersEveryEventInOrderAndOneBadEventDoesNotStopTheOthers() throws Exception {
    BranchSigner agent = registeredAgent();
    SovereignFinancialEvent a = agent.nextSale(100);
    SovereignFinancialEvent bad = agent.wouldBeNext(200, b -> b).toBuilder()
        .setDigitalSignature(ByteString.copyFromUtf8("not a signature")).build();
    SovereignFinancialEvent b = agent.nextSale(300);
    CompletableFuture<BatchAckResponse> done = new CompletableFuture<>();
    StreamObserver<SovereignFinancialEvent> in = swarmAsync().streamOfflineEvents(FirstReply.into(done));
    List.of(a, bad, b).forEach(in::onNext);
    in.onCompleted();
    BatchAckResponse acks = done.get(60, TimeUnit.SECONDS);
    assertThat(acks.getIndividualResponsesList()).extracting(AckResponse::getSuccess)
        .containsExactly(true, false, true);
    assertThat(acks.getTotalFailed()).isEqualTo(1);
    assertThat(acks.getIndividualResponses(1).getMessage()).startsWith("PERMISSION_DENIED");
  }

  @Test
  void pagesCoverEveryEventOnceAndAForeignCursorIsRefused() throws Exception {
    BranchSigner agent = registeredAgent();
    for (int i = 0; i < 9; i++) {
      swarm().broadcastFinancialEvent(agent.nextSale(100 + i));
    }
    List<SovereignFinancialEvent> seen = all(agent.branchId());
    assertThat(seen).extracting(SovereignFinancialEvent::getEventId).doesNotHaveDuplicates();
    assertThat(seen.stream().filter(e -> e.getAgentId().equals(agent.agentId()))).hasSize(9);
    Refusal r = Refusals.of(() -> swarm().getEventsByRange(GetEventsRangeRequest.newBuilder()
        .setCursor("c2VxOjEw").build()));
    assertThat(r.code()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(r.fields()).contains("cursor");
  }

  @Test
  void aSubscriptionSendsHistoryThenLiveWithoutGapOrDuplicate() throws Exception {
    BranchSigner agent = registeredAgent();
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      SovereignFinancialEvent e = agent.nextSale(400 + i);
      swarm().broadcastFinancialEvent(e);
      sent.add(e.getEventId());
    }
    List<String> got = new CopyOnWriteArrayList<>();
    Context.CancellableContext call = Context.current().withCancellation();
    try {
      call.run(() -> swarmAsync().subscribeEvents(SubscribeRequest.newBuilder().setBranchId(agent.branchId())
          .setIncludeHistorical(true).build(), new StreamObserver<>() {
            @Override
            public void onNext(SovereignFinancialEvent e) {
              if (e.getAgentId().equals(agent.agentId())) {
                got.add(e.getEventId());
              }
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
          }));
      for (int i = 0; i < 3; i++) {
        SovereignFinancialEvent e = agent.nextSale(500 + i);
        swarm().broadcastFinancialEvent(e);
        sent.add(e.getEventId());
      }
      long deadline = System.currentTimeMillis() + 30_000;
      while (got.size() < sent.size() && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      Thread.sleep(300); // and nothing more comes
      assertThat(got).containsExactlyElementsOf(sent);
    } finally {
      call.cancel(null);
    }
  }

  @Test
  void anUnknownEventIsNotFoundAndAMalformedIdIsInvalid() {
    assertThat(Refusals.of(() -> swarm().getEventById(GetEventRequest.newBuilder()
        .setEventId(UUID.randomUUID().toString()).build())).code()).isEqualTo(Code.NOT_FOUND);
    Refusal r = Refusals.of(() -> swarm().getEventById(GetEventRequest.newBuilder().setEventId("a b\u202e").build()));
    assertThat(r.code()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(r.fields()).contains("event_id");
  }

  @Test
  void aReconciliationCountsEachSaleOnceAndIsSignedByTheTier() throws Exception {
    BranchSigner agent = registeredAgent();
    ReconciliationRequest ask = ReconciliationRequest.newBuilder().setBranchId(agent.branchId())
        .setStartTimestamp(System.currentTimeMillis() - 3_600_000).build();
    ReconciliationResponse before = swarm().requestReconciliation(ask);
    swarm().broadcastFinancialEvent(agent.nextSale(2500));
    ReconciliationResponse after = swarm().requestReconciliation(ask);
    assertThat(after.getActualBalance() - before.getActualBalance()).isCloseTo(25.00, org.assertj.core.data.Offset
        .offset(1e-9));
    assertThat(after.getValidationSignature()).isNotEmpty();
    assertThat(swarm().requestReconciliation(ask.toBuilder().setExpectedBalance(after.getActualBalance()).build())
        .getIsBalanced()).isTrue();
  }
}
