package com.cps.dcs.service.auth;

import static com.cps.dcs.kernel.auth.Role.AGENT;
import static com.cps.dcs.kernel.auth.Role.CASHIER;
import static com.cps.dcs.kernel.auth.Role.INTEGRATOR;
import static com.cps.dcs.kernel.auth.Role.MANAGER;

import com.cps.dcs.proto.controlplane.ControlPlaneGrpc;
import com.cps.dcs.proto.ops.v1.DeadLetterServiceGrpc;
import com.cps.dcs.proto.ops.v1.QuarantineServiceGrpc;
import com.cps.dcs.proto.payments.orchestration.v2.PaymentOrchestratorServiceGrpc;
import com.cps.dcs.proto.payments.quotation.v2.CreateQuoteRequest;
import com.cps.dcs.proto.payments.quotation.v2.QuotationServiceGrpc;
import com.cps.dcs.proto.payments.quotation.v2.QuoteIntent;
import com.cps.dcs.proto.pos.v1.PosServiceGrpc;
import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may call each RPC of DCS (docs/security.md, "Callers and roles"). Admin is allowed on every bearer RPC; the
 * other roles as the roles say: managers their branches' queries and reads, integrators what their scope
 * allows, agents the service-to-service sync; cashiers work through PosService, which checks its own session token.
 * A test checks that every method of every service in the proto module has an entry here.
 */
public final class DcsRpcTable {
  /** The table every DCS service installs. */
  public static final RpcTable TABLE = build();

  private DcsRpcTable() {}

  private static RpcTable build() {
    RpcTable.Builder t = RpcTable.builder();
    t.openService("grpc.health.v1.Health", "load balancers and ./dcs run poll it");
    t.openService("grpc.reflection.v1alpha.ServerReflection", "grpcurl and Postman list the services");
    t.openService("grpc.reflection.v1.ServerReflection", "grpcurl and Postman list the services");
    swarm(t);
    query(t);
    pos(t);
    ops(t);
    controlPlane(t);
    payments(t);
    return t.build();
  }

  /** AccountingSwarmProtocol: branches (local agents), regions and the master. */
  private static void swarm(RpcTable.Builder t) {
    t.bearer(AccountingSwarmProtocolGrpc.getBroadcastFinancialEventMethod(), Access.WRITE, AGENT, INTEGRATOR)
        .branch("branch_id", SovereignFinancialEvent::getBranchId)
        .eventType("type", SovereignFinancialEvent::getType)
        .note("one event; an integrator needs write scope, the branch and the event type");
    t.bearer(AccountingSwarmProtocolGrpc.getGetEventByIdMethod(), Access.READ, MANAGER, AGENT, INTEGRATOR)
        .branch("branch_id", r -> r.getBranchId()).everyEventType()
        .note("the type is known from the answer only: an integrator needs every event type");
    t.bearer(AccountingSwarmProtocolGrpc.getGetEventsByRangeMethod(), Access.READ, MANAGER, AGENT, INTEGRATOR)
        .branch("branch_id", r -> r.getBranchId())
        .eventTypeFilter("type_filter", r -> r.getTypeFilterList())
        .note("an empty type_filter asks for every type");
    t.bearer(AccountingSwarmProtocolGrpc.getSubscribeEventsMethod(), Access.READ, MANAGER, AGENT, INTEGRATOR)
        .branch("branch_id", r -> r.getBranchId())
        .eventTypeFilter("event_types", r -> r.getEventTypesList())
        .note("server stream; an empty event_types asks for every type");
    t.bearer(AccountingSwarmProtocolGrpc.getRequestReconciliationMethod(), Access.READ, MANAGER, AGENT)
        .branch("branch_id", r -> r.getBranchId());
    t.bearer(AccountingSwarmProtocolGrpc.getStreamReconciliationMethod(), Access.READ, MANAGER, AGENT)
        .branch("branch_id", r -> r.getBranchId());
    t.bearer(AccountingSwarmProtocolGrpc.getResolveLedgerConflictMethod(), Access.WRITE, AGENT)
        .branches("conflicting_events[].branch_id",
            r -> r.getConflictingEventsList().stream().map(SovereignFinancialEvent::getBranchId).toList())
        .note("agents forward AGENT_VOTE and MASTER_DECIDES to the master");
    t.bearer(AccountingSwarmProtocolGrpc.getStreamOfflineEventsMethod(), Access.WRITE, AGENT)
        .branch("branch_id", SovereignFinancialEvent::getBranchId)
        .eventType("type", SovereignFinancialEvent::getType)
        .note("client stream: every event is checked against the scope");
    t.bearer(AccountingSwarmProtocolGrpc.getStreamCRDTUpdatesMethod(), Access.WRITE, AGENT)
        .branch("branch_id", CRDTStateBundle::getBranchId).note("client stream: every bundle is checked");
    t.bearer(AccountingSwarmProtocolGrpc.getSwarmEventExchangeMethod(), Access.WRITE, AGENT)
        .branch("branch_id", SovereignFinancialEvent::getBranchId)
        .eventType("type", SovereignFinancialEvent::getType)
        .note("bidirectional: every event sent in is checked");
    t.bearer(AccountingSwarmProtocolGrpc.getSyncCRDTStateMethod(), Access.WRITE, AGENT)
        .branch("branch_id", CRDTStateBundle::getBranchId).note("bidirectional: every bundle sent in is checked");
    t.bearer(AccountingSwarmProtocolGrpc.getAgentCommunicationMethod(), Access.WRITE, AGENT)
        .note("registration and heartbeats; which agent may speak for which branch is the next issue's");
  }

  /** QueryProtocol: on branches (their own read model) and on the query service (every branch of the tenant). */
  private static void query(RpcTable.Builder t) {
    String note = "read model; an empty branch_id is the branch served (a branch) or must be named (query service)";
    t.bearer(QueryProtocolGrpc.getGetBranchSummaryMethod(), Access.READ, MANAGER, INTEGRATOR)
        .branch("branch_id", r -> r.getBranchId()).note(note);
    t.bearer(QueryProtocolGrpc.getGetInventoryStatusMethod(), Access.READ, MANAGER, INTEGRATOR)
        .branch("branch_id", r -> r.getBranchId()).note(note);
    t.bearer(QueryProtocolGrpc.getGetSalesReportMethod(), Access.READ, MANAGER, INTEGRATOR)
        .branch("branch_id", r -> r.getBranchId()).note(note);
    t.bearer(QueryProtocolGrpc.getGetLedgerBalanceMethod(), Access.READ, MANAGER, INTEGRATOR)
        .branch("branch_id", r -> r.getBranchId()).note(note);
    t.bearer(QueryProtocolGrpc.getSubscribeDashboardMethod(), Access.READ, MANAGER, INTEGRATOR)
        .branch("branch_id", r -> r.getBranchId()).note("server stream; " + note);
  }

  /** PosService: open at the transport, checked by the service from the session token in each request. */
  private static void pos(RpcTable.Builder t) {
    String session = "session_token in the body, checked by PosService";
    t.sessionInBody(PosServiceGrpc.getSignInMethod(), Access.WRITE,
        "staff id and PIN (lockout after failed PINs); returns the session token", CASHIER, MANAGER);
    t.sessionInBody(PosServiceGrpc.getSignOutMethod(), Access.WRITE, session, CASHIER, MANAGER);
    t.sessionInBody(PosServiceGrpc.getOpenTillMethod(), Access.WRITE, session, CASHIER, MANAGER);
    t.sessionInBody(PosServiceGrpc.getCloseTillMethod(), Access.WRITE, session, CASHIER, MANAGER);
    t.sessionInBody(PosServiceGrpc.getGetCurrentTillMethod(), Access.READ, session, CASHIER, MANAGER);
    t.sessionInBody(PosServiceGrpc.getListCatalogMethod(), Access.READ, session, CASHIER, MANAGER);
    t.sessionInBody(PosServiceGrpc.getLookupBarcodeMethod(), Access.READ, session, CASHIER, MANAGER);
    t.sessionInBody(PosServiceGrpc.getCheckoutMethod(), Access.WRITE,
        session + "; discounts over the limit need a manager's approval (id and PIN)", CASHIER, MANAGER);
    t.sessionInBody(PosServiceGrpc.getRefundMethod(), Access.WRITE,
        session + "; a manager's approval (id and PIN) checked at that moment", CASHIER, MANAGER);
    t.sessionInBody(PosServiceGrpc.getGetReceiptMethod(), Access.READ, session, CASHIER, MANAGER);
    t.sessionInBody(PosServiceGrpc.getUpsertProductMethod(), Access.WRITE, session + "; managers only", MANAGER);
    t.sessionInBody(PosServiceGrpc.getReceiveStockMethod(), Access.WRITE, session + "; managers only", MANAGER);
    t.sessionInBody(PosServiceGrpc.getGetSyncStatusMethod(), Access.READ, session, CASHIER, MANAGER);
  }

  /** The operators' listings: quarantined events (regions) and dead letters (query service). */
  private static void ops(RpcTable.Builder t) {
    t.bearer(QuarantineServiceGrpc.getListQuarantinedMethod(), Access.READ)
        .branch("branch_id", r -> r.getBranchId()).note("operators; an empty branch_id lists every branch");
    t.bearer(DeadLetterServiceGrpc.getListDeadLettersMethod(), Access.READ)
        .everyBranch().note("operators; records of every branch");
  }

  /** The cluster control plane (seed 003): declared for agents, served by no DCS service today. */
  private static void controlPlane(RpcTable.Builder t) {
    String note = "cluster control plane between nodes; not served by any DCS service yet";
    t.bearer(ControlPlaneGrpc.getPingMethod(), Access.READ, AGENT).note(note);
    t.bearer(ControlPlaneGrpc.getGetLocalActorIdsMethod(), Access.READ, AGENT).note(note);
    t.bearer(ControlPlaneGrpc.getNegotiateMethod(), Access.WRITE, AGENT).note(note);
    t.bearer(ControlPlaneGrpc.getAnnounceOwnershipMethod(), Access.WRITE, AGENT).note(note);
    t.bearer(ControlPlaneGrpc.getApplyMethod(), Access.WRITE, AGENT).note(note);
    t.bearer(ControlPlaneGrpc.getAnnounceExpiryMethod(), Access.WRITE, AGENT).note(note);
    t.bearer(ControlPlaneGrpc.getClosingMethod(), Access.WRITE, AGENT).note(note);
  }

  /** The payments APIs (seed 002): declared for integrators and managers, served by no DCS service yet. */
  private static void payments(RpcTable.Builder t) {
    String note = "not served yet; meta.organization_ref must equal the caller's tenant (the service checks it)";
    t.bearer(PaymentOrchestratorServiceGrpc.getExecutePaymentMethod(), Access.WRITE, MANAGER, INTEGRATOR)
        .branch("meta.branch_id", r -> r.getMeta().getBranchId()).note(note);
    t.bearer(PaymentOrchestratorServiceGrpc.getExecuteBatchPaymentMethod(), Access.WRITE, MANAGER, INTEGRATOR)
        .branch("meta.branch_id", r -> r.getMeta().getBranchId()).note(note);
    t.bearer(PaymentOrchestratorServiceGrpc.getGetPaymentMethod(), Access.READ, MANAGER, INTEGRATOR)
        .branch("meta.branch_id", r -> r.getMeta().getBranchId()).note(note);
    t.bearer(PaymentOrchestratorServiceGrpc.getListPaymentsMethod(), Access.READ, MANAGER, INTEGRATOR)
        .branch("meta.branch_id", r -> r.getMeta().getBranchId()).note(note);
    t.bearer(QuotationServiceGrpc.getCreateQuoteMethod(), Access.WRITE, MANAGER, INTEGRATOR)
        .branches("meta.branch_id, intents[].branch_id", DcsRpcTable::quoteBranches).note(note);
    t.bearer(QuotationServiceGrpc.getAcceptQuoteMethod(), Access.WRITE, MANAGER, INTEGRATOR)
        .branch("meta.branch_id", r -> r.getMeta().getBranchId()).note(note);
  }

  private static List<String> quoteBranches(CreateQuoteRequest r) {
    List<String> branches = new ArrayList<>();
    if (!r.getMeta().getBranchId().isEmpty()) {
      branches.add(r.getMeta().getBranchId());
    }
    for (QuoteIntent i : r.getIntentsList()) {
      if (!i.getBranchId().isEmpty()) {
        branches.add(i.getBranchId());
      }
    }
    return branches.isEmpty() ? List.of("") : branches; // none named: the branch served, or every branch
  }
}
