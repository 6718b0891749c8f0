package com.cps.dcs.query;

import com.cps.dcs.proto.v4.AlertLevel;
import com.cps.dcs.proto.v4.HybridLogicalClock;
import com.cps.dcs.swarm.query.Grouping;
import com.cps.dcs.swarm.query.ReadModel;
import java.sql.Connection;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The projections' figures for {@code QueryProtocol}: every branch of the service's tenant ({@code DCS_TENANT_ID}),
 * each read under RLS as {@code dcs_app}. Summaries are kept between projection commits ({@link SummaryCache}).
 * A branch with no events seen is NOT_FOUND; a database that cannot be read is UNAVAILABLE.
 */
public final class ProjectionReadModel implements ReadModel {
  /** The cash account (local agent chart of accounts): the branch's current balance. */
  public static final String CASH_ACCOUNT = "1000";

  private final ReadModels db;
  private final String tenant;
  private final SummaryCache summaries;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  public ProjectionReadModel(ReadModels db, String tenant, SummaryCache summaries) {
    this.db = db;
    this.tenant = tenant;
    this.summaries = summaries;
  }

  /** The projections changed (a commit of this instance's consumer): tells the listeners. */
  public void changed() {
    listeners.forEach(Runnable::run);
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  @Override
  public Optional<String> ownBranch() {
    return Optional.empty(); // every branch of the tenant: a request names its branch
  }

  private <T> T read(ReadModels.Read<T> r) {
    try {
      return db.read(tenant, r);
    } catch (SQLException e) {
      throw unreachable(e);
    }
  }

  private static Unavailable unreachable(SQLException e) {
    return new Unavailable("the read models are not reachable: " + e.getMessage(), e);
  }

  private static String currency(Connection c, String branchId) throws SQLException {
    try (ResultSet rs = ReadModels.query(c, "SELECT currency FROM qs_branch WHERE branch_id = ?", branchId)) {
      if (!rs.next()) {
        throw new NotFound("Branch", branchId, "no events seen for branch " + branchId);
      }
      return rs.getString(1);
    }
  }

  @Override
  public Summary summary(String branchId, long asOfMs) {
    LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(asOfMs), ZoneOffset.UTC);
    return summaries.get(branchId, day, () -> readSummary(branchId, day));
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

  /** The summary of {@code branchId} for the UTC {@code day}, read now. */
  private Summary readSummary(String branchId, LocalDate day) {
    Date d = Date.valueOf(day);
    Object[] args = {d, d, CASH_ACCOUNT, d, d, branchId, branchId,
        java.sql.Timestamp.from(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant())};
    try {
      return db.readInOneTrip(tenant, SUMMARY_SQL, args, results -> {
        String cur;
        HybridLogicalClock last;
        long sales;
        long count;
        long cash;
        int sessions;
        try (ResultSet rs = results.next()) {
          if (!rs.next()) {
            throw new NotFound("Branch", branchId, "no events seen for branch " + branchId);
          }
          cur = rs.getString(1);
          last = HybridLogicalClock.newBuilder().setPhysicalMs(rs.getLong(2)).setLogical(rs.getInt(3))
              .setNodeId(rs.getString(4)).build();
          sales = rs.getLong(5);
          count = rs.getLong(6);
          cash = rs.getLong(7);
          sessions = rs.getInt(8);
        }
        List<Alert> alerts = new ArrayList<>();
        try (ResultSet rs = results.next()) {
          while (rs.next()) {
            alerts.add(new Alert(AlertLevel.forNumber(rs.getInt(1)), rs.getString(2), rs.getString(3),
                rs.getTimestamp(4).toInstant()));
          }
        }
        return new Summary(cur, sales, count, cash, sessions, last, alerts);
      });
    } catch (SQLException e) {
      throw unreachable(e);
    }
  }

  @Override
  public Stock stock(String branchId, String productId) {
    return read(c -> {
      currency(c, branchId);
      try (ResultSet rs = ReadModels.query(c, "SELECT current_qty, reserved_qty, reorder_point, last_hlc_ms, "
          + "last_hlc_logical, last_hlc_node FROM qs_inventory WHERE branch_id = ? AND product_id = ?",
          branchId, productId)) {
        if (!rs.next()) {
          throw new NotFound("Product", productId, "no stock movement of " + productId + " in branch " + branchId);
        }
        long current = rs.getLong(1);
        long reserved = rs.getLong(2);
        return new Stock(current, reserved, current - reserved, rs.getLong(3), HybridLogicalClock.newBuilder()
            .setPhysicalMs(rs.getLong(4)).setLogical(rs.getInt(5)).setNodeId(rs.getString(6)).build());
      }
    });
  }

  /** Hourly rows for {@link Grouping#HOUR} (cut at the hour), else daily rows (cut at the UTC days of the range). */
  @Override
  public Sales sales(String branchId, long fromMs, long toMs, Grouping grouping) {
    return read(c -> {
      String cur = currency(c, branchId);
      boolean hourly = grouping == Grouping.HOUR;
      Object from = hourly ? java.sql.Timestamp.from(Instant.ofEpochMilli(fromMs).truncatedTo(ChronoUnit.HOURS))
          : Date.valueOf(LocalDate.ofInstant(Instant.ofEpochMilli(fromMs), ZoneOffset.UTC));
      Object to = hourly ? java.sql.Timestamp.from(Instant.ofEpochMilli(toMs))
          : Date.valueOf(LocalDate.ofInstant(Instant.ofEpochMilli(toMs), ZoneOffset.UTC));
      String col = hourly ? "hour" : "day";
      List<Total> totals = new ArrayList<>();
      try (ResultSet rs = ReadModels.query(c, "SELECT " + col + ", total_minor, tx_count FROM "
          + (hourly ? "qs_sales_hourly" : "qs_sales_daily") + " WHERE branch_id = ? AND currency = ? AND " + col
          + " BETWEEN ? AND ?", branchId, cur, from, to)) {
        while (rs.next()) {
          totals.add(new Total(at(rs, hourly), rs.getLong(2), rs.getLong(3)));
        }
      }
      List<CategoryTotal> categories = new ArrayList<>();
      try (ResultSet rs = ReadModels.query(c, "SELECT " + col + ", category, total_minor FROM "
          + (hourly ? "qs_sales_hourly_category" : "qs_sales_daily_category") + " WHERE branch_id = ? AND "
          + "currency = ? AND " + col + " BETWEEN ? AND ?", branchId, cur, from, to)) {
        while (rs.next()) {
          categories.add(new CategoryTotal(at(rs, hourly), rs.getString(2), rs.getLong(3)));
        }
      }
      return new Sales(cur, totals, categories);
    });
  }

  /** The start of the row's hour or UTC day. */
  private static Instant at(ResultSet rs, boolean hourly) throws SQLException {
    return hourly ? rs.getTimestamp(1).toInstant()
        : rs.getDate(1).toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** The postings of the UTC days up to the day of {@code asOfMs}; an account with none is NOT_FOUND. */
  @Override
  public Ledger ledger(String branchId, String accountCode, long asOfMs) {
    LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(asOfMs), ZoneOffset.UTC);
    return read(c -> {
      String cur = currency(c, branchId);
      try (ResultSet rs = ReadModels.query(c, "SELECT coalesce(max(account_name),''), coalesce(sum(debit_minor),0), "
          + "coalesce(sum(credit_minor),0), count(*), max(last_hlc_ms) FROM qs_ledger_daily WHERE branch_id = ? "
          + "AND account_code = ? AND currency = ? AND posting_date <= ?", branchId, accountCode, cur,
          Date.valueOf(day))) {
        rs.next();
        if (rs.getLong(4) == 0) {
          throw new NotFound("Account", accountCode, "no postings to account " + accountCode + " in branch "
              + branchId + " up to " + day);
        }
        return new Ledger(rs.getString(1), cur, rs.getLong(2), rs.getLong(3),
            HybridLogicalClock.newBuilder().setPhysicalMs(rs.getLong(5)).build());
      }
    });
  }

  /** The summary read fresh (not from the cache) and the products at or below their reorder point. */
  @Override
  public Dashboard dashboard(String branchId, long nowMs) {
    Summary s = readSummary(branchId, LocalDate.ofInstant(Instant.ofEpochMilli(nowMs), ZoneOffset.UTC));
    long low = read(c -> {
      try (ResultSet rs = ReadModels.query(c, "SELECT count(*) FROM qs_inventory WHERE branch_id = ? AND "
          + "current_qty - reserved_qty <= reorder_point", branchId)) {
        rs.next();
        return rs.getLong(1);
      }
    });
    return new Dashboard(s.currency(), s.todaySalesMinor(), s.todayTransactions(), s.activeSessions(), low,
        s.currentBalanceMinor());
  }
}
