package com.cps.dcs.query.projection;

import com.cps.dcs.eventstore.pg.SqlStates;
import com.cps.dcs.kernel.validation.EventRules;
import com.cps.dcs.kernel.validation.Violation;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.query.projection.RowChange.*;
import com.cps.dcs.query.store.SummaryCache;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes projections. A batch of events is applied in one transaction together with their dedupe rows in
 * {@code projection_applied_events} and (when they came from Kafka) the next offsets in {@code projection_position},
 * so a crash neither skips nor double-counts, and the same event delivered twice changes nothing.
 */
public final class ProjectionStore {
  private static final Logger log = LoggerFactory.getLogger(ProjectionStore.class);

  /** Every read-model table, truncated by a rebuild. */
  public static final List<String> TABLES = List.of("qs_branch", "qs_sales_daily", "qs_sales_daily_category",
      "qs_sales_daily_payment", "qs_sales_hourly", "qs_sales_hourly_category", "qs_sessions", "qs_inventory",
      "qs_loyalty", "qs_ledger_daily", "qs_alerts", "projection_applied_events");

  private final DataSource owner;
  private final boolean mergeRows;

  /** @param owner connections as the schema owner (writes); RLS is forced, so each transaction sets its tenant */
  public ProjectionStore(DataSource owner) {
    this(owner, true);
  }

  /** {@code mergeRows = false}: one statement per row change, as before batching (the tests' reference). */
  ProjectionStore(DataSource owner, boolean mergeRows) {
    this.owner = owner;
    this.mergeRows = mergeRows;
  }

  /** Where to resume reading {@code topic}: partition -> next offset. */
  public Map<Integer, Long> positions(String topic) throws SQLException {
    Map<Integer, Long> out = new HashMap<>();
    try (Connection c = owner.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT \"partition\", \"offset\" FROM projection_position WHERE topic = ?")) {
      ps.setString(1, topic);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getInt(1), rs.getLong(2));
        }
      }
    }
    return out;
  }

  /**
   * Where a batch's records came from: {@code (topic, partition)} resumes at {@code nextOffset}; {@code eventTsMs} is
   * the last event's time (0 when the batch held no event), for the lag gauge.
   */
  public record Position(String topic, int partition, long nextOffset, long eventTsMs) {}

  /**
   * Applies {@code e} once. {@code topic} may be null (rebuild); otherwise the position
   * {@code (topic, partition) -> nextOffset} is stored in the same transaction. Returns true when the event was new.
   */
  public boolean apply(SovereignFinancialEvent e, String topic, int partition, long nextOffset) throws SQLException {
    return apply(List.of(e), topic == null ? List.of() : List.of(new Position(topic, partition, nextOffset,
        e.getTs().getSeconds() * 1000 + e.getTs().getNanos() / 1_000_000))) == 1;
  }

  /**
   * Applies {@code events} (in delivery order) in one transaction together with their dedupe rows and
   * {@code positions}; see {@link #applyRecords}. Returns the number of new events.
   */
  public int apply(List<SovereignFinancialEvent> events, List<Position> positions) throws SQLException {
    return applyRecords(events.stream().map(Incoming::of).toList(), positions).applied();
  }

  /** What a batch did: new events applied, records set aside for good. */
  public record Result(int applied, int deadLettered) {}

  /**
   * Applies a batch of records in one transaction together with their dedupe rows and {@code positions}: all or
   * nothing, so a crash neither skips nor double-counts. An event already applied (or delivered twice in the batch)
   * changes nothing. The changes of the new events are merged per row ({@link RowChangeMerger}) before they are
   * written, which leaves the tables exactly as applying the events one by one would.
   *
   * <p>A record that can never be projected does not stop the others: not an event, an event that breaks
   * {@link EventRules#content}, or one {@link Projector} refuses (an exact sum that overflows) is set aside before
   * any statement; when PostgreSQL refuses the batch's changes for good ({@link SqlStates#isContentRefusal}, e.g. a
   * total past a bigint) the transaction goes back to a savepoint and applies the events one by one, each under its
   * own savepoint. Records from Kafka set aside go to {@code projection_dead_letters} in the same transaction; a
   * rebuild's are logged. Any other error is thrown: the caller retries the batch.
   */
  public Result applyRecords(List<Incoming> batch, List<Position> positions) throws SQLException {
    List<DeadLetters.Entry> dead = new ArrayList<>();
    Map<String, SovereignFinancialEvent> once = new LinkedHashMap<>();
    Map<String, Incoming> source = new HashMap<>();
    Map<String, List<RowChange>> projected = new HashMap<>();
    for (Incoming r : batch) {
      SovereignFinancialEvent e = r.event();
      if (e == null) {
        dead.add(new DeadLetters.Entry(r, r.problem()));
        continue;
      }
      List<Violation> violations = EventRules.content(e);
      if (!violations.isEmpty()) {
        dead.add(new DeadLetters.Entry(r, "invalid event: " + violations.stream()
            .map(v -> v.field() + " " + v.description()).collect(java.util.stream.Collectors.joining("; "))));
        continue;
      }
      if (once.containsKey(e.getEventId())) {
        continue; // its first delivery counts
      }
      try {
        projected.put(e.getEventId(), Projector.project(e));
        once.put(e.getEventId(), e);
        source.put(e.getEventId(), r);
      } catch (RuntimeException bad) { // pure code on the same bytes: it would fail the same way every time
        dead.add(new DeadLetters.Entry(r, "cannot be projected: " + bad));
      }
    }
    try (Connection c = owner.getConnection()) {
      c.setAutoCommit(false);
      try {
        int applied;
        Savepoint all = c.setSavepoint();
        try {
          applied = write(c, List.copyOf(once.values()), projected, mergeRows);
          c.releaseSavepoint(all);
        } catch (SQLException refused) {
          if (!SqlStates.isContentRefusal(refused)) {
            throw refused;
          }
          c.rollback(all);
          applied = 0;
          for (SovereignFinancialEvent e : once.values()) {
            Savepoint one = c.setSavepoint();
            try {
              applied += write(c, List.of(e), projected, mergeRows);
              c.releaseSavepoint(one);
            } catch (SQLException ex) {
              if (!SqlStates.isContentRefusal(ex)) {
                throw ex;
              }
              c.rollback(one);
              dead.add(new DeadLetters.Entry(source.get(e.getEventId()), "PostgreSQL refused its changes (SQLState "
                  + ex.getSQLState() + "): " + SqlStates.describe(ex)));
            }
          }
        }
        for (DeadLetters.Entry d : dead) {
          Incoming r = d.record();
          log.warn("dead letter {}: {}", r.topic() == null ? "event " + (r.event() == null ? "?"
              : SqlStates.printable(r.event().getEventId())) : r.topic() + "-" + r.partition() + "@" + r.offset(),
              SqlStates.printable(d.reason()));
        }
        DeadLetters.insert(c, dead.stream().filter(d -> d.record().topic() != null).toList());
        savePositions(c, positions);
        if (applied > 0) {
          notifyChanged(c); // delivered to the listening instances when this transaction commits
        }
        c.commit();
        return new Result(applied, dead.size());
      } catch (SQLException | RuntimeException ex) {
        c.rollback();
        throw ex;
      }
    }
  }

  /** Writes the changes of the new ones among {@code events}, tenant by tenant; returns how many were new. */
  private static int write(Connection c, List<SovereignFinancialEvent> events,
      Map<String, List<RowChange>> projected, boolean mergeRows) throws SQLException {
    // per tenant, since row-level security checks every written row
    Map<String, List<SovereignFinancialEvent>> byTenant = new LinkedHashMap<>();
    events.forEach(e -> byTenant.computeIfAbsent(e.getTenantId(), k -> new ArrayList<>()).add(e));
    int applied = 0;
    for (Map.Entry<String, List<SovereignFinancialEvent>> tenant : byTenant.entrySet()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT set_config('app.tenant_id', ?, true)")) {
        ps.setString(1, tenant.getKey());
        ps.execute();
      }
      Set<String> fresh = markApplied(c, tenant.getValue());
      List<RowChange> changes = new ArrayList<>();
      for (SovereignFinancialEvent e : tenant.getValue()) {
        if (fresh.contains(e.getEventId())) {
          changes.addAll(projected.get(e.getEventId()));
          applied++;
        }
      }
      try (Batches b = new Batches(c)) {
        for (RowChange ch : mergeRows ? RowChangeMerger.merge(changes) : changes) {
          write(b, ch);
        }
        b.execute();
      }
    }
    return applied;
  }

  /** Inserts the dedupe rows of {@code events} (one tenant's); returns the ids that were not there yet. */
  private static Set<String> markApplied(Connection c, List<SovereignFinancialEvent> events) throws SQLException {
    Set<String> fresh = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO projection_applied_events(event_id, tenant_id, "
        + "branch_id) SELECT u.event_id, ?, u.branch_id FROM unnest(?::text[], ?::text[]) AS u(event_id, branch_id) "
        + "ON CONFLICT (event_id) DO NOTHING RETURNING event_id")) {
      ps.setString(1, events.get(0).getTenantId());
      ps.setArray(2, c.createArrayOf("text", events.stream().map(SovereignFinancialEvent::getEventId).toArray()));
      ps.setArray(3, c.createArrayOf("text", events.stream().map(SovereignFinancialEvent::getBranchId).toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          fresh.add(rs.getString(1));
        }
      }
    }
    return fresh;
  }

  private static void savePositions(Connection c, List<Position> positions) throws SQLException {
    if (positions.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO projection_position(topic, \"partition\", "
        + "\"offset\", event_ts_ms) VALUES (?,?,?,?) ON CONFLICT (topic, \"partition\") DO UPDATE SET "
        + "\"offset\" = GREATEST(projection_position.\"offset\", EXCLUDED.\"offset\"), "
        + "event_ts_ms = CASE WHEN EXCLUDED.event_ts_ms = 0 THEN projection_position.event_ts_ms "
        + "ELSE EXCLUDED.event_ts_ms END")) {
      for (Position p : positions) {
        ps.setString(1, p.topic());
        ps.setInt(2, p.partition());
        ps.setLong(3, p.nextOffset());
        ps.setLong(4, p.eventTsMs());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Truncates every read model and the dedupe table (positions are kept: the topic is not re-read). */
  public void truncateAll() throws SQLException {
    try (Connection c = owner.getConnection(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE " + String.join(", ", TABLES));
      notifyChanged(c);
    }
  }

  /** Tells every query-service instance's summary cache that the read models changed ({@link SummaryCache}). */
  private static void notifyChanged(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("NOTIFY " + SummaryCache.CHANNEL);
    }
  }

  /** One JDBC batch per statement, executed in the order the statements were first used (one round trip each). */
  private static final class Batches implements AutoCloseable {
    private final Connection c;
    private final Map<String, PreparedStatement> statements = new LinkedHashMap<>();

    Batches(Connection c) {
      this.c = c;
    }

    void add(String sql, Object... args) throws SQLException {
      PreparedStatement ps = statements.get(sql);
      if (ps == null) {
        ps = c.prepareStatement(sql);
        statements.put(sql, ps);
      }
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      ps.addBatch();
    }

    void execute() throws SQLException {
      for (PreparedStatement ps : statements.values()) {
        ps.executeBatch();
      }
    }

    @Override
    public void close() throws SQLException {
      for (PreparedStatement ps : statements.values()) {
        ps.close();
      }
    }
  }

  private static final String HLC_NEWER = "(EXCLUDED.%1$s_ms, EXCLUDED.%1$s_logical) > (t.%1$s_ms, t.%1$s_logical)";

  private static void write(Batches c, RowChange ch) throws SQLException {
    switch (ch) {
      case BranchSeen b -> exec(c, "INSERT INTO qs_branch AS t (tenant_id, branch_id, currency, last_hlc_ms, "
          + "last_hlc_logical, last_hlc_node) VALUES (?,?,?,?,?,?) ON CONFLICT (tenant_id, branch_id) DO UPDATE SET "
          + "currency = CASE WHEN t.currency = '' THEN EXCLUDED.currency WHEN EXCLUDED.currency = '' THEN t.currency "
          + "ELSE LEAST(t.currency, EXCLUDED.currency) END, "
          + "last_hlc_ms = CASE WHEN " + HLC_NEWER.formatted("last_hlc") + " THEN EXCLUDED.last_hlc_ms ELSE t.last_hlc_ms END, "
          + "last_hlc_node = CASE WHEN " + HLC_NEWER.formatted("last_hlc") + " THEN EXCLUDED.last_hlc_node ELSE t.last_hlc_node END, "
          + "last_hlc_logical = CASE WHEN " + HLC_NEWER.formatted("last_hlc") + " THEN EXCLUDED.last_hlc_logical ELSE t.last_hlc_logical END",
          b.tenant(), b.branch(), b.currency(), b.hlc().physicalMs(), b.hlc().logical(), b.hlc().node());
      case SalesDelta s -> {
        exec(c, "INSERT INTO qs_sales_daily AS t VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (tenant_id, branch_id, day, "
            + "currency) DO UPDATE SET total_minor = t.total_minor + EXCLUDED.total_minor, tx_count = t.tx_count + "
            + "EXCLUDED.tx_count, items = t.items + EXCLUDED.items, tax_minor = t.tax_minor + EXCLUDED.tax_minor",
            s.tenant(), s.branch(), Date.valueOf(s.day()), s.currency(), s.totalMinor(), s.txCount(), s.items(),
            s.taxMinor());
        exec(c, "INSERT INTO qs_sales_hourly AS t VALUES (?,?,?,?,?,?,?) ON CONFLICT (tenant_id, branch_id, hour, "
            + "currency) DO UPDATE SET total_minor = t.total_minor + EXCLUDED.total_minor, tx_count = t.tx_count + "
            + "EXCLUDED.tx_count, items = t.items + EXCLUDED.items",
            s.tenant(), s.branch(), Timestamp.from(s.hour()), s.currency(), s.totalMinor(), s.txCount(), s.items());
      }
      case CategoryDelta d -> {
        exec(c, "INSERT INTO qs_sales_daily_category AS t VALUES (?,?,?,?,?,?,?) ON CONFLICT (tenant_id, branch_id, "
            + "day, category, currency) DO UPDATE SET total_minor = t.total_minor + EXCLUDED.total_minor, "
            + "items = t.items + EXCLUDED.items",
            d.tenant(), d.branch(), Date.valueOf(d.day()), d.category(), d.currency(), d.totalMinor(), d.items());
        exec(c, "INSERT INTO qs_sales_hourly_category AS t VALUES (?,?,?,?,?,?) ON CONFLICT (tenant_id, branch_id, "
            + "hour, category, currency) DO UPDATE SET total_minor = t.total_minor + EXCLUDED.total_minor",
            d.tenant(), d.branch(), Timestamp.from(d.hour()), d.category(), d.currency(), d.totalMinor());
      }
      case PaymentDelta p -> exec(c, "INSERT INTO qs_sales_daily_payment AS t VALUES (?,?,?,?,?,?,?) ON CONFLICT "
          + "(tenant_id, branch_id, day, payment_method, currency) DO UPDATE SET total_minor = t.total_minor + "
          + "EXCLUDED.total_minor, tx_count = t.tx_count + EXCLUDED.tx_count",
          p.tenant(), p.branch(), Date.valueOf(p.day()), p.paymentMethod(), p.currency(), p.totalMinor(), p.txCount());
      case SessionSeen s -> exec(c, "INSERT INTO qs_sessions VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
          s.tenant(), s.branch(), Date.valueOf(s.day()), s.sessionId());
      case InventoryDelta i -> exec(c, "INSERT INTO qs_inventory AS t (tenant_id, branch_id, product_id, current_qty, "
          + "reserved_qty, last_hlc_ms, last_hlc_logical, last_hlc_node) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT "
          + "(tenant_id, branch_id, product_id) DO UPDATE SET current_qty = t.current_qty + EXCLUDED.current_qty, "
          + "reserved_qty = t.reserved_qty + EXCLUDED.reserved_qty, "
          + "last_hlc_node = CASE WHEN " + HLC_NEWER.formatted("last_hlc") + " THEN EXCLUDED.last_hlc_node ELSE t.last_hlc_node END, "
          + "last_hlc_ms = GREATEST(t.last_hlc_ms, EXCLUDED.last_hlc_ms), "
          + "last_hlc_logical = CASE WHEN " + HLC_NEWER.formatted("last_hlc") + " THEN EXCLUDED.last_hlc_logical ELSE t.last_hlc_logical END",
          i.tenant(), i.branch(), i.productId(), i.currentDelta(), i.reservedDelta(), i.hlc().physicalMs(),
          i.hlc().logical(), i.hlc().node());
      case ReorderPoint r -> exec(c, "INSERT INTO qs_inventory AS t (tenant_id, branch_id, product_id, reorder_point, "
          + "reorder_hlc_ms, reorder_hlc_logical) VALUES (?,?,?,?,?,?) ON CONFLICT (tenant_id, branch_id, product_id) "
          + "DO UPDATE SET reorder_point = CASE WHEN " + HLC_NEWER.formatted("reorder_hlc")
          + " THEN EXCLUDED.reorder_point ELSE t.reorder_point END, "
          + "reorder_hlc_logical = CASE WHEN " + HLC_NEWER.formatted("reorder_hlc")
          + " THEN EXCLUDED.reorder_hlc_logical ELSE t.reorder_hlc_logical END, "
          + "reorder_hlc_ms = GREATEST(t.reorder_hlc_ms, EXCLUDED.reorder_hlc_ms)",
          r.tenant(), r.branch(), r.productId(), r.reorderPoint(), r.hlc().physicalMs(), r.hlc().logical());
      case LoyaltyDelta l -> exec(c, "INSERT INTO qs_loyalty AS t (tenant_id, branch_id, customer_ref, points, "
          + "lifetime_points, lifetime_value_minor) VALUES (?,?,?,?,?,?) ON CONFLICT (tenant_id, branch_id, "
          + "customer_ref) DO UPDATE SET points = t.points + EXCLUDED.points, lifetime_points = t.lifetime_points + "
          + "EXCLUDED.lifetime_points, lifetime_value_minor = t.lifetime_value_minor + EXCLUDED.lifetime_value_minor",
          l.tenant(), l.branch(), l.customerRef(), l.pointsDelta(), l.lifetimePointsDelta(),
          l.lifetimeValueMinorDelta());
      case LedgerDelta d -> exec(c, "INSERT INTO qs_ledger_daily AS t VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT "
          + "(tenant_id, branch_id, account_code, posting_date, currency) DO UPDATE SET debit_minor = t.debit_minor + "
          + "EXCLUDED.debit_minor, credit_minor = t.credit_minor + EXCLUDED.credit_minor, "
          + "account_name = GREATEST(t.account_name, EXCLUDED.account_name), "
          + "last_hlc_node = CASE WHEN " + HLC_NEWER.formatted("last_hlc") + " THEN EXCLUDED.last_hlc_node ELSE t.last_hlc_node END, "
          + "last_hlc_ms = GREATEST(t.last_hlc_ms, EXCLUDED.last_hlc_ms), "
          + "last_hlc_logical = CASE WHEN " + HLC_NEWER.formatted("last_hlc") + " THEN EXCLUDED.last_hlc_logical ELSE t.last_hlc_logical END",
          d.tenant(), d.branch(), d.accountCode(), Date.valueOf(d.postingDate()), d.currency(), d.accountName(),
          d.debitMinor(), d.creditMinor(), d.hlc().physicalMs(), d.hlc().logical(), d.hlc().node());
      case AlertRow a -> exec(c, "INSERT INTO qs_alerts VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (event_id) DO NOTHING",
          a.eventId(), a.tenant(), a.branch(), a.level(), a.kind(), a.source(), a.message(),
          Timestamp.from(a.createdAt()));
    }
  }

  private static void exec(Batches c, String sql, Object... args) throws SQLException {
    c.add(sql, args);
  }
}
