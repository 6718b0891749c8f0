package com.cps.dcs.regional;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.auth.TokenIssuer;
import com.cps.dcs.kernel.auth.TokenKeys;
import com.cps.dcs.kernel.auth.TokenScope;
import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.BatchAckResponse;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.ConflictResolutionRequest;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.GetEventRequest;
import com.cps.dcs.proto.v4.GetEventsRangeRequest;
import com.cps.dcs.proto.v4.HybridLogicalClock;
import com.cps.dcs.proto.v4.LWWRegister;
import com.cps.dcs.proto.v4.PNCounter;
import com.cps.dcs.proto.v4.ReconciliationRequest;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.proto.v4.SubscribeRequest;
import com.cps.dcs.service.auth.TokenMinter;
import com.cps.dcs.testsupport.BranchSigner;
import com.cps.dcs.testsupport.Kafka;
import com.cps.dcs.testsupport.Postgres;
import com.cps.dcs.testsupport.Refusals;
import com.cps.dcs.testsupport.Refusals.Refusal;
import com.cps.dcs.testsupport.RegionCluster;
import com.cps.dcs.testsupport.TempDirs;
import com.cps.dcs.testsupport.TestCredentials;
import com.cps.dcs.testsupport.contract.SwarmContract;
import com.google.protobuf.Timestamp;
import com.google.rpc.Code;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A hostile or faulty branch against a real regional node (Ratis, PostgreSQL, Kafka): events its registered agent
 * really signed but whose content breaks the input rules, hostile reads and CRDT uploads. Each is refused at the edge
 * with the field named, before anything is proposed to Raft: the region's event count and CRDTs do not move, and the
 * branch's next valid sale is still committed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegionHostileIT {
  static final String TENANT = "tenant-hostile";
  RegionCluster cluster;
  BranchSigner branch;
  String node;

  @BeforeAll
  void startRegion() throws Exception {
    String url = Postgres.shared().createDatabase("region_hostile");
    String topic = "dcs.events.hostile." + UUID.randomUUID().toString().substring(0, 8);
    Kafka.shared().createTopic(topic, 1);
    cluster = new RegionCluster(Path.of("target", "regional-agent.jar"), 1, TENANT, "region-hostile", url,
        Kafka.shared().bootstrapServers(), topic, TempDirs.create("region-hostile"), 1000);
    cluster.startAll();
    cluster.awaitLeader(Duration.ofSeconds(60));
    node = cluster.running().get(0);
    branch = new BranchSigner(cluster.keyDir, TENANT, "branch-h", "agent-branch-h");
    cluster.register(node, branch.registration());
  }

  @AfterAll
  void stopRegion() {
    if (cluster != null) {
      cluster.close();
    }
  }

  AccountingSwarmProtocolGrpc.AccountingSwarmProtocolBlockingStub swarm() {
    return AccountingSwarmProtocolGrpc.newBlockingStub(cluster.channels.get(node))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  long stored() throws Exception {
    return cluster.eventsInRegion(branch.branchId());
  }

  /** A sale the branch's agent signed with {@code change} in it is refused naming {@code field}; nothing stored. */
  void refused(UnaryOperator<SovereignFinancialEvent.Builder> change, String field) throws Exception {
    long before = stored();
    SovereignFinancialEvent e = branch.wouldBeNext(1190, change);
    Refusal r = Refusals.of(() -> swarm().broadcastFinancialEvent(e));
    assertThat(r.code()).as(r.message()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(r.fields()).as(r.message()).contains(field);
    // the next valid sale, at the same stream position, still commits: the refused one took nothing
    assertThat(swarm().broadcastFinancialEvent(branch.nextSale(500)).getSuccess()).isTrue();
    assertThat(stored()).isEqualTo(before + 1);
  }

  static HybridLogicalClock hlc(long ms, int logical) {
    return HybridLogicalClock.newBuilder().setPhysicalMs(ms).setLogical(logical).setNodeId("agent-branch-h").build();
  }

  @Test
  void aSignedEventWithANulByteInItsStreamIdIsRefusedBeforeRaft() throws Exception {
    refused(b -> b.setStreamId("a\u0000b"), "stream_id");
  }

  @Test
  void aSignedEventWithANegativeOrHugeLogicalClockIsRefused() throws Exception {
    refused(b -> b.setCausalContext(CausalContext.newBuilder().setHlc(hlc(-1, 0))), "causal_context.hlc.physical_ms");
    refused(b -> b.setCausalContext(CausalContext.newBuilder().setHlc(hlc(System.currentTimeMillis() + 50_000,
        2147483646))), "causal_context.hlc.logical");
  }

  @Test
  void aSignedEventFromTheFarFutureOrFarPastIsRefused() throws Exception {
    refused(b -> b.setTs(Timestamp.newBuilder().setSeconds(4102444800L)), "ts");
    refused(b -> b.setTs(Timestamp.newBuilder().setSeconds(1577836800L)), "ts");
  }

  @Test
  void aSignedNegativeSaleIsRefused() throws Exception {
    refused(b -> b.setAmountMinor(-1190).setAmount(-11.9), "amount_minor");
  }

  @Test
  void aSignedEventOfAnUnknownTypeIsRefused() throws Exception {
    refused(b -> b.setTypeValue(777), "type");
  }

  @Test
  void aBadEventInABatchFailsItsOwnAckOnly() throws Exception {
    long before = stored();
    SovereignFinancialEvent first = branch.nextSale(100);
    SovereignFinancialEvent bad = branch.wouldBeNext(100, b -> b.setCreatedBy("cashier\u0000"));
    SovereignFinancialEvent third = branch.nextSale(100);
    BatchAckResponse acks = cluster.stream(node, List.of(first, bad, third));
    assertThat(acks.getIndividualResponsesList()).extracting(AckResponse::getSuccess)
        .containsExactly(true, false, true);
    assertThat(acks.getIndividualResponses(1).getMessage()).contains("created_by");
    assertThat(stored()).isEqualTo(before + 2);
  }

  @Test
  void readsWithHostileIdsAreInvalidNotDatabaseErrors() {
    assertThat(Refusals.of(() -> swarm().getEventsByRange(GetEventsRangeRequest.newBuilder()
        .setBranchId("b\u0000").build())).fields()).containsExactly("branch_id");
    assertThat(Refusals.of(() -> swarm().getEventById(GetEventRequest.newBuilder().setEventId("e\u0000").build()))
        .fields()).containsExactly("event_id");
    assertThat(Refusals.of(() -> swarm().subscribeEvents(SubscribeRequest.newBuilder().setBranchId("b\u0000")
        .build()).hasNext()).fields()).containsExactly("branch_id");
    GetEventsRangeRequest.Builder many = GetEventsRangeRequest.newBuilder();
    for (int i = 0; i < 100; i++) {
      many.addTypeFilter(EventType.SALE_COMPLETED);
    }
    assertThat(Refusals.of(() -> swarm().getEventsByRange(many.build())).fields()).containsExactly("type_filter");
  }

  @Test
  void reconciliationsAndConflictsAreBounded() {
    Refusal range = Refusals.of(() -> swarm().requestReconciliation(ReconciliationRequest.newBuilder()
        .setBranchId(branch.branchId()).setStartTimestamp(1).setEndTimestamp(400L * 86_400_000L).build()));
    assertThat(range.fields()).containsExactly("end_timestamp");
    Refusal nul = Refusals.of(() -> swarm().resolveLedgerConflict(ConflictResolutionRequest.newBuilder()
        .addConflictingEvents(branch.wouldBeNext(1, b -> b)).addConflictingEvents(branch.wouldBeNext(1,
            b -> b.setBranchId("\u0000")))
        .build()));
    assertThat(nul.code()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(nul.fields()).containsExactly("conflicting_events[1].branch_id");
  }

  // --- CRDT uploads, signed by the registered branch --------------------------------------------------------------

  void refusedUpload(CRDTStateBundle hostile, String field) throws Exception {
    List<CRDTStateBundle> before = cluster.crdts(node);
    Refusal r = Refusals.of(() -> RegionCluster.syncCrdts(cluster.async(node), List.of(hostile), branch));
    assertThat(r.code()).as(r.message()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(r.fields()).as(r.message()).contains(field);
    assertThat(cluster.crdts(node)).containsExactlyInAnyOrderElementsOf(before);
  }

  static CRDTStateBundle price(String value, long atMs) {
    return CRDTStateBundle.newBuilder().setBranchId("branch-h").setCrdtId("price:p-hostile")
        .setCrdtType("LWWRegister").setSerializedState(LWWRegister.newBuilder().setValue(value)
            .setNodeId("branch-h").setTimestamp(hlc(atMs, 0)).build().toByteString()).build();
  }

  @Test
  void aNegativeOrNonNumericPriceIsNeverMergedIntoTheRegion() throws Exception {
    refusedUpload(price("-5000", System.currentTimeMillis()), "bundles[0].serialized_state.value");
    refusedUpload(price("NaN", System.currentTimeMillis()), "bundles[0].serialized_state.value");
  }

  @Test
  void aPriceStampedInTheYear2100IsNeverMergedIntoTheRegion() throws Exception {
    refusedUpload(price("100", 4102444800000L), "bundles[0].serialized_state.timestamp.physical_ms");
  }

  @Test
  void aCounterEntryOfTwoToTheSixtyThreeIsNeverMergedIntoTheRegion() throws Exception {
    refusedUpload(CRDTStateBundle.newBuilder().setBranchId("branch-h").setCrdtId("stock:p-hostile")
        .setCrdtType("PNCounter").setSerializedState(PNCounter.newBuilder()
            .putIncrements("branch-h", Long.MAX_VALUE).build().toByteString()).build(),
        "bundles[0].serialized_state.increments[branch-h]");
  }

  @Test
  void aValidSignedPriceIsStillMerged() throws Exception {
    List<CRDTStateBundle> merged = RegionCluster.syncCrdts(cluster.async(node),
        List.of(price("250", System.currentTimeMillis())), branch);
    assertThat(merged).extracting(CRDTStateBundle::getCrdtId).contains("price:p-hostile");
  }

  /** The swarm core's contract, run against this region. */
  @Nested
  class Contract extends SwarmContract {
    @Override
    protected AccountingSwarmProtocolGrpc.AccountingSwarmProtocolBlockingStub swarm() {
      return RegionHostileIT.this.swarm();
    }

    @Override
    protected AccountingSwarmProtocolGrpc.AccountingSwarmProtocolStub swarmAsync() {
      return cluster.async(node);
    }

    @Override
    protected Path keyDir() {
      return cluster.keyDir;
    }

    @Override
    protected String tenantId() {
      return TENANT;
    }

    @Override
    protected String branchId() {
      return "branch-contract";
    }
  }

  /**
   * Who may call a regional node: the tokens are minted with the tenant's token key in the region's key folder; a
   * refused call stores nothing.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class CallerChecks {
    final TokenMinter minter = TokenMinter.fromKeyDir(cluster.keyDir, TENANT, InstantSource.system());

    AccountingSwarmProtocolGrpc.AccountingSwarmProtocolBlockingStub as(String tokenOrNull) {
      var stub = AccountingSwarmProtocolGrpc.newBlockingStub(bare).withDeadlineAfter(30, TimeUnit.SECONDS);
      return tokenOrNull == null ? stub : stub.withInterceptors(TestCredentials.bearer(tokenOrNull));
    }

    io.grpc.ManagedChannel bare;

    @BeforeAll
    void channel() {
      bare = io.grpc.ManagedChannelBuilder.forAddress("127.0.0.1", cluster.ports.get(node)[1]).usePlaintext().build();
    }

    @AfterAll
    void close() {
      bare.shutdownNow();
    }

    void refusedWrite(String token, SovereignFinancialEvent e, Code code, String reason) throws Exception {
      long before = stored();
      Refusal r = Refusals.of(() -> as(token).broadcastFinancialEvent(e));
      assertThat(r.code()).as(r.message()).isEqualTo(code);
      if (reason != null) {
        assertThat(r.reason()).as(r.message()).isEqualTo(reason);
      }
      assertThat(stored()).isEqualTo(before);
    }

    @Test
    void noMalformedExpiredOrForeignCredentialIsUnauthenticatedAndStoresNothing() throws Exception {
      SovereignFinancialEvent e = branch.wouldBeNext(1190, b -> b);
      refusedWrite(null, e, Code.UNAUTHENTICATED, "CREDENTIAL_MISSING");
      refusedWrite("Basic abc", e, Code.UNAUTHENTICATED, null);
      TokenMinter past = TokenMinter.fromKeyDir(cluster.keyDir, TENANT, InstantSource.fixed(Instant.now()
          .minus(Duration.ofHours(13))));
      refusedWrite(past.admin("old").token(), e, Code.UNAUTHENTICATED, "CREDENTIAL_EXPIRED");
      TokenMinter other = TokenMinter.fromKeyDir(TempDirs.create("other-tenant"), "tenant-other",
          InstantSource.system());
      refusedWrite(other.admin("theirs").token(), e, Code.UNAUTHENTICATED, "CREDENTIAL_INVALID");
      refusedWrite(new TokenMinter(new TokenIssuer(TENANT, TokenKeys.generateEphemeral()), InstantSource.system())
          .admin("forger").token(), e, Code.UNAUTHENTICATED, "CREDENTIAL_INVALID");
    }

    @Test
    void aReadOnlyIntegratorCannotWriteAndAManagerOfAnotherBranchCannotRead() throws Exception {
      String readOnly = minter.integrator("reports", TokenScope.integrator(Optional.of(List.of(branch.branchId())),
          Optional.empty(), false), Duration.ofHours(1)).token();
      refusedWrite(readOnly, branch.wouldBeNext(1190, b -> b), Code.PERMISSION_DENIED, "WRITE_NOT_IN_SCOPE");
      String manager = minter.manager("9002", List.of("branch-elsewhere")).token();
      Refusal r = Refusals.of(() -> as(manager).getEventsByRange(GetEventsRangeRequest.newBuilder()
          .setBranchId(branch.branchId()).build()));
      assertThat(r.code()).isEqualTo(Code.PERMISSION_DENIED);
      assertThat(r.reason()).isEqualTo("BRANCH_NOT_IN_SCOPE");
      // a region serves every branch: an empty branch field asks for all of them
      assertThat(Refusals.of(() -> as(manager).getEventsByRange(GetEventsRangeRequest.getDefaultInstance())).reason())
          .isEqualTo("BRANCH_NOT_IN_SCOPE");
    }

    @Test
    void aBranchAgentWritesItsOwnBranchOnlyAndTheAdminIsAllowed() throws Exception {
      String agent = minter.agent(branch.agentId(), TokenScope.branches(List.of(branch.branchId()))).token();
      refusedWrite(agent, branch.wouldBeNext(1190, b -> b.setBranchId("branch-elsewhere")), Code.PERMISSION_DENIED,
          "BRANCH_NOT_IN_SCOPE");
      long before = stored();
      assertThat(as(agent).broadcastFinancialEvent(branch.nextSale(700)).getSuccess()).isTrue();
      assertThat(as(TestCredentials.ADMIN_TOKEN).broadcastFinancialEvent(branch.nextSale(800)).getSuccess()).isTrue();
      assertThat(as(minter.admin("alice").token()).broadcastFinancialEvent(branch.nextSale(900)).getSuccess())
          .isTrue();
      assertThat(stored()).isEqualTo(before + 3);
    }
  }
}
