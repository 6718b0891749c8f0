package com.cps.dcs.localagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.BatchAckResponse;
import com.cps.dcs.proto.v4.BranchQuery;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.ConflictResolutionRequest;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.GetEventsRangeRequest;
import com.cps.dcs.proto.v4.HybridLogicalClock;
import com.cps.dcs.proto.v4.LWWRegister;
import com.cps.dcs.proto.v4.PNCounter;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import com.cps.dcs.proto.v4.ReconciliationRequest;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.proto.v4.SovereignPayload;
import com.cps.dcs.proto.v4.VectorClock;
import com.cps.dcs.testsupport.FirstReply;
import com.cps.dcs.testsupport.Refusals;
import com.cps.dcs.testsupport.Refusals.Refusal;
import com.cps.dcs.testsupport.RegionCluster;
import com.cps.dcs.testsupport.contract.SwarmContract;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import com.google.rpc.Code;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A hostile or careless client against a real branch agent over gRPC: every bad input is refused with the status
 * and the field it deserves, and nothing is written (the branch's event count and CRDT values do not move).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwarmHostileIT {
  AgentFixture agent;
  int seq;

  @BeforeAll
  void start() {
    agent = new AgentFixture("branch-hostile").start();
  }

  @AfterAll
  void stop() {
    agent.close();
  }

  long events() {
    return agent.swarm().getEventsByRange(GetEventsRangeRequest.newBuilder().setLimit(1).build()).getTotalCount();
  }

  SovereignFinancialEvent sale(UnaryOperator<SovereignFinancialEvent.Builder> change) {
    return change.apply(AgentFixture.sale("hostile-" + (++seq), 11900, "hostile-key-" + seq).toBuilder()).build();
  }

  /** Broadcasts the changed sale; asserts it was refused with {@code code} naming {@code field}, writing nothing. */
  Refusal refusedBroadcast(UnaryOperator<SovereignFinancialEvent.Builder> change, Code code, String field) {
    long before = events();
    SovereignFinancialEvent e = sale(change);
    Refusal r = Refusals.of(() -> agent.swarm().broadcastFinancialEvent(e));
    assertThat(r.code()).as(r.message()).isEqualTo(code);
    if (field != null) {
      assertThat(r.fields()).as(r.message()).contains(field);
    }
    assertThat(events()).isEqualTo(before);
    return r;
  }

  static HybridLogicalClock hlc(long physicalMs, int logical) {
    return HybridLogicalClock.newBuilder().setPhysicalMs(physicalMs).setLogical(logical).setNodeId("pos-1").build();
  }

  @Test
  void aNegativeHlcIsInvalidNotInternal() {
    refusedBroadcast(b -> b.setCausalContext(CausalContext.newBuilder().setHlc(hlc(-1, 0))), Code.INVALID_ARGUMENT,
        "causal_context.hlc.physical_ms");
  }

  @Test
  void aLogicalCounterNearItsLimitIsRefusedAndLaterAppendsStillWork() {
    long soon = System.currentTimeMillis() + 50_000;
    refusedBroadcast(b -> b.setCausalContext(CausalContext.newBuilder().setHlc(hlc(soon, 2147483646))),
        Code.INVALID_ARGUMENT, "causal_context.hlc.logical");
    // The largest logical a client may send, 50 s ahead: accepted, and the branch's clock keeps working after it.
    long before = events();
    agent.swarm().broadcastFinancialEvent(sale(b -> b.setCausalContext(CausalContext.newBuilder()
        .setHlc(hlc(soon, 1 << 24)))));
    AckResponse next = agent.swarm().broadcastFinancialEvent(sale(b -> b));
    assertThat(next.getSuccess()).isTrue();
    assertThat(events()).isEqualTo(before + 2);
  }

  @Test
  void aClockFurtherAheadThanTheDriftBoundIsRefused() {
    refusedBroadcast(b -> b.setCausalContext(CausalContext.newBuilder()
        .setHlc(hlc(System.currentTimeMillis() + 3_600_000, 0))), Code.INVALID_ARGUMENT,
        "causal_context.hlc.physical_ms");
  }

  @Test
  void aNulByteInAStreamIdIsRefused() {
    refusedBroadcast(b -> b.setStreamId("a\u0000b"), Code.INVALID_ARGUMENT, "stream_id");
  }

  @Test
  void controlAndFormatCharactersInIdsAreRefused() {
    refusedBroadcast(b -> b.setIdempotencyKey("key\u202Eevil"), Code.INVALID_ARGUMENT, "idempotency_key");
    refusedBroadcast(b -> b.setCreatedBy("1001\n"), Code.INVALID_ARGUMENT, "created_by");
    refusedBroadcast(b -> b.setCorrelationId("c\u0007"), Code.INVALID_ARGUMENT, "correlation_id");
  }

  @Test
  void anIdLongerThanTheBoundIsRefused() {
    refusedBroadcast(b -> b.setStreamId("s".repeat(129)), Code.INVALID_ARGUMENT, "stream_id");
  }

  @Test
  void aNegativeSaleIsRefused() {
    refusedBroadcast(b -> b.setAmountMinor(-11900).setAmount(-119.0), Code.INVALID_ARGUMENT, "amount_minor");
  }

  @Test
  void anAmountBeyondTheBoundIsRefused() {
    refusedBroadcast(b -> b.setAmountMinor(Long.MAX_VALUE).clearAmount(), Code.INVALID_ARGUMENT, "amount_minor");
  }

  @Test
  void disagreeingAmountsAreRefusedButFloatNoiseIsNot() {
    refusedBroadcast(b -> b.setAmountMinor(114).setAmount(1.15), Code.INVALID_ARGUMENT, "amount");
    long before = events();
    AckResponse ack = agent.swarm().broadcastFinancialEvent(sale(b -> b.setAmountMinor(114).setAmount(1.0 + 0.14)));
    assertThat(ack.getSuccess()).isTrue();
    assertThat(events()).isEqualTo(before + 1);
  }

  @Test
  void anUnknownCurrencyIsRefused() {
    refusedBroadcast(b -> b.setCurrency("XXY"), Code.INVALID_ARGUMENT, "currency");
  }

  @Test
  void timestampsInTheFarFutureOrFarPastAreRefused() {
    refusedBroadcast(b -> b.setTs(Timestamp.newBuilder().setSeconds(4102444800L)), Code.INVALID_ARGUMENT, "ts");
    refusedBroadcast(b -> b.setTs(Timestamp.newBuilder().setSeconds(1577836800L)), Code.INVALID_ARGUMENT, "ts");
    refusedBroadcast(b -> b.setTs(Timestamp.newBuilder().setSeconds(System.currentTimeMillis() / 1000)
        .setNanos(-5)), Code.INVALID_ARGUMENT, "ts.nanos");
  }

  @Test
  void anUnknownEventTypeIsRefused() {
    refusedBroadcast(b -> b.setTypeValue(999), Code.INVALID_ARGUMENT, "type");
  }

  @Test
  void factsWithNegativeMoneyOrAbsurdQuantitiesAreRefused() {
    refusedBroadcast(b -> b.setPublicMetadata(EventFacts.newBuilder().addLines(EventFacts.Line.newBuilder()
        .setProductId("p-milk").setQuantity(1).setLineTotalMinor(-500)).build().toByteString()),
        Code.INVALID_ARGUMENT, "public_metadata.lines[0].line_total_minor");
    refusedBroadcast(b -> b.setPublicMetadata(EventFacts.newBuilder().addLines(EventFacts.Line.newBuilder()
        .setProductId("p-milk").setQuantity(Long.MAX_VALUE)).build().toByteString()),
        Code.INVALID_ARGUMENT, "public_metadata.lines[0].quantity");
    refusedBroadcast(b -> b.setPublicMetadata(ByteString.copyFromUtf8("\u00ff\u00fe garbage")),
        Code.INVALID_ARGUMENT, "public_metadata");
  }

  @Test
  void tooManyParentsOrVectorClockEntriesAreRefused() {
    CausalContext.Builder parents = CausalContext.newBuilder();
    for (int i = 0; i < 65; i++) {
      parents.addParentEventIds("p" + i);
    }
    refusedBroadcast(b -> b.setCausalContext(parents), Code.INVALID_ARGUMENT, "causal_context.parent_event_ids");
    VectorClock.Builder vc = VectorClock.newBuilder();
    for (int i = 0; i < 300; i++) {
      vc.putNodeTicks("n" + i, i);
    }
    refusedBroadcast(b -> b.setCausalContext(CausalContext.newBuilder().setVClock(vc)), Code.INVALID_ARGUMENT,
        "causal_context.v_clock.node_ticks");
  }

  @Test
  void aClientCannotHandInAnAlreadySealedLookingPayload() {
    refusedBroadcast(b -> b.setPayload(SovereignPayload.newBuilder().setSchemaVersion(3)
        .setEncryptedData(ByteString.copyFromUtf8("x"))), Code.INVALID_ARGUMENT, "payload");
  }

  @Test
  void aBadEventInABatchIsRefusedInItsAckAndTheOthersAreKept() throws Exception {
    long before = events();
    CompletableFuture<BatchAckResponse> reply = new CompletableFuture<>();
    StreamObserver<SovereignFinancialEvent> req = agent.swarmAsync().streamOfflineEvents(FirstReply.into(reply));
    req.onNext(sale(b -> b));
    req.onNext(sale(b -> b.setStreamId("bad\u0000")));
    req.onNext(sale(b -> b));
    req.onCompleted();
    BatchAckResponse acks = reply.get(30, TimeUnit.SECONDS);
    assertThat(acks.getIndividualResponsesList()).extracting(AckResponse::getSuccess)
        .containsExactly(true, false, true);
    assertThat(acks.getIndividualResponses(1).getMessage()).contains("stream_id");
    assertThat(events()).isEqualTo(before + 2);
  }

  @Test
  void tooManyTypeFiltersOrAnOverlongReconciliationAreRefused() {
    GetEventsRangeRequest.Builder many = GetEventsRangeRequest.newBuilder();
    for (int i = 0; i < 100; i++) {
      many.addTypeFilter(EventType.SALE_COMPLETED);
    }
    Refusal r = Refusals.of(() -> agent.swarm().getEventsByRange(many.build()));
    assertThat(r.code()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(r.fields()).containsExactly("type_filter");
    Refusal range = Refusals.of(() -> agent.swarm().requestReconciliation(ReconciliationRequest.newBuilder()
        .setBranchId(agent.branch).setStartTimestamp(1).setEndTimestamp(400L * 86_400_000L).build()));
    assertThat(range.fields()).containsExactly("end_timestamp");
  }

  @Test
  void aConflictRequestWithTooManyOrHostileEventsIsRefused() {
    ConflictResolutionRequest.Builder many = ConflictResolutionRequest.newBuilder();
    for (int i = 0; i < 65; i++) {
      many.addConflictingEvents(sale(b -> b));
    }
    assertThat(Refusals.of(() -> agent.swarm().resolveLedgerConflict(many.build())).fields())
        .containsExactly("conflicting_events");
    Refusal nul = Refusals.of(() -> agent.swarm().resolveLedgerConflict(ConflictResolutionRequest.newBuilder()
        .addConflictingEvents(sale(b -> b)).addConflictingEvents(sale(b -> b.setStreamId("x\u0000"))).build()));
    assertThat(nul.code()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(nul.fields()).containsExactly("conflicting_events[1].stream_id");
  }

  @Test
  void anOversizedQueryIsRefusedBeforeTheServiceSeesIt() {
    Refusal r = Refusals.of(() -> QueryProtocolGrpc.newBlockingStub(agent.channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .getBranchSummary(BranchQuery.newBuilder().setBranchId("b".repeat(100_000)).build()));
    assertThat(r.code()).isEqualTo(Code.RESOURCE_EXHAUSTED);
    assertThat(r.reason()).isEqualTo("REQUEST_TOO_LARGE");
  }

  // --- CRDTs ----------------------------------------------------------------------------------------------------

  static CRDTStateBundle price(String productId, String value, long atMs) {
    return CRDTStateBundle.newBuilder().setCrdtId("price:" + productId).setCrdtType("LWWRegister")
        .setSerializedState(LWWRegister.newBuilder().setValue(value).setNodeId("branch-x")
            .setTimestamp(hlc(atMs, 0).toBuilder().setNodeId("branch-x")).build().toByteString())
        .setLastUpdated(hlc(System.currentTimeMillis(), 0)).build();
  }

  List<CRDTStateBundle> crdts() throws Exception {
    return RegionCluster.syncCrdts(agent.swarmAsync(), List.of());
  }

  void refusedCrdt(CRDTStateBundle hostile, String field) throws Exception {
    List<CRDTStateBundle> before = crdts();
    Refusal r = Refusals.of(() -> RegionCluster.syncCrdts(agent.swarmAsync(), List.of(hostile)));
    assertThat(r.code()).as(r.message()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(r.fields()).as(r.message()).contains(field);
    assertThat(crdts()).containsExactlyInAnyOrderElementsOf(before);
  }

  @Test
  void aNegativeOrNonNumericPriceIsNeverMerged() throws Exception {
    long now = System.currentTimeMillis();
    refusedCrdt(price("p-hostile", "-5000", now), "bundles[0].serialized_state.value");
    refusedCrdt(price("p-hostile", "free", now), "bundles[0].serialized_state.value");
  }

  @Test
  void anLwwTimestampInTheFutureThatNothingCouldOverrideIsNeverMerged() throws Exception {
    refusedCrdt(price("p-hostile", "100", 4102444800000L), "bundles[0].serialized_state.timestamp.physical_ms");
  }

  @Test
  void aCounterEntryBeyondTheBoundIsNeverMerged() throws Exception {
    refusedCrdt(CRDTStateBundle.newBuilder().setCrdtId("stock:p-hostile").setCrdtType("PNCounter")
        .setSerializedState(PNCounter.newBuilder().putIncrements("branch-x", Long.MAX_VALUE).build().toByteString())
        .build(), "bundles[0].serialized_state.increments[branch-x]");
  }

  @Test
  void aBundleOfTheWrongTypeForItsIdIsNeverMerged() throws Exception {
    refusedCrdt(CRDTStateBundle.newBuilder().setCrdtId("price:p-hostile").setCrdtType("PNCounter")
        .setSerializedState(PNCounter.getDefaultInstance().toByteString()).build(), "bundles[0].crdt_type");
  }

  @Test
  void aValidPriceIsStillMergedAfterTheRefusals() throws Exception {
    List<CRDTStateBundle> merged = RegionCluster.syncCrdts(agent.swarmAsync(),
        List.of(price("p-fine", "250", System.currentTimeMillis())));
    assertThat(merged).extracting(CRDTStateBundle::getCrdtId).contains("price:p-fine");
  }

  /** The swarm core's contract, run against this branch. */
  @Nested
  class Contract extends SwarmContract {
    @Override
    protected AccountingSwarmProtocolGrpc.AccountingSwarmProtocolBlockingStub swarm() {
      return agent.swarm();
    }

    @Override
    protected AccountingSwarmProtocolGrpc.AccountingSwarmProtocolStub swarmAsync() {
      return agent.swarmAsync();
    }

    @Override
    protected Path keyDir() {
      return agent.dataDir.resolve("keys");
    }

    @Override
    protected String tenantId() {
      return "tenant-it";
    }

    @Override
    protected String branchId() {
      return agent.branch;
    }
  }
}
