package com.cps.dcs.query.store;

import com.cps.dcs.proto.v4.AlertLevel;
import com.cps.dcs.proto.v4.HybridLogicalClock;
import com.cps.dcs.swarm.query.ReadModel.Alert;
import com.cps.dcs.swarm.query.ReadModel.CategoryTotal;
import com.cps.dcs.swarm.query.ReadModel.Ledger;
import com.cps.dcs.swarm.query.ReadModel.NotFound;
import com.cps.dcs.swarm.query.ReadModel.Sales;
import com.cps.dcs.swarm.query.ReadModel.Stock;
import com.cps.dcs.swarm.query.ReadModel.Summary;
import com.cps.dcs.swarm.query.ReadModel.Total;
import com.cps.dcs.swarm.query.ReadModel.Unavailable;
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

/**
 * The projections' figures of one branch, read from PostgreSQL for the service's tenant under row-level security as
 * {@code dcs_app} ({@link ReadModels}), as the {@code ReadModel} port's records. A branch with no events seen, a
 * product without stock movements or an account without postings is {@link NotFound}; a database that cannot be read
 * is {@link Unavailable}. Days are UTC.
 */
public final class ProjectionReads {
  /** The cash account (local agent chart of accounts): the branch's current balance. */
  public static final String CASH_ACCOUNT = "1000";

  private final ReadModels db;
  private final String tenant;

  public ProjectionReads(ReadModels db, String tenant) {
    this.db = db;
    this.tenant = tenant;
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
  public Summary summary(String branchId, LocalDate day) {
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

  /** The product's stock in the branch. */
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

  /** Hourly rows when {@code hourly} (cut at the hour), else daily rows (cut at the UTC days of the range). */
  public Sales sales(String branchId, long fromMs, long toMs, boolean hourly) {
    return read(c -> {
      String cur = currency(c, branchId);
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

  /** The postings of the UTC days up to {@code day}; an account with none is NOT_FOUND. */
  public Ledger ledger(String branchId, String accountCode, LocalDate day) {
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

  /** How many products of the branch are at or below their reorder point. */
  public long lowStock(String branchId) {
    return read(c -> {
      try (ResultSet rs = ReadModels.query(c, "SELECT count(*) FROM qs_inventory WHERE branch_id = ? AND "
          + "current_qty - reserved_qty <= reorder_point", branchId)) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }
}
