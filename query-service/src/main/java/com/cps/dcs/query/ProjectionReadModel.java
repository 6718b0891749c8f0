package com.cps.dcs.query.grpc;

import com.cps.dcs.kernel.money.Money;
import com.cps.dcs.kernel.validation.Texts;
import com.cps.dcs.proto.v4.Alert;
import com.cps.dcs.proto.v4.AlertLevel;
import com.cps.dcs.proto.v4.BranchQuery;
import com.cps.dcs.proto.v4.BranchSummary;
import com.cps.dcs.proto.v4.DashboardSubscription;
import com.cps.dcs.proto.v4.DashboardUpdate;
import com.cps.dcs.proto.v4.HybridLogicalClock;
import com.cps.dcs.proto.v4.InventoryQuery;
import com.cps.dcs.proto.v4.InventoryStatus;
import com.cps.dcs.proto.v4.LedgerBalance;
import com.cps.dcs.proto.v4.LedgerQuery;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import com.cps.dcs.proto.v4.SalesReport;
import com.cps.dcs.proto.v4.SalesReportEntry;
import com.cps.dcs.proto.v4.SalesReportQuery;
import com.cps.dcs.query.ReadModels;
import com.cps.dcs.query.SummaryCache;
import com.cps.dcs.service.grpc.GrpcErrors;
import com.google.protobuf.Timestamp;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * {@code QueryProtocol} over the projections. Timestamps on the wire are Unix milliseconds (0 = now); days and
 * periods are UTC. The tenant is the service's {@code DCS_TENANT_ID}; every read runs under RLS as {@code dcs_app}.
 */
public final class QueryGrpcService extends QueryProtocolGrpc.QueryProtocolImplBase {
  /** Metrics a dashboard may subscribe to. */
  public static final List<String> METRICS = List.of("today_sales", "today_transactions", "active_sessions",
      "low_stock_items", "current_balance");
  private static final long MAX_RANGE_MS = 5L * 366 * 86_400_000L;
  private static final long MAX_TS_MS = 253_402_300_799_000L; // 9999-12-31
  /** The cash account (local agent chart of accounts): the branch's current balance. */
  public static final String CASH_ACCOUNT = "1000";

  private final ReadModels db;
  private final String tenant;
  private final InstantSource clock;
  private final MeterRegistry registry;
  private final DashboardHub hub;
  private final SummaryCache summaries;
  private final Map<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

  public QueryGrpcService(ReadModels db, String tenant, InstantSource clock, MeterRegistry registry,
      DashboardHub hub, SummaryCache summaries) {
    this.db = db;
    this.summaries = summaries;
    this.tenant = tenant;
    this.clock = clock;
    this.registry = registry;
    this.hub = hub;
  }

  private <T> T timed(String rpc, Supplier<T> work) {
    Timer.Sample s = Timer.start(registry);
    try {
      return work.get();
    } finally {
      s.stop(timers.computeIfAbsent(rpc, r -> Timer.builder("dcs.query.latency").tag("rpc", r)
          .publishPercentiles(0.5, 0.99).register(registry)));
    }
  }

  private <T> T read(ReadModels.Read<T> r) {
    try {
      return db.read(tenant, r);
    } catch (SQLException e) {
      throw GrpcErrors.unavailable("the read models are not reachable: " + e.getMessage());
    }
  }

  private static void requireBranch(String branchId) {
    Texts.requireId("branch_id", branchId);
  }

  private static String currency(Connection c, String branchId) throws SQLException {
    try (ResultSet rs = ReadModels.query(c, "SELECT currency FROM qs_branch WHERE branch_id = ?", branchId)) {
      if (!rs.next()) {
        throw GrpcErrors.notFound("Branch", branchId, "no events seen for branch " + branchId);
      }
      return rs.getString(1);
    }
  }

  private static long checkTs(String field, long ms) {
    if (ms < 0 || ms > MAX_TS_MS) {
      throw GrpcErrors.invalidArgument(field, "must be Unix milliseconds between 0 (now) and year 9999, got " + ms);
    }
    return ms;
  }

  @Override
  public void getBranchSummary(BranchQuery q, StreamObserver<BranchSummary> out) {
    requireBranch(q.getBranchId());
    long asOf = checkTs("as_of_timestamp", q.getAsOfTimestamp());
    long at = asOf == 0 ? clock.millis() : asOf;
    LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(at), ZoneOffset.UTC);
    out.onNext(timed("GetBranchSummary", () -> summaries.get(q.getBranchId(), day, () -> summary(q.getBranchId(), at))));
    out.onCompleted();
  }

  /**
   * The figures and the alerts in one round trip (with the tenant scope: {@link ReadModels#readInOneTrip}); the
   * correlated subqueries and the alerts use the tables' primary keys and {@code qs_alerts_branch}.
   */
  private static final String SUMMARY_SQL = "SELECT b.currency, b.last_hlc_ms, b.last_hlc_logical, b.last_hlc_node, "
      + "(SELECT coalesce(sum(total_minor),0) FROM qs_sales_daily s WHERE s.branch_id = b.branch_id "
      + "AND s.day = ? AND s.currency = b.currency), "
      + "(SELECT coalesce(sum(tx_count),0) FROM qs_sales_daily s WHERE s.branch_id = b.branch_id "
      + "AND s.day = ? AND s.currency = b.currency), "
      + "(SELECT coalesce(sum(debit_minor - credit_minor),0) FROM qs_ledger_daily l WHERE l.branch_id = b.branch_id"
      + " AND l.account_code = ? AND l.posting_date <= ? AND l.currency = b.currency), "
      + "(SELECT count(*) FROM qs_sessions x WHERE x.branch_id = b.branch_id AND x.day = ?) "
      + "FROM qs_branch b WHERE b.branch_id = ?; "
      + "SELECT level, message, source, created_at FROM qs_alerts "
      + "WHERE branch_id = ? AND created_at < ? ORDER BY created_at DESC, event_id LIMIT 50";

  /** The summary of {@code branchId} for the UTC day of {@code asOfMs}, read now (the RPC keeps it in the cache). */
  public BranchSummary summary(String branchId, long asOfMs) {
    LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(asOfMs), ZoneOffset.UTC);
    Date d = Date.valueOf(day);
    Object[] args = {d, d, CASH_ACCOUNT, d, d, branchId, branchId,
        java.sql.Timestamp.from(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant())};
    try {
      return db.readInOneTrip(tenant, SUMMARY_SQL, args, results -> {
        BranchSummary.Builder b = BranchSummary.newBuilder().setBranchId(branchId);
        String cur;
        long sales;
        long count;
        long cash;
        int sessions;
        try (ResultSet rs = results.next()) {
          if (!rs.next()) {
            throw GrpcErrors.notFound("Branch", branchId, "no events seen for branch " + branchId);
          }
          cur = rs.getString(1);
          b.setLastUpdated(HybridLogicalClock.newBuilder().setPhysicalMs(rs.getLong(2)).setLogical(rs.getInt(3))
              .setNodeId(rs.getString(4)));
          sales = rs.getLong(5);
          count = rs.getLong(6);
          cash = rs.getLong(7);
          sessions = rs.getInt(8);
        }
        try (ResultSet rs = results.next()) {
          while (rs.next()) {
            Instant at = rs.getTimestamp(4).toInstant();
            b.addAlerts(Alert.newBuilder().setLevel(AlertLevel.forNumber(rs.getInt(1))).setMessage(rs.getString(2))
                .setSource(rs.getString(3)).setCreatedAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())
                    .setNanos(at.getNano())));
          }
        }
        return b.setTodaySalesMinor(sales).setTodaySales(wire(sales, cur)).setTodayTransactions((int) count)
            .setCurrentBalanceMinor(cash).setCurrentBalance(wire(cash, cur)).setActiveSessions(sessions)
            .setCurrency(cur).build();
      });
    } catch (SQLException e) {
      throw GrpcErrors.unavailable("the read models are not reachable: " + e.getMessage());
    }
  }

  private static double wire(long minor, String cur) {
    return cur.isEmpty() ? minor / 100.0 : Money.ofMinor(minor, cur).toWireDouble();
  }

  @Override
  public void getInventoryStatus(InventoryQuery q, StreamObserver<InventoryStatus> out) {
    requireBranch(q.getBranchId());
    Texts.requireId("product_id", q.getProductId());
    out.onNext(timed("GetInventoryStatus", () -> read(c -> {
      currency(c, q.getBranchId());
      try (ResultSet rs = ReadModels.query(c, "SELECT current_qty, reserved_qty, reorder_point, last_hlc_ms, "
          + "last_hlc_logical, last_hlc_node FROM qs_inventory WHERE branch_id = ? AND product_id = ?",
          q.getBranchId(), q.getProductId())) {
        if (!rs.next()) {
          throw GrpcErrors.notFound("Product", q.getProductId(), "no stock movement of " + q.getProductId()
              + " in branch " + q.getBranchId());
        }
        long current = rs.getLong(1);
        long reserved = rs.getLong(2);
        long reorder = rs.getLong(3);
        long available = current - reserved;
        return InventoryStatus.newBuilder().setProductId(q.getProductId()).setBranchId(q.getBranchId())
            .setCurrentQuantity(Math.toIntExact(current)).setReservedQuantity(Math.toIntExact(reserved))
            .setAvailableQuantity(Math.toIntExact(available)).setReorderPoint(Math.toIntExact(reorder))
            .setIsLowStock(available <= reorder)
            .setLastMovement(HybridLogicalClock.newBuilder().setPhysicalMs(rs.getLong(4)).setLogical(rs.getInt(5))
                .setNodeId(rs.getString(6))).build();
      }
    })));
    out.onCompleted();
  }

  @Override
  public void getSalesReport(SalesReportQuery q, StreamObserver<SalesReport> out) {
    requireBranch(q.getBranchId());
    String groupBy = q.getGroupBy().isEmpty() ? "day" : q.getGroupBy();
    ChronoUnit unit = switch (groupBy) {
      case "hour" -> ChronoUnit.HOURS;
      case "day" -> ChronoUnit.DAYS;
      case "week" -> ChronoUnit.WEEKS;
      case "month" -> ChronoUnit.MONTHS;
      default -> throw GrpcErrors.invalidArgument("group_by", "must be hour, day, week or month, got '"
          + q.getGroupBy() + "'");
    };
    long start = checkTs("start_date", q.getStartDate());
    long end = q.getEndDate() == 0 ? clock.millis() : checkTs("end_date", q.getEndDate());
    if (end < start) {
      throw GrpcErrors.invalidArgument("end_date", "must not be before start_date");
    }
    if (end - start > MAX_RANGE_MS) {
      throw GrpcErrors.invalidArgument("end_date", "a report covers at most five years");
    }
    out.onNext(timed("GetSalesReport", () -> read(c -> report(c, q.getBranchId(), start, end, unit))));
    out.onCompleted();
  }

  private SalesReport report(Connection c, String branch, long start, long end, ChronoUnit unit)
      throws SQLException {
    String cur = currency(c, branch);
    Map<String, long[]> periods = new TreeMap<>(); // period -> {sales, count}
    Map<String, Map<String, Long>> cats = new TreeMap<>();
    boolean hourly = unit == ChronoUnit.HOURS;
    // hourly rows are cut at the hour, daily rows at the UTC day of start and end
    Object from = hourly ? java.sql.Timestamp.from(Instant.ofEpochMilli(start).truncatedTo(ChronoUnit.HOURS))
        : Date.valueOf(LocalDate.ofInstant(Instant.ofEpochMilli(start), ZoneOffset.UTC));
    Object to = hourly ? java.sql.Timestamp.from(Instant.ofEpochMilli(end))
        : Date.valueOf(LocalDate.ofInstant(Instant.ofEpochMilli(end), ZoneOffset.UTC));
    String col = hourly ? "hour" : "day";
    try (ResultSet rs = ReadModels.query(c, "SELECT " + col + ", total_minor, tx_count FROM "
        + (hourly ? "qs_sales_hourly" : "qs_sales_daily") + " WHERE branch_id = ? AND currency = ? AND " + col
        + " BETWEEN ? AND ?", branch, cur, from, to)) {
      while (rs.next()) {
        long[] p = periods.computeIfAbsent(period(rs, unit), k -> new long[2]);
        p[0] += rs.getLong(2);
        p[1] += rs.getLong(3);
      }
    }
    try (ResultSet rs = ReadModels.query(c, "SELECT " + col + ", category, total_minor FROM "
        + (hourly ? "qs_sales_hourly_category" : "qs_sales_daily_category") + " WHERE branch_id = ? AND currency = ?"
        + " AND " + col + " BETWEEN ? AND ?", branch, cur, from, to)) {
      while (rs.next()) {
        cats.computeIfAbsent(period(rs, unit), k -> new TreeMap<>()).merge(rs.getString(2), rs.getLong(3),
            Long::sum);
      }
    }
    SalesReport.Builder r = SalesReport.newBuilder().setCurrency(cur);
    long total = 0;
    long count = 0;
    for (Map.Entry<String, long[]> p : periods.entrySet()) {
      SalesReportEntry.Builder e = SalesReportEntry.newBuilder().setPeriod(p.getKey())
          .setSalesAmountMinor(p.getValue()[0]).setSalesAmount(wire(p.getValue()[0], cur))
          .setTransactionCount((int) p.getValue()[1]);
      cats.getOrDefault(p.getKey(), Map.of()).forEach((k, v) -> e.putByCategoryMinor(k, v)
          .putByCategory(k, wire(v, cur)));
      r.addEntries(e);
      total += p.getValue()[0];
      count += p.getValue()[1];
    }
    long avg = count == 0 ? 0 : BigDecimal.valueOf(total).divide(BigDecimal.valueOf(count), 0,
        RoundingMode.HALF_EVEN).longValueExact();
    return r.setTotalSalesMinor(total).setTotalSales(wire(total, cur)).setTotalTransactions((int) count)
        .setAverageTransaction(wire(avg, cur)).build();
  }

  private static String period(ResultSet rs, ChronoUnit unit) throws SQLException {
    ZonedDateTime t = unit == ChronoUnit.HOURS ? rs.getTimestamp(1).toInstant().atZone(ZoneOffset.UTC)
        : rs.getDate(1).toLocalDate().atStartOfDay(ZoneOffset.UTC);
    return switch (unit) {
      case HOURS -> t.truncatedTo(ChronoUnit.HOURS).toString().substring(0, 13) + ":00Z";
      case DAYS -> t.toLocalDate().toString();
      case WEEKS -> t.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)) + "/week";
      default -> t.toLocalDate().withDayOfMonth(1).toString().substring(0, 7);
    };
  }

  @Override
  public void getLedgerBalance(LedgerQuery q, StreamObserver<LedgerBalance> out) {
    requireBranch(q.getBranchId());
    if (q.getAccountCode().isBlank()) {
      throw GrpcErrors.invalidArgument("account_code", "is required (e.g. 1000 Cash)");
    }
    Texts.checkId("account_code", q.getAccountCode());
    long asOf = checkTs("as_of_date", q.getAsOfDate());
    LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(asOf == 0 ? clock.millis() : asOf), ZoneOffset.UTC);
    out.onNext(timed("GetLedgerBalance", () -> read(c -> {
      String cur = currency(c, q.getBranchId());
      try (ResultSet rs = ReadModels.query(c, "SELECT coalesce(max(account_name),''), coalesce(sum(debit_minor),0), "
          + "coalesce(sum(credit_minor),0), count(*), max(last_hlc_ms) FROM qs_ledger_daily WHERE branch_id = ? "
          + "AND account_code = ? AND currency = ? AND posting_date <= ?", q.getBranchId(), q.getAccountCode(), cur,
          Date.valueOf(day))) {
        rs.next();
        if (rs.getLong(4) == 0) {
          throw GrpcErrors.notFound("Account", q.getAccountCode(), "no postings to account " + q.getAccountCode()
              + " in branch " + q.getBranchId() + " up to " + day);
        }
        long debit = rs.getLong(2);
        long credit = rs.getLong(3);
        return LedgerBalance.newBuilder().setAccountCode(q.getAccountCode()).setAccountName(rs.getString(1))
            .setDebitBalanceMinor(debit).setCreditBalanceMinor(credit).setNetBalanceMinor(debit - credit)
            .setDebitBalance(wire(debit, cur)).setCreditBalance(wire(credit, cur))
            .setNetBalance(wire(debit - credit, cur)).setCurrency(cur)
            .setLastUpdated(HybridLogicalClock.newBuilder().setPhysicalMs(rs.getLong(5))).build();
      }
    })));
    out.onCompleted();
  }

  /** Current values of every dashboard metric of {@code branch}. */
  public Map<String, Double> metrics(String branch) {
    BranchSummary s = summary(branch, clock.millis());
    long low = read(c -> {
      try (ResultSet rs = ReadModels.query(c, "SELECT count(*) FROM qs_inventory WHERE branch_id = ? AND "
          + "current_qty - reserved_qty <= reorder_point", branch)) {
        rs.next();
        return rs.getLong(1);
      }
    });
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("today_sales", s.getTodaySales());
    m.put("today_transactions", (double) s.getTodayTransactions());
    m.put("active_sessions", (double) s.getActiveSessions());
    m.put("low_stock_items", (double) low);
    m.put("current_balance", s.getCurrentBalance());
    return m;
  }

  @Override
  public void subscribeDashboard(DashboardSubscription sub, StreamObserver<DashboardUpdate> out) {
    requireBranch(sub.getBranchId());
    if (sub.getUpdateIntervalMs() < 0 || sub.getUpdateIntervalMs() > 3_600_000) {
      throw GrpcErrors.invalidArgument("update_interval_ms", "must be within 0 (default 1 s) and 3600000 (an hour)");
    }
    if (sub.getMetricsCount() > METRICS.size()) {
      throw GrpcErrors.invalidArgument("metrics", "more than the " + METRICS.size() + " known metrics");
    }
    for (String m : sub.getMetricsList()) {
      if (!METRICS.contains(m)) {
        throw GrpcErrors.invalidArgument("metrics", "unknown metric '" + m + "'; known: " + METRICS);
      }
    }
    read(c -> currency(c, sub.getBranchId())); // NOT_FOUND before the stream opens
    long interval = sub.getUpdateIntervalMs() == 0 ? 1000 : Math.max(100, sub.getUpdateIntervalMs());
    hub.subscribe(sub.getBranchId(), sub.getMetricsList().isEmpty() ? METRICS : sub.getMetricsList(), interval,
        (io.grpc.stub.ServerCallStreamObserver<DashboardUpdate>) out);
  }
}
