package com.cps.dcs.swarm.query;

import com.cps.dcs.kernel.money.Money;
import com.cps.dcs.kernel.validation.InputRefused;
import com.cps.dcs.proto.v4.Alert;
import com.cps.dcs.proto.v4.BranchQuery;
import com.cps.dcs.proto.v4.BranchSummary;
import com.cps.dcs.proto.v4.DashboardSubscription;
import com.cps.dcs.proto.v4.DashboardUpdate;
import com.cps.dcs.proto.v4.InventoryQuery;
import com.cps.dcs.proto.v4.InventoryStatus;
import com.cps.dcs.proto.v4.LedgerBalance;
import com.cps.dcs.proto.v4.LedgerQuery;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import com.cps.dcs.proto.v4.SalesReport;
import com.cps.dcs.proto.v4.SalesReportEntry;
import com.cps.dcs.proto.v4.SalesReportQuery;
import com.cps.dcs.service.grpc.GrpcErrors;
import com.cps.dcs.service.grpc.PacedStream;
import com.google.protobuf.Timestamp;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * {@code QueryProtocol}, the one implementation every tier serves over its {@link ReadModel}: the branch's own
 * figures at a local agent, the projections of every branch of a tenant at the query service. It checks each request
 * ({@link QueryRules}), asks the model with plain arguments, builds the answer (wire doubles, report periods, totals
 * and average), streams dashboards ({@link DashboardStreams}), and maps every refusal to a status with its detail:
 * INVALID_ARGUMENT with a BadRequest, NOT_FOUND with a ResourceInfo, UNAVAILABLE when the model cannot be read.
 * Each read's latency is the timer {@code dcs.query.latency} tagged with the RPC. Times on the wire are Unix
 * milliseconds (0 = now); days and periods are UTC.
 */
public final class QueryProtocolService extends QueryProtocolGrpc.QueryProtocolImplBase {
  private final ReadModel model;
  private final QueryRules rules;
  private final InstantSource clock;
  private final MeterRegistry registry;
  private final DashboardStreams dashboards;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  public QueryProtocolService(ReadModel model, InstantSource clock, MeterRegistry registry) {
    this(model, clock, registry, PacedStream.DEFAULT_MAX_STALL);
  }

  /** As above, dropping a dashboard reader that takes nothing for {@code maxStall}. */
  public QueryProtocolService(ReadModel model, InstantSource clock, MeterRegistry registry, Duration maxStall) {
    this.model = model;
    this.rules = new QueryRules(model.ownBranch());
    this.clock = clock;
    this.registry = registry;
    this.dashboards = new DashboardStreams(model, clock, maxStall, e -> status(e, "dashboard stream failed"),
        registry);
  }

  @Override
  public void getBranchSummary(BranchQuery q, StreamObserver<BranchSummary> out) {
    answer(out, () -> {
      QueryRules.SummaryArgs a = rules.summary(q, clock.millis());
      ReadModel.Summary s = timed("GetBranchSummary", () -> model.summary(a.branchId(), a.asOfMs()));
      BranchSummary.Builder b = BranchSummary.newBuilder().setBranchId(a.branchId())
          .setTodaySalesMinor(s.todaySalesMinor()).setTodaySales(wire(s.todaySalesMinor(), s.currency()))
          .setTodayTransactions((int) s.todayTransactions()).setCurrentBalanceMinor(s.currentBalanceMinor())
          .setCurrentBalance(wire(s.currentBalanceMinor(), s.currency())).setActiveSessions(s.activeSessions())
          .setCurrency(s.currency()).setLastUpdated(s.lastUpdated());
      for (ReadModel.Alert alert : s.alerts()) {
        Alert.Builder ab = Alert.newBuilder().setLevel(alert.level()).setMessage(alert.message())
            .setSource(alert.source());
        if (alert.createdAt() != null) {
          ab.setCreatedAt(Timestamp.newBuilder().setSeconds(alert.createdAt().getEpochSecond())
              .setNanos(alert.createdAt().getNano()));
        }
        b.addAlerts(ab);
      }
      return b.build();
    });
  }

  @Override
  public void getInventoryStatus(InventoryQuery q, StreamObserver<InventoryStatus> out) {
    answer(out, () -> {
      QueryRules.StockArgs a = rules.stock(q);
      ReadModel.Stock s = timed("GetInventoryStatus", () -> model.stock(a.branchId(), a.productId()));
      InventoryStatus.Builder b = InventoryStatus.newBuilder().setProductId(a.productId()).setBranchId(a.branchId())
          .setCurrentQuantity(Math.toIntExact(s.onHand())).setReservedQuantity(Math.toIntExact(s.reserved()))
          .setAvailableQuantity(Math.toIntExact(s.available())).setReorderPoint(Math.toIntExact(s.reorderPoint()))
          .setIsLowStock(s.available() <= s.reorderPoint());
      if (s.lastMovement() != null) {
        b.setLastMovement(s.lastMovement());
      }
      return b.build();
    });
  }

  @Override
  public void getSalesReport(SalesReportQuery q, StreamObserver<SalesReport> out) {
    answer(out, () -> {
      QueryRules.SalesArgs a = rules.sales(q, clock.millis());
      ReadModel.Sales sales = timed("GetSalesReport",
          () -> model.sales(a.branchId(), a.fromMs(), a.toMs(), a.grouping()));
      return report(sales, a.grouping());
    });
  }

  /** The report of {@code sales} by period: the periods with sales, each with its categories, and the totals. */
  static SalesReport report(ReadModel.Sales sales, Grouping grouping) {
    String cur = sales.currency();
    Map<String, long[]> periods = new TreeMap<>(); // period -> {amount, transactions}
    for (ReadModel.Total t : sales.totals()) {
      long[] p = periods.computeIfAbsent(grouping.period(t.at()), k -> new long[2]);
      p[0] += t.amountMinor();
      p[1] += t.transactions();
    }
    Map<String, Map<String, Long>> categories = new TreeMap<>();
    for (ReadModel.CategoryTotal c : sales.categories()) {
      categories.computeIfAbsent(grouping.period(c.at()), k -> new TreeMap<>()).merge(c.category(),
          c.amountMinor(), Long::sum);
    }
    SalesReport.Builder r = SalesReport.newBuilder().setCurrency(cur);
    long total = 0;
    long count = 0;
    for (Map.Entry<String, long[]> p : periods.entrySet()) {
      long amount = p.getValue()[0];
      SalesReportEntry.Builder e = SalesReportEntry.newBuilder().setPeriod(p.getKey()).setSalesAmountMinor(amount)
          .setSalesAmount(wire(amount, cur)).setTransactionCount((int) p.getValue()[1]);
      categories.getOrDefault(p.getKey(), Map.of()).forEach((k, v) -> e.putByCategoryMinor(k, v)
          .putByCategory(k, wire(v, cur)));
      r.addEntries(e);
      total += amount;
      count += p.getValue()[1];
    }
    long average = count == 0 ? 0 : BigDecimal.valueOf(total).divide(BigDecimal.valueOf(count), 0,
        RoundingMode.HALF_EVEN).longValueExact();
    return r.setTotalSalesMinor(total).setTotalSales(wire(total, cur)).setTotalTransactions((int) count)
        .setAverageTransaction(wire(average, cur)).build();
  }

  @Override
  public void getLedgerBalance(LedgerQuery q, StreamObserver<LedgerBalance> out) {
    answer(out, () -> {
      QueryRules.LedgerArgs a = rules.ledger(q, clock.millis());
      ReadModel.Ledger l = timed("GetLedgerBalance",
          () -> model.ledger(a.branchId(), a.accountCode(), a.asOfMs()));
      long net = l.debitMinor() - l.creditMinor();
      String cur = l.currency();
      return LedgerBalance.newBuilder().setAccountCode(a.accountCode()).setAccountName(l.accountName())
          .setDebitBalanceMinor(l.debitMinor()).setCreditBalanceMinor(l.creditMinor()).setNetBalanceMinor(net)
          .setDebitBalance(wire(l.debitMinor(), cur)).setCreditBalance(wire(l.creditMinor(), cur))
          .setNetBalance(wire(net, cur)).setCurrency(cur).setLastUpdated(l.lastUpdated()).build();
    });
  }

  /** The dashboard streams open now. */
  int openDashboards() {
    return dashboards.streams();
  }

  @Override
  public void subscribeDashboard(DashboardSubscription sub, StreamObserver<DashboardUpdate> out) {
    try {
      QueryRules.DashboardArgs a = rules.dashboard(sub);
      dashboards.open(a.branchId(), a.metrics(), a.intervalMs(), (ServerCallStreamObserver<DashboardUpdate>) out);
    } catch (InputRefused | ReadModel.NotFound | ReadModel.Unavailable e) {
      out.onError(status(e, null));
    }
  }

  /** Sends {@code work}'s answer, or the status of its refusal; an unexpected failure propagates (INTERNAL). */
  private static <T> void answer(StreamObserver<T> out, Supplier<T> work) {
    T answer;
    try {
      answer = work.get();
    } catch (InputRefused | ReadModel.NotFound | ReadModel.Unavailable e) {
      out.onError(status(e, null));
      return;
    }
    out.onNext(answer);
    out.onCompleted();
  }

  /** The status of a refusal; any other failure is INTERNAL with {@code internal} (never its internals). */
  static StatusRuntimeException status(RuntimeException e, String internal) {
    return switch (e) {
      case InputRefused r -> GrpcErrors.refused(r);
      case ReadModel.NotFound n -> GrpcErrors.notFound(n.resourceType(), n.resourceName(), n.getMessage());
      case ReadModel.Unavailable u -> GrpcErrors.unavailable(u.getMessage());
      default -> GrpcErrors.internal(internal == null ? "internal error" : internal);
    };
  }

  private <T> T timed(String rpc, Supplier<T> read) {
    Timer.Sample s = Timer.start(registry);
    try {
      return read.get();
    } finally {
      s.stop(timers.computeIfAbsent(rpc, r -> Timer.builder("dcs.query.latency").tag("rpc", r)
          .publishPercentiles(0.5, 0.99).register(registry)));
    }
  }

  /** {@code minor} units of {@code currency} as the wire's double (hundredths when the currency is unknown). */
  static double wire(long minor, String currency) {
    return currency.isEmpty() ? minor / 100.0 : Money.ofMinor(minor, currency).toWireDouble();
  }
}
