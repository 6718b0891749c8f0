package com.cps.dcs.swarm.query;

import com.cps.dcs.kernel.validation.InputRefused;
import com.cps.dcs.kernel.validation.Texts;
import com.cps.dcs.proto.v4.BranchQuery;
import com.cps.dcs.proto.v4.DashboardSubscription;
import com.cps.dcs.proto.v4.InventoryQuery;
import com.cps.dcs.proto.v4.LedgerQuery;
import com.cps.dcs.proto.v4.SalesReportQuery;
import java.util.List;
import java.util.Optional;

/**
 * The bounds of {@code QueryProtocol}'s requests, the same at every tier. Each check turns a request into the plain,
 * checked arguments of a {@link ReadModel} call, or throws {@link InputRefused} naming the first bad field (in the
 * order of the request's fields). Times are Unix milliseconds, 0 meaning now (a report's start: the epoch).
 */
public final class QueryRules {
  /** Metrics a dashboard may subscribe to. */
  public static final List<String> METRICS = List.of("today_sales", "today_transactions", "active_sessions",
      "low_stock_items", "current_balance");
  /** The longest sales report: five years. */
  public static final long MAX_RANGE_MS = 5L * 366 * 86_400_000L;
  /** The latest time accepted: 9999-12-31T23:59:59Z. */
  public static final long MAX_TS_MS = 253_402_300_799_000L;
  /** The longest dashboard interval: an hour. */
  public static final int MAX_INTERVAL_MS = 3_600_000;
  /** A dashboard's interval when the subscriber names none. */
  public static final long DEFAULT_INTERVAL_MS = 1000;
  /** The shortest dashboard interval served (shorter ones are raised to it). */
  public static final long MIN_INTERVAL_MS = 100;

  /** Checked {@code GetBranchSummary} arguments. */
  public record SummaryArgs(String branchId, long asOfMs) {}

  /** Checked {@code GetInventoryStatus} arguments. */
  public record StockArgs(String branchId, String productId) {}

  /** Checked {@code GetSalesReport} arguments. */
  public record SalesArgs(String branchId, long fromMs, long toMs, Grouping grouping) {}

  /** Checked {@code GetLedgerBalance} arguments. */
  public record LedgerArgs(String branchId, String accountCode, long asOfMs) {}

  /** Checked {@code SubscribeDashboard} arguments. */
  public record DashboardArgs(String branchId, List<String> metrics, long intervalMs) {}

  private final Optional<String> ownBranch;

  /** Rules for a tier that serves {@code ownBranch} alone (a request may then leave branch_id out), or many. */
  public QueryRules(Optional<String> ownBranch) {
    this.ownBranch = ownBranch;
  }

  public SummaryArgs summary(BranchQuery q, long nowMs) {
    String branch = branch(q.getBranchId());
    return new SummaryArgs(branch, orNow(time("as_of_timestamp", q.getAsOfTimestamp()), nowMs));
  }

  public StockArgs stock(InventoryQuery q) {
    String branch = branch(q.getBranchId());
    Texts.requireId("product_id", q.getProductId());
    return new StockArgs(branch, q.getProductId());
  }

  public SalesArgs sales(SalesReportQuery q, long nowMs) {
    String branch = branch(q.getBranchId());
    Grouping grouping = Grouping.parse(q.getGroupBy()).orElseThrow(() -> new InputRefused("group_by",
        "must be hour, day, week or month, got '" + q.getGroupBy() + "'"));
    long start = time("start_date", q.getStartDate());
    long end = orNow(time("end_date", q.getEndDate()), nowMs);
    if (end < start) {
      throw new InputRefused("end_date", "must not be before start_date");
    }
    if (end - start > MAX_RANGE_MS) {
      throw new InputRefused("end_date", "a report covers at most five years");
    }
    return new SalesArgs(branch, start, end, grouping);
  }

  public LedgerArgs ledger(LedgerQuery q, long nowMs) {
    String branch = branch(q.getBranchId());
    if (q.getAccountCode().isBlank()) {
      throw new InputRefused("account_code", "is required (e.g. 1000 Cash, 4000 Sales revenue)");
    }
    Texts.checkId("account_code", q.getAccountCode());
    return new LedgerArgs(branch, q.getAccountCode(), orNow(time("as_of_date", q.getAsOfDate()), nowMs));
  }

  public DashboardArgs dashboard(DashboardSubscription s) {
    String branch = branch(s.getBranchId());
    if (s.getUpdateIntervalMs() < 0 || s.getUpdateIntervalMs() > MAX_INTERVAL_MS) {
      throw new InputRefused("update_interval_ms", "must be within 0 (default 1 s) and " + MAX_INTERVAL_MS
          + " (an hour)");
    }
    if (s.getMetricsCount() > METRICS.size()) {
      throw new InputRefused("metrics", "more than the " + METRICS.size() + " known metrics");
    }
    for (String m : s.getMetricsList()) {
      if (!METRICS.contains(m)) {
        throw new InputRefused("metrics", "unknown metric '" + m + "'; known: " + METRICS);
      }
    }
    long interval = s.getUpdateIntervalMs() == 0 ? DEFAULT_INTERVAL_MS
        : Math.max(MIN_INTERVAL_MS, s.getUpdateIntervalMs());
    return new DashboardArgs(branch, s.getMetricsCount() == 0 ? METRICS : List.copyOf(s.getMetricsList()),
        interval);
  }

  /** The branch asked about: the own branch when left out (where there is one), else a required id. */
  private String branch(String requested) {
    if (requested.isEmpty() && ownBranch.isPresent()) {
      return ownBranch.get();
    }
    Texts.requireId("branch_id", requested);
    return requested;
  }

  private static long time(String field, long ms) {
    if (ms < 0 || ms > MAX_TS_MS) {
      throw new InputRefused(field, "must be Unix milliseconds between 0 (now) and year 9999, got " + ms);
    }
    return ms;
  }

  private static long orNow(long ms, long nowMs) {
    return ms == 0 ? nowMs : ms;
  }
}
