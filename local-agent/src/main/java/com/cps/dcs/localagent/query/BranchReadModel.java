package com.cps.dcs.localagent.query;

import com.cps.dcs.eventstore.sqlite.SqliteEventLog;
import com.cps.dcs.eventstore.sqlite.StoredEvent;
import com.cps.dcs.kernel.crdt.OrSet;
import com.cps.dcs.kernel.event.EventFactsCodec;
import com.cps.dcs.kernel.money.Money;
import com.cps.dcs.kernel.validation.Texts;
import com.cps.dcs.localagent.catalog.Catalog;
import com.cps.dcs.localagent.sale.Accounts;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.till.TillService;
import com.cps.dcs.proto.pos.v1.Product;
import com.cps.dcs.proto.v4.Alert;
import com.cps.dcs.proto.v4.AlertLevel;
import com.cps.dcs.proto.v4.BranchQuery;
import com.cps.dcs.proto.v4.BranchSummary;
import com.cps.dcs.proto.v4.DashboardSubscription;
import com.cps.dcs.proto.v4.DashboardUpdate;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.InventoryQuery;
import com.cps.dcs.proto.v4.InventoryStatus;
import com.cps.dcs.proto.v4.LedgerBalance;
import com.cps.dcs.proto.v4.LedgerQuery;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import com.cps.dcs.proto.v4.SalesReport;
import com.cps.dcs.proto.v4.SalesReportEntry;
import com.cps.dcs.proto.v4.SalesReportQuery;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.service.Doorbell;
import com.cps.dcs.service.grpc.GrpcErrors;
import com.google.protobuf.Timestamp;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code QueryProtocol} for this branch, computed from the branch's own events (their {@code EventFacts}) and CRDTs,
 * so managers see their branch while it is offline. Days and periods are UTC.
 */
public final class BranchQueryService extends QueryProtocolGrpc.QueryProtocolImplBase {
  static final List<String> METRICS = List.of("today_sales", "today_transactions", "active_sessions",
      "low_stock_items", "current_balance");
  private static final Set<Integer> SALE_TYPES = Set.of(EventType.SALE_COMPLETED_VALUE, EventType.SALE_REVERSED_VALUE,
      EventType.SALE_PARTIALLY_REFUNDED_VALUE);
  private static final long MAX_RANGE_MS = 5L * 366 * 86_400_000L;

  private final LocalStore store;
  private final InstantSource time;

  public BranchQueryService(LocalStore store, InstantSource time) {
    this.store = store;
    this.time = time;
  }

  @Override
  public void getBranchSummary(BranchQuery q, StreamObserver<BranchSummary> out) {
    checkBranch(q.getBranchId());
    if (q.getAsOfTimestamp() < 0) {
      throw GrpcErrors.invalidArgument("as_of_timestamp", "must be >= 0 (Unix milliseconds; 0 for now)");
    }
    out.onNext(summary(q.getAsOfTimestamp() == 0 ? time.millis() : q.getAsOfTimestamp()));
    out.onCompleted();
  }

  BranchSummary summary(long asOf) {
    long dayStart = Instant.ofEpochMilli(asOf).truncatedTo(ChronoUnit.DAYS).toEpochMilli();
    long sales = 0;
    int count = 0;
    for (StoredEvent s : events(dayStart, asOf + 1, SALE_TYPES)) {
      SovereignFinancialEvent e = s.event();
      if (e.getType() == EventType.SALE_COMPLETED) {
        sales += e.getAmountMinor();
        count++;
      } else {
        sales -= e.getAmountMinor();
      }
    }
    long[] cashAccount = ledger(Accounts.CASH, asOf);
    long cash = cashAccount[0] - cashAccount[1];
    int sessions = store.crdt(TillService.OPEN_SESSIONS).map(c -> ((OrSet) c).values().size()).orElse(0);
    BranchSummary.Builder b = BranchSummary.newBuilder().setBranchId(store.branchId())
        .setTodaySales(Money.ofMinor(sales, store.currency()).toWireDouble()).setTodaySalesMinor(sales)
        .setTodayTransactions(count).setCurrentBalance(Money.ofMinor(cash, store.currency()).toWireDouble())
        .setCurrentBalanceMinor(cash).setActiveSessions(sessions).setCurrency(store.currency())
        .setLastUpdated(store.clock().last().toProto());
    for (Product p : Catalog.all(store)) {
      if (p.getActive() && p.getStockOnHand() <= 0) {
        b.addAlerts(alert(AlertLevel.CRITICAL, p.getName() + " is out of stock", "inventory"));
      } else if (p.getActive() && p.getStockAvailable() <= p.getReorderPoint()) {
        b.addAlerts(alert(AlertLevel.WARNING, p.getName() + " is low: " + p.getStockAvailable() + " left (reorder at "
            + p.getReorderPoint() + ")", "inventory"));
      }
    }
    for (StoredEvent s : events(dayStart, asOf + 1, Set.of(EventType.PAYMENT_FAILED_VALUE))) {
      b.addAlerts(alert(AlertLevel.WARNING, "payment failed: " + EventFactsCodec.of(s.event()).getReason(),
          "payments"));
    }
    return b.build();
  }

  @Override
  public void getInventoryStatus(InventoryQuery q, StreamObserver<InventoryStatus> out) {
    checkBranch(q.getBranchId());
    Texts.requireId("product_id", q.getProductId());
    Product p = Catalog.product(store, q.getProductId()).orElseThrow(() -> GrpcErrors.notFound("Product",
        q.getProductId(), "no product " + q.getProductId() + " at branch " + store.branchId()));
    InventoryStatus.Builder b = InventoryStatus.newBuilder().setProductId(p.getProductId())
        .setBranchId(store.branchId()).setCurrentQuantity(Math.toIntExact(p.getStockOnHand()))
        .setReservedQuantity(Math.toIntExact(p.getStockReserved()))
        .setAvailableQuantity(Math.toIntExact(p.getStockAvailable()))
        .setReorderPoint(Math.toIntExact(p.getReorderPoint()))
        .setIsLowStock(p.getStockAvailable() <= p.getReorderPoint());
    store.crdtBundles(Catalog.stockId(p.getProductId())).stream().findFirst()
        .ifPresent(bundle -> b.setLastMovement(bundle.getLastUpdated()));
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void getSalesReport(SalesReportQuery q, StreamObserver<SalesReport> out) {
    checkBranch(q.getBranchId());
    ChronoUnit unit = switch (q.getGroupBy().isEmpty() ? "day" : q.getGroupBy()) {
      case "hour" -> ChronoUnit.HOURS;
      case "day" -> ChronoUnit.DAYS;
      case "week" -> ChronoUnit.WEEKS;
      case "month" -> ChronoUnit.MONTHS;
      default -> throw GrpcErrors.invalidArgument("group_by", "must be hour, day, week or month, got '"
          + q.getGroupBy() + "'");
    };
    long end = q.getEndDate() == 0 ? time.millis() : q.getEndDate();
    if (q.getStartDate() < 0) {
      throw GrpcErrors.invalidArgument("start_date", "must be >= 0 (Unix milliseconds)");
    }
    if (end < q.getStartDate()) {
      throw GrpcErrors.invalidArgument("end_date", "must not be before start_date");
    }
    if (end - q.getStartDate() > MAX_RANGE_MS) {
      throw GrpcErrors.invalidArgument("end_date", "a report covers at most five years");
    }
    Map<String, long[]> buckets = new TreeMap<>(); // period -> [amount, count]
    Map<String, Map<String, Long>> categories = new LinkedHashMap<>();
    long total = 0;
    int count = 0;
    for (StoredEvent s : events(q.getStartDate(), end + 1, SALE_TYPES)) {
      SovereignFinancialEvent e = s.event();
      String period = period(SqliteEventLog.tsMillis(e), unit);
      long sign = e.getType() == EventType.SALE_COMPLETED ? 1 : -1;
      long[] bucket = buckets.computeIfAbsent(period, k -> new long[2]);
      bucket[0] += sign * e.getAmountMinor();
      total += sign * e.getAmountMinor();
      if (sign > 0) {
        bucket[1]++;
        count++;
      }
      Map<String, Long> byCat = categories.computeIfAbsent(period, k -> new TreeMap<>());
      for (EventFacts.Line l : EventFactsCodec.of(e).getLinesList()) {
        byCat.merge(l.getCategory().isEmpty() ? "Uncategorized" : l.getCategory(), sign * l.getLineTotalMinor(),
            Long::sum);
      }
    }
    SalesReport.Builder r = SalesReport.newBuilder().setCurrency(store.currency()).setTotalSalesMinor(total)
        .setTotalSales(wire(total)).setTotalTransactions(count)
        .setAverageTransaction(count == 0 ? 0 : wire(averageMinor(total, count)));
    buckets.forEach((period, v) -> {
      SalesReportEntry.Builder entry = SalesReportEntry.newBuilder().setPeriod(period).setSalesAmountMinor(v[0])
          .setSalesAmount(wire(v[0])).setTransactionCount((int) v[1]);
      categories.getOrDefault(period, Map.of()).forEach((cat, minor) -> {
        entry.putByCategoryMinor(cat, minor);
        entry.putByCategory(cat, wire(minor));
      });
      r.addEntries(entry);
    });
    out.onNext(r.build());
    out.onCompleted();
  }

  private static long averageMinor(long total, int count) {
    return java.math.BigDecimal.valueOf(total).divide(java.math.BigDecimal.valueOf(count), 0,
        java.math.RoundingMode.HALF_EVEN).longValueExact();
  }

  static String period(long ms, ChronoUnit unit) {
    ZonedDateTime t = Instant.ofEpochMilli(ms).atZone(ZoneOffset.UTC);
    return switch (unit) {
      case HOURS -> t.truncatedTo(ChronoUnit.HOURS).toString().substring(0, 13) + ":00Z";
      case DAYS -> t.toLocalDate().toString();
      case WEEKS -> t.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).toString() + "/week";
      default -> t.toLocalDate().withDayOfMonth(1).toString().substring(0, 7);
    };
  }

  @Override
  public void getLedgerBalance(LedgerQuery q, StreamObserver<LedgerBalance> out) {
    checkBranch(q.getBranchId());
    if (q.getAccountCode().isBlank()) {
      throw GrpcErrors.invalidArgument("account_code", "is required (e.g. 1000 Cash, 4000 Sales revenue)");
    }
    Texts.checkId("account_code", q.getAccountCode());
    if (Accounts.name(q.getAccountCode()).startsWith("Account ")) {
      throw GrpcErrors.notFound("Account", q.getAccountCode(), "no account " + q.getAccountCode()
          + " in the branch's chart of accounts");
    }
    if (q.getAsOfDate() < 0) {
      throw GrpcErrors.invalidArgument("as_of_date", "must be >= 0 (Unix milliseconds; 0 for now)");
    }
    long[] dc = ledger(q.getAccountCode(), q.getAsOfDate() == 0 ? time.millis() : q.getAsOfDate());
    long net = dc[0] - dc[1];
    out.onNext(LedgerBalance.newBuilder().setAccountCode(q.getAccountCode())
        .setAccountName(Accounts.name(q.getAccountCode())).setDebitBalanceMinor(dc[0]).setCreditBalanceMinor(dc[1])
        .setNetBalanceMinor(net).setDebitBalance(wire(dc[0])).setCreditBalance(wire(dc[1])).setNetBalance(wire(net))
        .setCurrency(store.currency()).setLastUpdated(store.clock().last().toProto()).build());
    out.onCompleted();
  }

  /** Debit and credit totals of an account up to {@code asOf}, from the ledger postings in the events. */
  private long[] ledger(String account, long asOf) {
    long[] dc = new long[2];
    for (StoredEvent s : events(0, asOf + 1, Set.of(EventType.LEDGER_ENTRY_POSTED_VALUE,
        EventType.LEDGER_REVERSAL_POSTED_VALUE))) {
      for (EventFacts.Posting p : EventFactsCodec.of(s.event()).getPostingsList()) {
        if (p.getAccountCode().equals(account)) {
          dc[0] += p.getDebitMinor();
          dc[1] += p.getCreditMinor();
        }
      }
    }
    return dc;
  }

  @Override
  public void subscribeDashboard(DashboardSubscription sub, StreamObserver<DashboardUpdate> out) {
    checkBranch(sub.getBranchId());
    if (sub.getUpdateIntervalMs() < 0 || sub.getUpdateIntervalMs() > 3_600_000) {
      throw GrpcErrors.invalidArgument("update_interval_ms", "must be within 0 (default) and 3600000 (an hour)");
    }
    if (sub.getMetricsCount() > METRICS.size()) {
      throw GrpcErrors.invalidArgument("metrics", "more than the " + METRICS.size() + " known metrics");
    }
    List<String> metrics = sub.getMetricsCount() == 0 ? METRICS : sub.getMetricsList();
    for (String m : metrics) {
      if (!METRICS.contains(m)) {
        throw GrpcErrors.invalidArgument("metrics", "unknown metric '" + m + "'; known: " + METRICS);
      }
    }
    long interval = sub.getUpdateIntervalMs() == 0 ? 1000 : Math.max(100, sub.getUpdateIntervalMs());
    ServerCallStreamObserver<DashboardUpdate> call = (ServerCallStreamObserver<DashboardUpdate>) out;
    Doorbell changed = new Doorbell();
    Consumer<StoredEvent> listener = e -> changed.ring();
    store.addAppendListener(listener);
    Thread.ofVirtual().name("dashboard").start(() -> {
      Map<String, Double> last = new LinkedHashMap<>();
      try {
        while (!call.isCancelled()) {
          BranchSummary s = summary(time.millis());
          Map<String, Double> now = new LinkedHashMap<>();
          now.put("today_sales", s.getTodaySales());
          now.put("today_transactions", (double) s.getTodayTransactions());
          now.put("active_sessions", (double) s.getActiveSessions());
          now.put("low_stock_items", (double) s.getAlertsList().stream()
              .filter(a -> a.getSource().equals("inventory")).count());
          now.put("current_balance", s.getCurrentBalance());
          for (String m : metrics) {
            Double v = now.get(m);
            Double before = last.get(m);
            if (!v.equals(before)) {
              AlertLevel trend = before == null || v >= before ? AlertLevel.INFO : AlertLevel.WARNING;
              call.onNext(DashboardUpdate.newBuilder().setMetricName(m).setValue(v)
                  .setDisplayValue(display(m, v)).setTimestamp(ts(time.instant())).setTrend(trend).build());
              last.put(m, v);
            }
          }
          // At most one push per interval: wait out the interval, then for a change (one that came during the
          // interval counts: the doorbell keeps it), then fold all pending changes into one recompute.
          Thread.sleep(interval); // the throttle the subscriber asked for, not a wait for a condition
          while (!call.isCancelled() && !changed.await(500)) {
            // idle until something changes or the subscriber leaves
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        if (!call.isCancelled()) {
          call.onError(GrpcErrors.internal("dashboard stream failed"));
        }
      } finally {
        store.removeAppendListener(listener);
      }
    });
  }

  private String display(String metric, double v) {
    return metric.equals("today_sales") || metric.equals("current_balance")
        ? String.format("%.2f %s", v, store.currency()) : Long.toString((long) v);
  }

  private List<StoredEvent> events(long from, long to, Set<Integer> types) {
    List<StoredEvent> out = new ArrayList<>();
    long after = 0;
    while (true) {
      long a = after;
      List<StoredEvent> page = store.read(c -> SqliteEventLog.rangeCounted(c, from, to, types, a, 2000));
      if (page.isEmpty()) {
        return out;
      }
      for (StoredEvent s : page) {
        if (s.event().getBranchId().equals(store.branchId())) {
          out.add(s);
        }
      }
      after = page.get(page.size() - 1).seq();
    }
  }

  private void checkBranch(String branchId) {
    if (!branchId.isEmpty() && !branchId.equals(store.branchId())) {
      throw GrpcErrors.notFound("Branch", branchId, "this agent serves branch " + store.branchId() + " only");
    }
  }

  private double wire(long minor) {
    return Money.ofMinor(minor, store.currency()).toWireDouble();
  }

  private static Alert alert(AlertLevel level, String message, String source) {
    return Alert.newBuilder().setLevel(level).setMessage(message).setSource(source).build();
  }

  private static Timestamp ts(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
