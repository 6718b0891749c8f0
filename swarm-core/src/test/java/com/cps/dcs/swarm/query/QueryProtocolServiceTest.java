package com.cps.dcs.swarm.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.proto.v4.AlertLevel;
import com.cps.dcs.proto.v4.BranchQuery;
import com.cps.dcs.proto.v4.BranchSummary;
import com.cps.dcs.proto.v4.HybridLogicalClock;
import com.cps.dcs.proto.v4.InventoryQuery;
import com.cps.dcs.proto.v4.InventoryStatus;
import com.cps.dcs.proto.v4.LedgerBalance;
import com.cps.dcs.proto.v4.LedgerQuery;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import com.cps.dcs.proto.v4.SalesReport;
import com.cps.dcs.proto.v4.SalesReportQuery;
import com.cps.dcs.service.grpc.GrpcErrors;
import com.cps.dcs.testsupport.Refusals;
import com.cps.dcs.testsupport.Refusals.Refusal;
import com.google.rpc.Code;
import com.google.rpc.ResourceInfo;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The unary RPCs of {@link QueryProtocolService} over real gRPC, against an in-memory read model of many branches. */
class QueryProtocolServiceTest {
  static final Instant NOW = Instant.parse("2026-11-22T15:00:00Z");
  static final Instant T1 = Instant.parse("2026-11-22T10:15:00Z");
  static final Instant T2 = Instant.parse("2026-11-22T11:40:00Z");
  static final Instant YESTERDAY = Instant.parse("2026-11-21T09:00:00Z");
  static final Instant LAST_MONTH = Instant.parse("2026-10-30T09:00:00Z");

  InMemoryReadModel model;
  SimpleMeterRegistry registry;
  Served served;
  QueryProtocolGrpc.QueryProtocolBlockingStub stub;

  @BeforeEach
  void start() {
    model = new InMemoryReadModel();
    registry = new SimpleMeterRegistry();
    InMemoryReadModel.Branch b1 = model.add("b1");
    b1.salesMinor = 750;
    b1.transactions = 2;
    b1.cashMinor = 1250;
    b1.sessions = 1;
    b1.alerts.add(new ReadModel.Alert(AlertLevel.WARNING, "p1 is low", "p1", T2));
    b1.alerts.add(new ReadModel.Alert(AlertLevel.CRITICAL, "p2 is out", "inventory", null));
    b1.stock.put("p1", new ReadModel.Stock(18, 1, 17, 18, null));
    b1.stock.put("p2", new ReadModel.Stock(40, 5, 35, 10,
        HybridLogicalClock.newBuilder().setPhysicalMs(T1.toEpochMilli()).setNodeId("b1").build()));
    b1.accounts.put("4000", new ReadModel.Ledger("Sales", "USD", 0, 2083,
        HybridLogicalClock.newBuilder().setPhysicalMs(T2.toEpochMilli()).build()));
    // sales: 833 at T1 (food 500, drink 333), 250 at T2 (food), a 333 drink refund at T2, 1000 yesterday (toys),
    // 400 last month
    b1.totals.addAll(List.of(new ReadModel.Total(T1, 833, 1), new ReadModel.Total(T2, 250, 1),
        new ReadModel.Total(T2, -333, 0), new ReadModel.Total(YESTERDAY, 1000, 1),
        new ReadModel.Total(LAST_MONTH, 400, 1)));
    b1.categories.addAll(List.of(new ReadModel.CategoryTotal(T1, "food", 500),
        new ReadModel.CategoryTotal(T1, "drink", 333), new ReadModel.CategoryTotal(T2, "food", 250),
        new ReadModel.CategoryTotal(T2, "drink", -333), new ReadModel.CategoryTotal(YESTERDAY, "toys", 1000),
        new ReadModel.CategoryTotal(LAST_MONTH, "toys", 400)));
    served = new Served(new QueryProtocolService(model, InstantSource.fixed(NOW), registry));
    stub = QueryProtocolGrpc.newBlockingStub(served.channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws InterruptedException {
    served.close();
  }

  static void invalid(Refusals.Call call, String field) {
    Refusal r = Refusals.of(call);
    assertThat(r.code()).as(r.message()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(r.fields()).as(r.message()).containsExactly(field);
    assertThat(r.reason()).isEqualTo("INVALID_ARGUMENT");
  }

  static ResourceInfo notFound(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.NOT_FOUND);
      return GrpcErrors.detail(GrpcErrors.statusOf(e), ResourceInfo.class).orElseThrow();
    }
    throw new AssertionError("the call was accepted");
  }

  // --- refusals ---------------------------------------------------------------------------------------------------

  @Test
  void aMissingOrHostileBranchIdIsInvalidWhereRequestsNameTheirBranch() {
    invalid(() -> stub.getBranchSummary(BranchQuery.getDefaultInstance()), "branch_id");
    invalid(() -> stub.getBranchSummary(BranchQuery.newBuilder().setBranchId("b1\u0000").build()), "branch_id");
    invalid(() -> stub.getInventoryStatus(InventoryQuery.newBuilder().setBranchId("b".repeat(129))
        .setProductId("p1").build()), "branch_id");
    invalid(() -> stub.getSalesReport(SalesReportQuery.newBuilder().setBranchId("b 1").build()), "branch_id");
    invalid(() -> stub.getLedgerBalance(LedgerQuery.newBuilder().setAccountCode("4000").build()), "branch_id");
  }

  @Test
  void timesBeforeTheEpochOrAfterYear9999AreInvalid() {
    invalid(() -> stub.getBranchSummary(BranchQuery.newBuilder().setBranchId("b1").setAsOfTimestamp(-1).build()),
        "as_of_timestamp");
    invalid(() -> stub.getBranchSummary(BranchQuery.newBuilder().setBranchId("b1")
        .setAsOfTimestamp(QueryRules.MAX_TS_MS + 1).build()), "as_of_timestamp");
    invalid(() -> stub.getLedgerBalance(LedgerQuery.newBuilder().setBranchId("b1").setAccountCode("4000")
        .setAsOfDate(Long.MAX_VALUE).build()), "as_of_date");
  }

  @Test
  void aMissingOrHostileProductOrAccountIsInvalid() {
    invalid(() -> stub.getInventoryStatus(InventoryQuery.newBuilder().setBranchId("b1").build()), "product_id");
    invalid(() -> stub.getInventoryStatus(InventoryQuery.newBuilder().setBranchId("b1").setProductId("p\u202e1")
        .build()), "product_id");
    invalid(() -> stub.getLedgerBalance(LedgerQuery.newBuilder().setBranchId("b1").setAccountCode("  ").build()),
        "account_code");
    invalid(() -> stub.getLedgerBalance(LedgerQuery.newBuilder().setBranchId("b1").setAccountCode("1000\n")
        .build()), "account_code");
  }

  @Test
  void aReportWithAnUnknownGroupingOrABadRangeNamesTheFirstBadField() {
    invalid(() -> stub.getSalesReport(SalesReportQuery.newBuilder().setBranchId("b1").setGroupBy("decade")
        .build()), "group_by");
    invalid(() -> stub.getSalesReport(SalesReportQuery.newBuilder().setBranchId("b1").setStartDate(-5).build()),
        "start_date");
    invalid(() -> stub.getSalesReport(SalesReportQuery.newBuilder().setBranchId("b1").setStartDate(2_000)
        .setEndDate(1_000).build()), "end_date");
    invalid(() -> stub.getSalesReport(SalesReportQuery.newBuilder().setBranchId("b1").setStartDate(1_000)
        .setEndDate(-1).build()), "end_date");
    // five years at most; a request without start_date starts at the epoch, so it needs an end within five years
    invalid(() -> stub.getSalesReport(SalesReportQuery.newBuilder().setBranchId("b1").build()), "end_date");
    invalid(() -> stub.getSalesReport(SalesReportQuery.newBuilder().setBranchId("b1").setStartDate(1_000)
        .setEndDate(1_000 + QueryRules.MAX_RANGE_MS + 1).build()), "end_date");
  }

  @Test
  void refusedRequestsNeverReachTheReadModelNorItsTimers() {
    invalid(() -> stub.getBranchSummary(BranchQuery.newBuilder().setBranchId("b1").setAsOfTimestamp(-1).build()),
        "as_of_timestamp");
    invalid(() -> stub.getSalesReport(SalesReportQuery.newBuilder().setBranchId("b1").setGroupBy("year")
        .build()), "group_by");
    assertThat(model.reads).hasValue(0);
    assertThat(registry.find("dcs.query.latency").timers()).isEmpty();
  }

  @Test
  void anUnknownBranchProductOrAccountIsNotFoundNamingIt() {
    ResourceInfo branch = notFound(() -> stub.getBranchSummary(BranchQuery.newBuilder().setBranchId("b9").build()));
    assertThat(branch.getResourceType()).isEqualTo("Branch");
    assertThat(branch.getResourceName()).isEqualTo("b9");
    ResourceInfo product = notFound(() -> stub.getInventoryStatus(InventoryQuery.newBuilder().setBranchId("b1")
        .setProductId("p-none").build()));
    assertThat(product.getResourceType()).isEqualTo("Product");
    assertThat(product.getResourceName()).isEqualTo("p-none");
    ResourceInfo account = notFound(() -> stub.getLedgerBalance(LedgerQuery.newBuilder().setBranchId("b1")
        .setAccountCode("9999").build()));
    assertThat(account.getResourceType()).isEqualTo("Account");
  }

  @Test
  void aReadModelThatCannotBeReadIsUnavailable() {
    model.failure = new ReadModel.Unavailable("the read models are not reachable: connection refused", null);
    Refusal r = Refusals.of(() -> stub.getBranchSummary(BranchQuery.newBuilder().setBranchId("b1").build()));
    assertThat(r.code()).isEqualTo(Code.UNAVAILABLE);
    assertThat(r.message()).contains("not reachable");
  }

  // --- answers ----------------------------------------------------------------------------------------------------

  @Test
  void theSummaryCarriesMinorUnitsWireAmountsAndAlerts() {
    BranchSummary s = stub.getBranchSummary(BranchQuery.newBuilder().setBranchId("b1").build());
    assertThat(s.getBranchId()).isEqualTo("b1");
    assertThat(s.getTodaySalesMinor()).isEqualTo(750);
    assertThat(s.getTodaySales()).isEqualTo(7.50);
    assertThat(s.getTodayTransactions()).isEqualTo(2);
    assertThat(s.getCurrentBalanceMinor()).isEqualTo(1250);
    assertThat(s.getCurrentBalance()).isEqualTo(12.50);
    assertThat(s.getActiveSessions()).isEqualTo(1);
    assertThat(s.getCurrency()).isEqualTo("USD");
    assertThat(s.getLastUpdated().getNodeId()).isEqualTo("n1");
    assertThat(s.getAlertsList()).extracting(a -> a.getSource() + ":" + a.getLevel())
        .containsExactly("p1:WARNING", "inventory:CRITICAL");
    assertThat(s.getAlerts(0).getCreatedAt().getSeconds()).isEqualTo(T2.getEpochSecond());
    assertThat(s.getAlerts(1).hasCreatedAt()).isFalse();
    assertThat(registry.get("dcs.query.latency").tag("rpc", "GetBranchSummary").timer().count()).isEqualTo(1);
  }

  @Test
  void aModelOfOneBranchAnswersForItWhenTheRequestLeavesTheBranchOut() throws InterruptedException {
    InMemoryReadModel one = new InMemoryReadModel("b-own");
    one.change("b-own", b -> b.salesMinor = 1234);
    try (Served s = new Served(new QueryProtocolService(one, InstantSource.fixed(NOW), registry))) {
      var own = QueryProtocolGrpc.newBlockingStub(s.channel).withDeadlineAfter(30, TimeUnit.SECONDS);
      BranchSummary summary = own.getBranchSummary(BranchQuery.getDefaultInstance());
      assertThat(summary.getBranchId()).isEqualTo("b-own");
      assertThat(summary.getTodaySalesMinor()).isEqualTo(1234);
      assertThat(notFound(() -> own.getBranchSummary(BranchQuery.newBuilder().setBranchId("elsewhere").build()))
          .getResourceName()).isEqualTo("elsewhere");
      invalid(() -> own.getBranchSummary(BranchQuery.newBuilder().setBranchId("else\u0000where").build()),
          "branch_id");
    }
  }

  @Test
  void inventoryIsLowAtOrBelowTheReorderPoint() {
    InventoryStatus p1 = stub.getInventoryStatus(InventoryQuery.newBuilder().setBranchId("b1").setProductId("p1")
        .build());
    assertThat(p1.getCurrentQuantity()).isEqualTo(18);
    assertThat(p1.getReservedQuantity()).isEqualTo(1);
    assertThat(p1.getAvailableQuantity()).isEqualTo(17);
    assertThat(p1.getIsLowStock()).isTrue();
    assertThat(p1.hasLastMovement()).isFalse();
    InventoryStatus p2 = stub.getInventoryStatus(InventoryQuery.newBuilder().setBranchId("b1").setProductId("p2")
        .build());
    assertThat(p2.getIsLowStock()).isFalse();
    assertThat(p2.getLastMovement().getPhysicalMs()).isEqualTo(T1.toEpochMilli());
    assertThat(p2.getBranchId()).isEqualTo("b1");
    assertThat(p2.getProductId()).isEqualTo("p2");
  }

  @Test
  void theLedgerBalanceIsDebitMinusCredit() {
    LedgerBalance l = stub.getLedgerBalance(LedgerQuery.newBuilder().setBranchId("b1").setAccountCode("4000")
        .build());
    assertThat(l.getAccountName()).isEqualTo("Sales");
    assertThat(l.getCreditBalanceMinor()).isEqualTo(2083);
    assertThat(l.getNetBalanceMinor()).isEqualTo(-2083);
    assertThat(l.getNetBalance()).isEqualTo(-20.83);
    assertThat(l.getCurrency()).isEqualTo("USD");
  }

  @Test
  void aDailyReportSumsEachDayWithItsCategoriesTotalsAndAverage() {
    SalesReport daily = stub.getSalesReport(SalesReportQuery.newBuilder().setBranchId("b1")
        .setStartDate(YESTERDAY.toEpochMilli()).build()); // end 0: now
    assertThat(model.lastSales).containsExactly("b1", YESTERDAY.toEpochMilli(), NOW.toEpochMilli(), Grouping.DAY);
    assertThat(daily.getEntriesList()).extracting(e -> e.getPeriod() + "=" + e.getSalesAmountMinor() + "/"
        + e.getTransactionCount()).containsExactly("2026-11-21=1000/1", "2026-11-22=750/2");
    assertThat(daily.getEntries(1).getByCategoryMinorMap()).isEqualTo(Map.of("food", 750L, "drink", 0L));
    assertThat(daily.getEntries(1).getByCategoryMap()).isEqualTo(Map.of("food", 7.50, "drink", 0.0));
    assertThat(daily.getTotalSalesMinor()).isEqualTo(1750);
    assertThat(daily.getTotalSales()).isEqualTo(17.50);
    assertThat(daily.getTotalTransactions()).isEqualTo(3);
    assertThat(daily.getAverageTransaction()).isEqualTo(5.83); // 1750 / 3, half-even to the cent
    assertThat(daily.getCurrency()).isEqualTo("USD");
  }

  @Test
  void hourlyWeeklyAndMonthlyReportsGroupTheSameRows() {
    SalesReportQuery.Builder q = SalesReportQuery.newBuilder().setBranchId("b1")
        .setStartDate(LAST_MONTH.toEpochMilli()).setEndDate(NOW.toEpochMilli());
    assertThat(stub.getSalesReport(q.setGroupBy("hour").build()).getEntriesList())
        .extracting(e -> e.getPeriod() + "=" + e.getSalesAmountMinor())
        .containsExactly("2026-10-30T09:00Z=400", "2026-11-21T09:00Z=1000", "2026-11-22T10:00Z=833",
            "2026-11-22T11:00Z=-83");
    assertThat(stub.getSalesReport(q.setGroupBy("week").build()).getEntriesList())
        .extracting(e -> e.getPeriod() + "=" + e.getSalesAmountMinor())
        .containsExactly("2026-10-26/week=400", "2026-11-16/week=1750");
    SalesReport monthly = stub.getSalesReport(q.setGroupBy("month").build());
    assertThat(monthly.getEntriesList()).extracting(e -> e.getPeriod() + "=" + e.getSalesAmountMinor())
        .containsExactly("2026-10=400", "2026-11=1750");
    assertThat(monthly.getEntries(1).getByCategoryMinorMap()).isEqualTo(Map.of("food", 750L, "drink", 0L,
        "toys", 1000L));
    assertThat(model.lastSales).element(3).isEqualTo(Grouping.MONTH);
  }

  @Test
  void categoriesOfAPeriodWithoutSalesAreLeftOutAndAnEmptyReportIsZero() {
    model.change("b1", b -> b.categories.add(new ReadModel.CategoryTotal(Instant.parse("2026-11-20T08:00:00Z"),
        "stray", 5)));
    SalesReport r = stub.getSalesReport(SalesReportQuery.newBuilder().setBranchId("b1")
        .setStartDate(Instant.parse("2026-11-20T00:00:00Z").toEpochMilli())
        .setEndDate(Instant.parse("2026-11-20T23:59:59Z").toEpochMilli()).build());
    assertThat(r.getEntriesList()).isEmpty();
    assertThat(r.getTotalSalesMinor()).isZero();
    assertThat(r.getTotalTransactions()).isZero();
    assertThat(r.getAverageTransaction()).isZero();
    assertThat(r.getCurrency()).isEqualTo("USD");
  }
}
