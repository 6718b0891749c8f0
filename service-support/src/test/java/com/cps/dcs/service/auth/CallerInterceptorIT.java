package com.cps.dcs.service.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.auth.InMemoryRevocationSet;
import com.cps.dcs.kernel.auth.TokenIssuer;
import com.cps.dcs.kernel.auth.TokenKeys;
import com.cps.dcs.kernel.auth.TokenScope;
import com.cps.dcs.proto.pos.v1.GetSyncStatusRequest;
import com.cps.dcs.proto.pos.v1.PosServiceGrpc;
import com.cps.dcs.proto.pos.v1.SyncStatus;
import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.BatchAckResponse;
import com.cps.dcs.proto.v4.BranchQuery;
import com.cps.dcs.proto.v4.BranchSummary;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.proto.v4.SubscribeRequest;
import com.cps.dcs.service.grpc.DcsGrpcServer;
import com.cps.dcs.service.grpc.GrpcErrors;
import com.cps.dcs.testsupport.FreePorts;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;
import com.linecorp.armeria.server.Server;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The caller interceptor on a real server over a real socket: a branch's server (it serves branch-1) with
 * QueryProtocol, AccountingSwarmProtocol and PosService implemented minimally here, called by a real gRPC client
 * with every kind of credential.
 */
class CallerInterceptorIT {
  static final String TENANT = "tenant-a";
  static final String ADMIN_SECRET = "bootstrap-secret-for-the-IT-0123456789";

  @TempDir
  static Path keyDir;

  static Server server;
  static Server bareServer;
  static ManagedChannel channel;
  static ManagedChannel bareChannel;
  static int port;
  static TokenMinter minter;
  static InMemoryRevocationSet revocations;

  /** What the services saw: every event written, every caller, every stream started or cancelled. */
  static final List<String> written = Collections.synchronizedList(new ArrayList<>());
  static final AtomicReference<Caller> lastCaller = new AtomicReference<>();
  static final AtomicInteger streamsStarted = new AtomicInteger();
  static final AtomicInteger summariesAnswered = new AtomicInteger();
  static volatile CountDownLatch streamCancelled = new CountDownLatch(1);

  static final class Query extends QueryProtocolGrpc.QueryProtocolImplBase {
    @Override
    public void getBranchSummary(BranchQuery r, StreamObserver<BranchSummary> out) {
      lastCaller.set(Caller.require());
      summariesAnswered.incrementAndGet();
      out.onNext(BranchSummary.newBuilder().setBranchId(r.getBranchId().isEmpty() ? "branch-1" : r.getBranchId())
          .setTodaySalesMinor(12_345).setCurrency("EUR").build());
      out.onCompleted();
    }
  }

  static final class Swarm extends AccountingSwarmProtocolGrpc.AccountingSwarmProtocolImplBase {
    @Override
    public void broadcastFinancialEvent(SovereignFinancialEvent e, StreamObserver<AckResponse> out) {
      written.add(e.getEventId());
      out.onNext(AckResponse.newBuilder().setSuccess(true).setEventId(e.getEventId()).build());
      out.onCompleted();
    }

    @Override
    public void subscribeEvents(SubscribeRequest r, StreamObserver<SovereignFinancialEvent> out) {
      for (int i = 0; i < 3; i++) {
        out.onNext(SovereignFinancialEvent.newBuilder().setEventId("sub-" + i).setBranchId(r.getBranchId()).build());
      }
      out.onCompleted();
    }

    @Override
    public StreamObserver<SovereignFinancialEvent> streamOfflineEvents(StreamObserver<BatchAckResponse> out) {
      streamsStarted.incrementAndGet();
      return new StreamObserver<>() {
        int n;

        @Override
        public void onNext(SovereignFinancialEvent e) {
          written.add(e.getEventId());
          n++;
        }

        @Override
        public void onError(Throwable t) {
          streamCancelled.countDown();
        }

        @Override
        public void onCompleted() {
          out.onNext(BatchAckResponse.newBuilder().setTotalProcessed(n).build());
          out.onCompleted();
        }
      };
    }
  }

  static final class Pos extends PosServiceGrpc.PosServiceImplBase {
    @Override
    public void getSyncStatus(GetSyncStatusRequest r, StreamObserver<SyncStatus> out) {
      out.onNext(SyncStatus.newBuilder().setRegionReachable(true).setPendingEvents(7).build());
      out.onCompleted();
    }
  }

  @BeforeAll
  static void start() {
    Map<String, String> env = Map.of("DCS_KEY_DIR", keyDir.toString(), "DCS_ADMIN_TOKEN", ADMIN_SECRET);
    revocations = new InMemoryRevocationSet(InstantSource.system());
    CallerInterceptor checks = CallerInterceptor.forService(env, TENANT, Optional.of("branch-1"), revocations,
        InstantSource.system());
    minter = TokenMinter.fromKeyDir(keyDir, TENANT, InstantSource.system());
    port = FreePorts.allocate();
    server = DcsGrpcServer.builder().port(port).callerChecks(checks).addService(new Query())
        .addService(new Swarm()).addService(new Pos()).build();
    server.start().join();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();

    // A server whose table lists no QueryProtocol RPC at all: what is not in the table is denied.
    RpcTable bare = RpcTable.builder().openService("grpc.health.v1.Health", "").build();
    var authenticator = new CallerAuthenticator(new com.cps.dcs.kernel.auth.TokenVerifier(TENANT,
        TokenKeys.loadForVerification(keyDir, TENANT), revocations, InstantSource.system()),
        BootstrapAdmin.fromEnvironment(env));
    int barePort = FreePorts.allocate();
    bareServer = DcsGrpcServer.builder().port(barePort)
        .callerChecks(new CallerInterceptor(bare, authenticator, Optional.empty())).addService(new Query()).build();
    bareServer.start().join();
    bareChannel = ManagedChannelBuilder.forAddress("127.0.0.1", barePort).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    for (ManagedChannel c : List.of(channel, bareChannel)) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    server.stop().join();
    bareServer.stop().join();
  }

  static <S extends AbstractStub<S>> S as(S stub, String authorization) {
    Metadata h = new Metadata();
    h.put(CallerAuthenticator.AUTHORIZATION, authorization);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h));
  }

  static QueryProtocolGrpc.QueryProtocolBlockingStub query(String token) {
    var stub = QueryProtocolGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    return token == null ? stub : as(stub, "Bearer " + token);
  }

  static BranchQuery branch(String id) {
    return BranchQuery.newBuilder().setBranchId(id).build();
  }

  static Status refused(Runnable call, io.grpc.Status.Code code) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      return GrpcErrors.statusOf(e);
    }
    throw new AssertionError("the call was allowed");
  }

  static ErrorInfo info(Status s) {
    return GrpcErrors.detail(s, ErrorInfo.class).orElseThrow();
  }

  @Test
  void noCredentialIsUnauthenticatedAndTheServiceDoesNotRun() {
    int before = summariesAnswered.get();
    Status s = refused(() -> query(null).getBranchSummary(branch("branch-1")), io.grpc.Status.Code.UNAUTHENTICATED);
    assertThat(info(s).getReason()).isEqualTo("CREDENTIAL_MISSING");
    assertThat(summariesAnswered.get()).isEqualTo(before);
  }

  @Test
  void aMalformedCredentialIsUnauthenticated() {
    for (String header : List.of("Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer dcs1.AAAA.AAAA")) {
      Status s = refused(() -> as(QueryProtocolGrpc.newBlockingStub(channel), header)
          .getBranchSummary(branch("branch-1")), io.grpc.Status.Code.UNAUTHENTICATED);
      assertThat(info(s).getReason()).as(header).isEqualTo("CREDENTIAL_MALFORMED");
    }
  }

  @Test
  void anExpiredCredentialIsUnauthenticated() {
    Instant thirteenHoursAgo = Instant.now().minus(Duration.ofHours(13));
    var past = new TokenMinter(new TokenIssuer(TENANT, TokenKeys.loadOrCreate(keyDir, TENANT)),
        () -> thirteenHoursAgo).manager("staff-7", List.of("branch-1"));
    Status s = refused(() -> query(past.token()).getBranchSummary(branch("branch-1")),
        io.grpc.Status.Code.UNAUTHENTICATED);
    assertThat(info(s).getReason()).isEqualTo("CREDENTIAL_EXPIRED");
  }

  @Test
  void aRevokedCredentialIsUnauthenticatedFromTheNextCallOn() {
    var m = minter.manager("staff-9", List.of("branch-1"));
    assertThat(query(m.token()).getBranchSummary(branch("branch-1")).getTodaySalesMinor()).isEqualTo(12_345);
    revocations.revoke(m.claims().tokenId(), m.claims().expiresAt());
    Status s = refused(() -> query(m.token()).getBranchSummary(branch("branch-1")),
        io.grpc.Status.Code.UNAUTHENTICATED);
    assertThat(info(s).getReason()).isEqualTo("CREDENTIAL_REVOKED");
  }

  @Test
  void anotherTenantsCredentialLooksExactlyLikeAForgedOne() {
    var foreign = new TokenMinter(new TokenIssuer("tenant-b", TokenKeys.generateEphemeral()), InstantSource.system())
        .admin("root");
    String mine = minter.admin("root").token();
    String forged = mine.substring(0, mine.length() - 2) + (mine.endsWith("AA") ? "BA" : "AA");
    Status a = refused(() -> query(foreign.token()).getBranchSummary(branch("branch-1")),
        io.grpc.Status.Code.UNAUTHENTICATED);
    Status b = refused(() -> query(forged).getBranchSummary(branch("branch-1")), io.grpc.Status.Code.UNAUTHENTICATED);
    assertThat(a).isEqualTo(b);
    assertThat(a.getMessage()).doesNotContain("tenant");
    assertThat(info(a).getReason()).isEqualTo("CREDENTIAL_INVALID");
  }

  @Test
  void aValidCredentialWithoutTheRoleIsDeniedNamingTheRole() {
    var cashier = minter.cashier("staff-1", List.of("branch-1"));
    Status s = refused(() -> query(cashier.token()).getBranchSummary(branch("branch-1")),
        io.grpc.Status.Code.PERMISSION_DENIED);
    assertThat(info(s).getReason()).isEqualTo("ROLE_REQUIRED");
    assertThat(info(s).getMetadataMap()).containsEntry("required_roles", "manager,admin,integrator");
    assertThat(s.getMessage()).contains("manager");
  }

  @Test
  void aValidCredentialOutsideItsBranchesIsDeniedAndNothingIsWritten() {
    var manager2 = minter.manager("staff-2", List.of("branch-2"));
    Status s = refused(() -> query(manager2.token()).getBranchSummary(branch("branch-1")),
        io.grpc.Status.Code.PERMISSION_DENIED);
    assertThat(info(s).getReason()).isEqualTo("BRANCH_NOT_IN_SCOPE");
    assertThat(info(s).getMetadataMap()).containsEntry("branch", "branch-1").containsEntry("field", "branch_id");
    // an empty branch_id is the branch this server serves: branch-1, not theirs either
    Status empty = refused(() -> query(manager2.token()).getBranchSummary(branch("")),
        io.grpc.Status.Code.PERMISSION_DENIED);
    assertThat(info(empty).getMetadataMap()).containsEntry("branch", "branch-1");

    var integrator = minter.integrator("acme", TokenScope.integrator(Optional.of(List.of("branch-1")),
        Optional.of(List.of(EventType.SALE_COMPLETED)), true), Duration.ofDays(1));
    var swarm = as(AccountingSwarmProtocolGrpc.newBlockingStub(channel), "Bearer " + integrator.token());
    Status type = refused(() -> swarm.broadcastFinancialEvent(event("int-ledger", "branch-1",
        EventType.LEDGER_ENTRY_POSTED)), io.grpc.Status.Code.PERMISSION_DENIED);
    assertThat(info(type).getMetadataMap()).containsEntry("event_type", "LEDGER_ENTRY_POSTED");
    Status branch = refused(() -> swarm.broadcastFinancialEvent(event("int-b2", "branch-2",
        EventType.SALE_COMPLETED)), io.grpc.Status.Code.PERMISSION_DENIED);
    assertThat(info(branch).getReason()).isEqualTo("BRANCH_NOT_IN_SCOPE");
    assertThat(written).doesNotContain("int-ledger", "int-b2");
    assertThat(swarm.broadcastFinancialEvent(event("int-ok", "branch-1", EventType.SALE_COMPLETED)).getSuccess())
        .isTrue();
    assertThat(written).contains("int-ok");

    var reader = minter.integrator("acme-reader", TokenScope.integrator(Optional.empty(), Optional.empty(), false),
        Duration.ofDays(1));
    Status readOnly = refused(() -> as(AccountingSwarmProtocolGrpc.newBlockingStub(channel), "Bearer "
        + reader.token()).broadcastFinancialEvent(event("ro", "branch-1", EventType.SALE_COMPLETED)),
        io.grpc.Status.Code.PERMISSION_DENIED);
    assertThat(info(readOnly).getReason()).isEqualTo("WRITE_NOT_IN_SCOPE");
    assertThat(written).doesNotContain("ro");
  }

  @Test
  void theAllowedCallIsAnsweredAndTheServiceSeesTheCaller() {
    var manager = minter.manager("staff-7", List.of("branch-1"));
    BranchSummary s = query(manager.token()).getBranchSummary(branch("branch-1"));
    assertThat(s.getTodaySalesMinor()).isEqualTo(12_345);
    Caller seen = lastCaller.get();
    assertThat(seen.subject()).isEqualTo("staff-7");
    assertThat(seen.tenant()).isEqualTo(TENANT);
    assertThat(seen.tokenId()).isEqualTo(manager.claims().tokenId());
    assertThat(query(manager.token()).getBranchSummary(branch("")).getBranchId()).isEqualTo("branch-1");

    assertThat(query(ADMIN_SECRET).getBranchSummary(branch("branch-77")).getBranchId()).isEqualTo("branch-77");
    assertThat(lastCaller.get().subject()).isEqualTo(Caller.BOOTSTRAP_SUBJECT);
  }

  @Test
  void aServerStreamWithinScopeIsServed() {
    var manager = minter.manager("staff-7", List.of("branch-1"));
    var events = as(AccountingSwarmProtocolGrpc.newBlockingStub(channel), "Bearer " + manager.token())
        .subscribeEvents(SubscribeRequest.newBuilder().setBranchId("branch-1").build());
    List<String> ids = new ArrayList<>();
    events.forEachRemaining(e -> ids.add(e.getEventId()));
    assertThat(ids).containsExactly("sub-0", "sub-1", "sub-2");
  }

  @Test
  void aClientStreamIsCheckedMessageByMessage() throws Exception {
    var agent = minter.agent("agent-b1", TokenScope.branches(List.of("branch-1")));
    assertThat(offline(agent.token(), event("s1-a", "branch-1"), event("s1-b", "branch-1"),
        event("s1-c", "branch-1")).get(10, TimeUnit.SECONDS).getTotalProcessed()).isEqualTo(3);

    // a stream that goes outside its branch is ended there, and its service is told the call is over
    streamCancelled = new CountDownLatch(1);
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> offline(agent.token(), event("s2-a", "branch-1"), event("s2-b", "branch-2"), event("s2-c", "branch-1"))
            .get(10, TimeUnit.SECONDS));
    Status s = GrpcErrors.statusOf(e.getCause());
    assertThat(s.getCode()).isEqualTo(com.google.rpc.Code.PERMISSION_DENIED_VALUE);
    assertThat(info(s).getMetadataMap()).containsEntry("branch", "branch-2");
    assertThat(streamCancelled.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(written).contains("s2-a").doesNotContain("s2-b", "s2-c");

    // a stream whose first message is outside the scope never reaches the service
    int started = streamsStarted.get();
    var agent2 = minter.agent("agent-b2", TokenScope.branches(List.of("branch-2")));
    ExecutionException first = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> offline(agent2.token(), event("s3-a", "branch-1")).get(10, TimeUnit.SECONDS));
    assertThat(GrpcErrors.statusOf(first.getCause()).getCode()).isEqualTo(com.google.rpc.Code.PERMISSION_DENIED_VALUE);
    assertThat(streamsStarted.get()).isEqualTo(started);
    assertThat(written).doesNotContain("s3-a");

    // a manager may not use the agents' sync at all
    var manager = minter.manager("staff-7", List.of("branch-1"));
    ExecutionException role = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> offline(manager.token(), event("s4-a", "branch-1")).get(10, TimeUnit.SECONDS));
    assertThat(info(GrpcErrors.statusOf(role.getCause())).getReason()).isEqualTo("ROLE_REQUIRED");
  }

  @Test
  void healthAndThePosSessionCommandsAreOpen() {
    assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(PosServiceGrpc.newBlockingStub(channel).getSyncStatus(GetSyncStatusRequest.getDefaultInstance())
        .getPendingEvents()).isEqualTo(7);
  }

  @Test
  void anRpcMissingFromTheTableIsDeniedEvenToTheAdmin() {
    var stub = QueryProtocolGrpc.newBlockingStub(bareChannel);
    Status s = refused(() -> as(stub, "Bearer " + ADMIN_SECRET).getBranchSummary(branch("branch-1")),
        io.grpc.Status.Code.PERMISSION_DENIED);
    assertThat(info(s).getReason()).isEqualTo("RPC_NOT_ALLOWED");
    refused(() -> stub.getBranchSummary(branch("branch-1")), io.grpc.Status.Code.UNAUTHENTICATED);
    assertThat(HealthGrpc.newBlockingStub(bareChannel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void jsonCallsAreCheckedTheSameWay() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest.Builder req = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/cps.enterprise.v4.QueryProtocol/GetBranchSummary"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"branchId\":\"branch-1\"}"));
    HttpResponse<String> anonymous = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    var manager = minter.manager("staff-7", List.of("branch-1"));
    HttpResponse<String> allowed = http.send(req.header("authorization", "Bearer " + manager.token()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.body()).contains("12345");
  }

  static SovereignFinancialEvent event(String id, String branch) {
    return event(id, branch, EventType.SALE_COMPLETED);
  }

  static SovereignFinancialEvent event(String id, String branch, EventType type) {
    return SovereignFinancialEvent.newBuilder().setEventId(id).setBranchId(branch).setType(type).build();
  }

  static CompletableFuture<BatchAckResponse> offline(String token, SovereignFinancialEvent... events) {
    CompletableFuture<BatchAckResponse> done = new CompletableFuture<>();
    var stub = as(AccountingSwarmProtocolGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS),
        "Bearer " + token);
    StreamObserver<SovereignFinancialEvent> in = stub.streamOfflineEvents(new StreamObserver<>() {
      @Override
      public void onNext(BatchAckResponse r) {
        done.complete(r);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.completeExceptionally(new IllegalStateException("completed without an answer"));
      }
    });
    for (SovereignFinancialEvent e : events) {
      in.onNext(e);
    }
    in.onCompleted();
    return done;
  }
}
