package com.cps.dcs.localagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.proto.pos.v1.CartLine;
import com.cps.dcs.proto.pos.v1.CheckoutRequest;
import com.cps.dcs.proto.pos.v1.OpenTillRequest;
import com.cps.dcs.proto.pos.v1.PosServiceGrpc;
import com.cps.dcs.proto.pos.v1.SignInRequest;
import com.cps.dcs.proto.pos.v1.Tender;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.v4.BranchQuery;
import com.cps.dcs.proto.v4.BranchSummary;
import com.cps.dcs.proto.v4.DashboardSubscription;
import com.cps.dcs.proto.v4.DashboardUpdate;
import com.cps.dcs.proto.v4.InventoryQuery;
import com.cps.dcs.proto.v4.LedgerBalance;
import com.cps.dcs.proto.v4.LedgerQuery;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import com.cps.dcs.proto.v4.SalesReport;
import com.cps.dcs.proto.v4.SalesReportQuery;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The branch's own read side, from its local events, over real gRPC. */
class BranchQueryIT {
  static AgentFixture agent;
  static PosServiceGrpc.PosServiceBlockingStub pos;
  static QueryProtocolGrpc.QueryProtocolBlockingStub query;
  static String token;

  @BeforeAll
  static void start() {
    agent = new AgentFixture("branch-q").start("DCS_SAMPLE_DATA=true");
    pos = PosServiceGrpc.newBlockingStub(agent.channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    query = QueryProtocolGrpc.newBlockingStub(agent.channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    token = pos.signIn(SignInRequest.newBuilder().setCashierId("1001").setPin("1234").setTillId("t1").build())
        .getSessionToken();
    pos.openTill(OpenTillRequest.newBuilder().setSessionToken(token).setOpeningCashMinor(5000).build());
  }

  @AfterAll
  static void stop() {
    agent.close();
  }

  static void sell(String id, String product, long qty, TenderMethod method, long amount) {
    pos.checkout(CheckoutRequest.newBuilder().setSessionToken(token).setCheckoutId(id)
        .addLines(CartLine.newBuilder().setProductId(product).setQuantity(qty))
        .addTenders(Tender.newBuilder().setMethod(method).setAmountMinor(amount).setCardToken("4111111111111111"))
        .build());
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
  void salesShowInTheSummaryTheReportTheLedgerAndTheDashboard() throws Exception {
    List<DashboardUpdate> updates = new CopyOnWriteArrayList<>();
    Context.CancellableContext ctx = Context.current().withCancellation();
    ctx.run(() -> QueryProtocolGrpc.newStub(agent.channel).subscribeDashboard(DashboardSubscription.newBuilder()
        .addMetrics("today_transactions").setUpdateIntervalMs(100).build(), new StreamObserver<>() {
          @Override
          public void onNext(DashboardUpdate u) {
            updates.add(u);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        }));

    sell("q-1", "p-wine", 2, TenderMethod.TENDER_CASH, 2000); // 17.98 cash
    sell("q-2", "p-bread", 1, TenderMethod.TENDER_CARD, 349); // 3.49 card

    BranchSummary s = query.getBranchSummary(BranchQuery.getDefaultInstance());
    assertThat(s.getTodaySalesMinor()).isEqualTo(1798 + 349);
    assertThat(s.getTodaySales()).isEqualTo(21.47);
    assertThat(s.getTodayTransactions()).isEqualTo(2);
    assertThat(s.getActiveSessions()).isEqualTo(1);
    assertThat(s.getCurrentBalanceMinor()).isEqualTo(1798);

    var wine = query.getInventoryStatus(InventoryQuery.newBuilder().setProductId("p-wine").build());
    assertThat(wine.getCurrentQuantity()).isEqualTo(10);
    assertThat(wine.getReservedQuantity()).isZero();
    assertThat(wine.getReorderPoint()).isEqualTo(4);

    SalesReport report = query.getSalesReport(SalesReportQuery.newBuilder().setGroupBy("day")
        .setStartDate(System.currentTimeMillis() - 86_400_000L).build());
    assertThat(report.getTotalSalesMinor()).isEqualTo(2147);
    assertThat(report.getTotalTransactions()).isEqualTo(2);
    assertThat(report.getEntries(0).getByCategoryMinorMap()).containsEntry("Drinks", 1798L)
        .containsEntry("Bakery", 349L);

    LedgerBalance revenue = query.getLedgerBalance(LedgerQuery.newBuilder().setAccountCode("4000").build());
    LedgerBalance tax = query.getLedgerBalance(LedgerQuery.newBuilder().setAccountCode("2100").build());
    assertThat(revenue.getCreditBalanceMinor() + tax.getCreditBalanceMinor()).isEqualTo(2147);
    assertThat(query.getLedgerBalance(LedgerQuery.newBuilder().setAccountCode("1100").build()).getNetBalanceMinor())
        .isEqualTo(349);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (updates.stream().noneMatch(u -> u.getValue() == 2.0) && System.nanoTime() < deadline) {
      Thread.sleep(50); // polling the subscriber's inbox
    }
    ctx.cancel(null);
    assertThat(updates).extracting(DashboardUpdate::getMetricName).containsOnly("today_transactions");
    assertThat(updates.get(updates.size() - 1).getValue()).isEqualTo(2.0);
  }

  @Test
  void badQueriesAreNamed() {
    assertThat(codeOf(() -> query.getSalesReport(SalesReportQuery.newBuilder().setGroupBy("fortnight").build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(codeOf(() -> query.getSalesReport(SalesReportQuery.newBuilder().setStartDate(10).setEndDate(5)
        .build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(codeOf(() -> query.getBranchSummary(BranchQuery.newBuilder().setBranchId("elsewhere").build())))
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(codeOf(() -> query.getInventoryStatus(InventoryQuery.newBuilder().setProductId("p-none").build())))
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(codeOf(() -> query.getLedgerBalance(LedgerQuery.newBuilder().setAccountCode("9999").build())))
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(codeOf(() -> QueryProtocolGrpc.newBlockingStub(agent.channel).subscribeDashboard(
        DashboardSubscription.newBuilder().setUpdateIntervalMs(-1).build()).hasNext()))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }
}
