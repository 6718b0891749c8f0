package com.cps.dcs.localagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.auth.Role;
import com.cps.dcs.kernel.auth.TokenIssuer;
import com.cps.dcs.kernel.auth.TokenKeys;
import com.cps.dcs.kernel.auth.TokenScope;
import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.GetEventsRangeRequest;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.service.auth.TokenMinter;
import com.cps.dcs.testsupport.Refusals;
import com.cps.dcs.testsupport.TempDirs;
import com.cps.dcs.testsupport.TestCredentials;
import com.google.rpc.Code;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real local agent over a real socket checks every caller: the tokens are minted with the tenant's token key from
 * the agent's own key folder, as an admin's tool would; the refused ones write nothing.
 */
class CallerChecksIT {
  static final String BRANCH = "branch-auth";
  static AgentFixture agent;
  static ManagedChannel bare;
  static TokenMinter minter;
  static Path keyDir;

  @BeforeAll
  static void start() {
    agent = new AgentFixture(BRANCH).start("DCS_SAMPLE_DATA=true");
    keyDir = agent.dataDir.resolve("keys");
    minter = TokenMinter.fromKeyDir(keyDir, "tenant-it", InstantSource.system());
    bare = ManagedChannelBuilder.forAddress("127.0.0.1", agent.grpcPort).usePlaintext().build();
  }

  @AfterAll
  static void stop() {
    bare.shutdownNow();
    agent.close();
  }

  static AccountingSwarmProtocolGrpc.AccountingSwarmProtocolBlockingStub swarm(String token) {
    var stub = AccountingSwarmProtocolGrpc.newBlockingStub(bare).withDeadlineAfter(30, TimeUnit.SECONDS);
    return token == null ? stub : stub.withInterceptors(TestCredentials.bearer(token));
  }

  static long eventCount() {
    return swarm(TestCredentials.ADMIN_TOKEN).getEventsByRange(GetEventsRangeRequest.newBuilder().setLimit(1000)
        .build()).getEventsCount();
  }

  /** The write refused with {@code code} and {@code reason}, and nothing written. */
  static void refusedWrite(String token, Code code, String reason, String key) {
    long before = eventCount();
    SovereignFinancialEvent e = AgentFixture.sale("auth-" + key, 100, key).toBuilder().setBranchId(BRANCH).build();
    Refusals.Refusal r = Refusals.of(() -> swarm(token).broadcastFinancialEvent(e));
    assertThat(r.code()).isEqualTo(code);
    if (reason != null) {
      assertThat(r.reason()).isEqualTo(reason);
    }
    assertThat(eventCount()).isEqualTo(before);
  }

  @Test
  void noCredentialIsUnauthenticatedAndWritesNothing() {
    refusedWrite(null, Code.UNAUTHENTICATED, "CREDENTIAL_MISSING", "k-none");
    assertThat(Refusals.of(() -> swarm(null).getEventsByRange(GetEventsRangeRequest.getDefaultInstance())).code())
        .isEqualTo(Code.UNAUTHENTICATED);
  }

  @Test
  void aMalformedCredentialIsUnauthenticated() {
    refusedWrite("not-a-token", Code.UNAUTHENTICATED, "CREDENTIAL_MALFORMED", "k-malformed");
    refusedWrite("dcs1.AAAA.BBBB", Code.UNAUTHENTICATED, null, "k-malformed-2");
    refusedWrite(minter.admin("alice").token() + "x", Code.UNAUTHENTICATED, null, "k-altered");
  }

  @Test
  void anExpiredTokenIsUnauthenticated() {
    TokenMinter past = TokenMinter.fromKeyDir(keyDir, "tenant-it", InstantSource.fixed(Instant.now()
        .minus(Duration.ofHours(13))));
    refusedWrite(past.admin("old-admin").token(), Code.UNAUTHENTICATED, "CREDENTIAL_EXPIRED", "k-expired");
  }

  @Test
  void anotherTenantsTokenIsUnauthenticatedAsAForgedOne() {
    TokenMinter other = TokenMinter.fromKeyDir(TempDirs.create("other-tenant-keys"), "tenant-other",
        InstantSource.system());
    refusedWrite(other.admin("their-admin").token(), Code.UNAUTHENTICATED, "CREDENTIAL_INVALID", "k-other");
    // This tenant's name, signed by a key that is not this tenant's.
    TokenMinter forged = new TokenMinter(new TokenIssuer("tenant-it", TokenKeys.generateEphemeral()),
        InstantSource.system());
    refusedWrite(forged.admin("forger").token(), Code.UNAUTHENTICATED, "CREDENTIAL_INVALID", "k-forged");
  }

  @Test
  void aReadOnlyIntegratorCannotWrite() {
    String token = minter.integrator("reporting", TokenScope.integrator(Optional.of(List.of(BRANCH)),
        Optional.empty(), false), Duration.ofHours(1)).token();
    refusedWrite(token, Code.PERMISSION_DENIED, "WRITE_NOT_IN_SCOPE", "k-readonly");
    // ... but may read its branch
    assertThat(swarm(token).getEventsByRange(GetEventsRangeRequest.newBuilder().setBranchId(BRANCH).setLimit(10)
        .build()).getEventsCount()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void anIntegratorOutsideItsEventTypesCannotWrite() {
    String token = minter.integrator("payments", TokenScope.integrator(Optional.of(List.of(BRANCH)),
        Optional.of(List.of(EventType.PAYMENT_REFUNDED)), true), Duration.ofHours(1)).token();
    refusedWrite(token, Code.PERMISSION_DENIED, "EVENT_TYPE_NOT_IN_SCOPE", "k-type");
  }

  @Test
  void aManagerOfAnotherBranchIsDenied() {
    String token = minter.manager("9002", List.of("branch-elsewhere")).token();
    Refusals.Refusal r = Refusals.of(() -> swarm(token).getEventsByRange(GetEventsRangeRequest.newBuilder()
        .setBranchId(BRANCH).build()));
    assertThat(r.code()).isEqualTo(Code.PERMISSION_DENIED);
    assertThat(r.reason()).isEqualTo("BRANCH_NOT_IN_SCOPE");
    // an empty branch field means the branch this agent serves: the same refusal
    assertThat(Refusals.of(() -> swarm(token).getEventsByRange(GetEventsRangeRequest.getDefaultInstance())).reason())
        .isEqualTo("BRANCH_NOT_IN_SCOPE");
    // a manager has no write RPC of the swarm
    refusedWrite(minter.manager("9001", List.of(BRANCH)).token(), Code.PERMISSION_DENIED, "ROLE_REQUIRED",
        "k-manager");
  }

  @Test
  void theBootstrapAdminAndAMintedAdminAreAllowed() {
    long before = eventCount();
    SovereignFinancialEvent e = AgentFixture.sale("auth-admin", 100, "k-admin");
    assertThat(swarm(TestCredentials.ADMIN_TOKEN).broadcastFinancialEvent(e).getSuccess()).isTrue();
    String admin = minter.admin("alice").token();
    assertThat(swarm(admin).broadcastFinancialEvent(AgentFixture.sale("auth-admin-2", 100, "k-admin-2"))
        .getSuccess()).isTrue();
    assertThat(eventCount()).isEqualTo(before + 2);
    // a manager of this branch reads it
    assertThat(swarm(minter.manager("9001", List.of(BRANCH)).token()).getEventsByRange(
        GetEventsRangeRequest.newBuilder().setLimit(1000).build()).getEventsCount()).isEqualTo((int) before + 2);
  }

  @Test
  void healthAndThePosSignInNeedNoBearerCredential() {
    assertThat(HealthGrpc.newBlockingStub(bare).withDeadlineAfter(30, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(PosTraffic.till(bare, "1001", "1234", "till-auth")).isNotEmpty();
  }

  @Test
  void aRoleTheTableDoesNotListIsDenied() {
    String cashier = minter.mint("1001", EnumSet.of(Role.CASHIER), TokenScope.branches(List.of(BRANCH)),
        Duration.ofHours(1)).token();
    Refusals.Refusal r = Refusals.of(() -> swarm(cashier).getEventsByRange(GetEventsRangeRequest.getDefaultInstance()));
    assertThat(r.code()).isEqualTo(Code.PERMISSION_DENIED);
    assertThat(r.reason()).isEqualTo("ROLE_REQUIRED");
  }

  @Test
  void aClientsEventSaysWhoCalledNotWhoTheRequestNames() {
    String erp = minter.integrator("erp-7", TokenScope.integrator(Optional.of(List.of(BRANCH)), Optional.empty(),
        true), Duration.ofHours(1)).token();
    SovereignFinancialEvent claimed = AgentFixture.sale("auth-attrib", 100, "k-attrib").toBuilder()
        .setBranchId(BRANCH).setCreatedBy("mallory").setApprovedBy("9001").build();
    String id = swarm(erp).broadcastFinancialEvent(claimed).getEventId();
    SovereignFinancialEvent stored = swarm(TestCredentials.ADMIN_TOKEN).getEventById(
        com.cps.dcs.proto.v4.GetEventRequest.newBuilder().setEventId(id).build());
    assertThat(stored.getCreatedBy()).isEqualTo("erp-7");
    assertThat(stored.getApprovedBy()).isEmpty(); // an integrator approves nothing: the claimed approval is dropped
    // the tenant's admin may approve: the approval stands, as the admin's own
    SovereignFinancialEvent approved = AgentFixture.sale("auth-attrib-2", 100, "k-attrib-2").toBuilder()
        .setBranchId(BRANCH).setCreatedBy("mallory").setApprovedBy("9001").build();
    String id2 = swarm(TestCredentials.ADMIN_TOKEN).broadcastFinancialEvent(approved).getEventId();
    assertThat(swarm(TestCredentials.ADMIN_TOKEN).getEventById(com.cps.dcs.proto.v4.GetEventRequest.newBuilder()
        .setEventId(id2).build()).getApprovedBy()).isEqualTo(com.cps.dcs.service.auth.Caller.BOOTSTRAP_SUBJECT);
  }
}
