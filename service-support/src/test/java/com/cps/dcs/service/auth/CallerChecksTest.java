package com.cps.dcs.service.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.kernel.auth.Role;
import com.cps.dcs.kernel.auth.TokenScope;
import com.cps.dcs.proto.ops.v1.DeadLetterServiceGrpc;
import com.cps.dcs.proto.ops.v1.ListDeadLettersRequest;
import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.BranchQuery;
import com.cps.dcs.proto.v4.ConflictResolutionRequest;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.GetEventRequest;
import com.cps.dcs.proto.v4.GetEventsRangeRequest;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import io.grpc.MethodDescriptor;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallerChecksTest {
  static final Optional<String> BRANCH_1 = Optional.of("branch-1");
  static final Optional<String> REGION = Optional.empty();

  static Caller caller(Set<Role> roles, TokenScope scope) {
    return new Caller("tenant-a", "someone", roles, scope, "tok");
  }

  static RpcRule rule(MethodDescriptor<?, ?> m) {
    return DcsRpcTable.TABLE.find(m.getFullMethodName()).orElseThrow();
  }

  @Test
  void aCallerWithoutTheRoleIsDeniedNamingTheRolesNeeded() {
    Caller cashier = caller(EnumSet.of(Role.CASHIER), TokenScope.branches(List.of("branch-1")));
    var d = CallerChecks.call(rule(QueryProtocolGrpc.getGetBranchSummaryMethod()), cashier).orElseThrow();
    assertThat(d.reason()).isEqualTo("ROLE_REQUIRED");
    assertThat(d.metadata()).containsEntry("required_roles", "manager,admin,integrator");
    assertThat(d.description()).contains("GetBranchSummary needs the role manager or admin or integrator")
        .contains("has cashier");
    assertThat(d.toStatus().getStatus().getCode()).isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED);
    Caller manager = caller(EnumSet.of(Role.MANAGER), TokenScope.branches(List.of("branch-1")));
    assertThat(CallerChecks.call(rule(QueryProtocolGrpc.getGetBranchSummaryMethod()), manager)).isEmpty();
    assertThat(CallerChecks.call(rule(AccountingSwarmProtocolGrpc.getBroadcastFinancialEventMethod()), manager))
        .get().extracting(CallerChecks.Denial::reason).isEqualTo("ROLE_REQUIRED");
  }

  @Test
  void aReadOnlyCredentialMayNotWrite() {
    Caller reader = caller(EnumSet.of(Role.INTEGRATOR), TokenScope.integrator(Optional.empty(), Optional.empty(),
        false));
    var d = CallerChecks.call(rule(AccountingSwarmProtocolGrpc.getBroadcastFinancialEventMethod()), reader);
    assertThat(d).get().extracting(CallerChecks.Denial::reason).isEqualTo("WRITE_NOT_IN_SCOPE");
    assertThat(d.get().metadata()).containsEntry("scope", "write");
    assertThat(CallerChecks.call(rule(AccountingSwarmProtocolGrpc.getGetEventsByRangeMethod()), reader)).isEmpty();
  }

  @Test
  void theBranchIsReadFromTheRequestAndAnEmptyOneIsTheServedBranchOrEvery() {
    RpcRule summary = rule(QueryProtocolGrpc.getGetBranchSummaryMethod());
    Caller manager = caller(EnumSet.of(Role.MANAGER), TokenScope.branches(List.of("branch-1", "branch-3")));
    assertThat(CallerChecks.needsMessages(summary, manager)).isTrue();
    assertThat(CallerChecks.message(summary, manager, query("branch-1"), REGION)).isEmpty();
    var other = CallerChecks.message(summary, manager, query("branch-2"), REGION).orElseThrow();
    assertThat(other.reason()).isEqualTo("BRANCH_NOT_IN_SCOPE");
    assertThat(other.metadata()).containsEntry("branch", "branch-2").containsEntry("field", "branch_id");
    assertThat(CallerChecks.message(summary, manager, query(""), BRANCH_1)).isEmpty();
    assertThat(CallerChecks.message(summary, manager, query(""), Optional.of("branch-2"))).isPresent();
    assertThat(CallerChecks.message(summary, manager, query(""), REGION).orElseThrow().metadata())
        .containsEntry("branch", "*");
    Caller admin = caller(EnumSet.of(Role.ADMIN), TokenScope.everything());
    assertThat(CallerChecks.needsMessages(summary, admin)).isFalse();
    assertThat(CallerChecks.message(summary, admin, query(""), REGION)).isEmpty();
  }

  @Test
  void aBadBranchIdIsNotEchoedBack() {
    Caller manager = caller(EnumSet.of(Role.MANAGER), TokenScope.branches(List.of("branch-1")));
    var d = CallerChecks.message(rule(QueryProtocolGrpc.getGetBranchSummaryMethod()), manager,
        query("x\u202e".repeat(1000)), REGION).orElseThrow();
    assertThat(d.metadata().get("branch")).isEqualTo("(not a valid id)");
    assertThat(d.description()).hasSizeLessThan(200);
  }

  @Test
  void everyBranchOfSeveralMustBeInScope() {
    RpcRule resolve = rule(AccountingSwarmProtocolGrpc.getResolveLedgerConflictMethod());
    Caller agent = caller(EnumSet.of(Role.AGENT), TokenScope.branches(List.of("branch-1")));
    var req = ConflictResolutionRequest.newBuilder().addConflictingEvents(event("branch-1", EventType.SALE_COMPLETED))
        .addConflictingEvents(event("branch-2", EventType.SALE_COMPLETED)).build();
    assertThat(CallerChecks.message(resolve, agent, req, REGION).orElseThrow().metadata())
        .containsEntry("branch", "branch-2");
  }

  @Test
  void integratorsAreHeldToTheirEventTypes() {
    Caller integrator = caller(EnumSet.of(Role.INTEGRATOR), TokenScope.integrator(Optional.of(List.of("branch-1")),
        Optional.of(List.of(EventType.SALE_COMPLETED)), true));
    RpcRule broadcast = rule(AccountingSwarmProtocolGrpc.getBroadcastFinancialEventMethod());
    assertThat(CallerChecks.call(broadcast, integrator)).isEmpty();
    assertThat(CallerChecks.message(broadcast, integrator, event("branch-1", EventType.SALE_COMPLETED), REGION))
        .isEmpty();
    var ledger = CallerChecks.message(broadcast, integrator, event("branch-1", EventType.LEDGER_ENTRY_POSTED), REGION)
        .orElseThrow();
    assertThat(ledger.reason()).isEqualTo("EVENT_TYPE_NOT_IN_SCOPE");
    assertThat(ledger.metadata()).containsEntry("event_type", "LEDGER_ENTRY_POSTED");

    RpcRule range = rule(AccountingSwarmProtocolGrpc.getGetEventsByRangeMethod());
    var all = GetEventsRangeRequest.newBuilder().setBranchId("branch-1").build();
    assertThat(CallerChecks.message(range, integrator, all, REGION).orElseThrow().metadata())
        .containsEntry("event_type", "*");
    var sales = all.toBuilder().addTypeFilter(EventType.SALE_COMPLETED).build();
    assertThat(CallerChecks.message(range, integrator, sales, REGION)).isEmpty();

    RpcRule byId = rule(AccountingSwarmProtocolGrpc.getGetEventByIdMethod());
    assertThat(CallerChecks.call(byId, integrator)).get().extracting(CallerChecks.Denial::reason)
        .isEqualTo("EVENT_TYPE_NOT_IN_SCOPE");
    Caller everyType = caller(EnumSet.of(Role.INTEGRATOR), TokenScope.integrator(
        Optional.of(List.of("branch-1")), Optional.empty(), false));
    assertThat(CallerChecks.call(byId, everyType)).isEmpty();
    assertThat(CallerChecks.message(byId, everyType, GetEventRequest.newBuilder().setBranchId("branch-1").build(),
        REGION)).isEmpty();
  }

  @Test
  void aListingOfEveryBranchNeedsEveryBranch() {
    RpcRule dead = rule(DeadLetterServiceGrpc.getListDeadLettersMethod());
    Caller scoped = caller(EnumSet.of(Role.ADMIN), TokenScope.branches(List.of("branch-1")));
    assertThat(CallerChecks.call(dead, scoped)).get().extracting(CallerChecks.Denial::reason)
        .isEqualTo("BRANCH_NOT_IN_SCOPE");
    assertThat(CallerChecks.call(dead, caller(EnumSet.of(Role.ADMIN), TokenScope.everything()))).isEmpty();
    assertThat(dead.branches().branchesOf(ListDeadLettersRequest.getDefaultInstance())).isEmpty();
  }

  @Test
  void theTableRefusesMistakes() {
    var b = RpcTable.builder();
    b.bearer(QueryProtocolGrpc.getGetBranchSummaryMethod(), Access.READ, Role.MANAGER);
    b.bearer(QueryProtocolGrpc.getGetBranchSummaryMethod(), Access.READ, Role.INTEGRATOR);
    assertThatThrownBy(b::build).hasMessageContaining("declared twice");
    assertThatThrownBy(() -> new RpcRule("a.B/C", RpcRule.Check.BEARER, EnumSet.of(Role.MANAGER), Access.READ,
        BranchRule.none(), EventTypeRule.none(), "")).hasMessageContaining("admin");
    assertThatThrownBy(() -> new RpcRule("a.B/*", RpcRule.Check.BEARER, EnumSet.of(Role.ADMIN), Access.READ,
        BranchRule.none(), EventTypeRule.none(), "")).hasMessageContaining("open");
    RpcRule summary = rule(QueryProtocolGrpc.getGetBranchSummaryMethod());
    assertThatThrownBy(() -> summary.branches().branchesOf(GetEventRequest.getDefaultInstance()))
        .isInstanceOf(IllegalStateException.class);
  }

  static BranchQuery query(String branch) {
    return BranchQuery.newBuilder().setBranchId(branch).build();
  }

  static SovereignFinancialEvent event(String branch, EventType type) {
    return SovereignFinancialEvent.newBuilder().setBranchId(branch).setType(type).build();
  }
}
