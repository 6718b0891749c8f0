package com.cps.dcs.query.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.query.projection.RowChange.*;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The merge against a model of the projection SQL (ProjectionBatchingIT checks the same against PostgreSQL itself):
 * the merged changes of any stream, or of any split of it into batches, leave the tables that the changes applied one
 * by one leave.
 */
class RowChangeMergerTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 22);
  private static final Instant HOUR = Instant.parse("2026-11-22T10:00:00Z");

  @Test
  void mergedBatchesLeaveTheTablesThatOneChangeAtATimeLeaves() {
    qt().withExamples(300).forAll(longs().all(), integers().between(1, 200), integers().between(1, 60))
        .checkAssert((seed, n, batchSize) -> {
          List<RowChange> changes = new ArrayList<>();
          for (SovereignFinancialEvent e : RandomEvents.generate(new Random(seed), n)) {
            changes.addAll(Projector.project(e)); // redeliveries included: the merge must not care
          }
          Tables oneByOne = new Tables();
          changes.forEach(oneByOne::apply);
          Tables batched = new Tables();
          for (int i = 0; i < changes.size(); i += batchSize) {
            RowChangeMerger.merge(changes.subList(i, Math.min(changes.size(), i + batchSize)))
                .forEach(batched::apply);
          }
          assertThat(batched.rows).isEqualTo(oneByOne.rows);
        });
  }

  @Test
  void deltasOfOneRowBecomeOneChange() {
    assertThat(RowChangeMerger.merge(List.of(
        new SalesDelta("t", "b", DAY, HOUR, "USD", 250, 1, 2, 10),
        new SalesDelta("t", "b", DAY, HOUR, "USD", -100, 0, -1, -4),
        new SalesDelta("t", "b", DAY, HOUR, "USD", 999, 1, 3, 0))))
        .containsExactly(new SalesDelta("t", "b", DAY, HOUR, "USD", 1149, 2, 4, 6));
  }

  @Test
  void onAnHlcTieTheFirstStaysAsTheSqlKeepsTheStoredValue() {
    Hlc first = new Hlc(5, 1, "n1");
    Hlc tie = new Hlc(5, 1, "n2");
    Hlc older = new Hlc(4, 9, "n3");
    assertThat(RowChangeMerger.merge(List.of(new BranchSeen("t", "b", "USD", first),
        new BranchSeen("t", "b", "", tie), new BranchSeen("t", "b", "USD", older))))
        .containsExactly(new BranchSeen("t", "b", "USD", first));
    assertThat(RowChangeMerger.merge(List.of(new ReorderPoint("t", "b", "p", 3, older),
        new ReorderPoint("t", "b", "p", 7, first), new ReorderPoint("t", "b", "p", 9, tie))))
        .containsExactly(new ReorderPoint("t", "b", "p", 7, first));
  }

  @Test
  void valuesTheDatabaseCollationOrdersAndOverflowingSumsAreLeftToTheSql() {
    Hlc h = new Hlc(1, 0, "n");
    List<RowChange> names = List.of(new LedgerDelta("t", "b", "1000", "Cash", DAY, "USD", 5, 0, h),
        new LedgerDelta("t", "b", "1000", "Cash desk", DAY, "USD", 7, 0, h));
    assertThat(RowChangeMerger.merge(names)).isEqualTo(names);
    List<RowChange> currencies = List.of(new BranchSeen("t", "b", "USD", h), new BranchSeen("t", "b", "EUR", h));
    assertThat(RowChangeMerger.merge(currencies)).isEqualTo(currencies);
    List<RowChange> big = List.of(new LoyaltyDelta("t", "b", "c", Long.MAX_VALUE, 0, 0),
        new LoyaltyDelta("t", "b", "c", 1, 0, 0), new LoyaltyDelta("t", "b", "c", -5, 0, 0));
    assertThat(RowChangeMerger.merge(big)).containsExactly(new LoyaltyDelta("t", "b", "c", Long.MAX_VALUE, 0, 0),
        new LoyaltyDelta("t", "b", "c", -4, 0, 0));
  }

  @Test
  void theResultIsInTableThenKeyOrderSoBatchesLockRowsInOneOrder() {
    Hlc h = new Hlc(1, 0, "n");
    List<RowChange> merged = RowChangeMerger.merge(List.of(new SessionSeen("t", "b2", DAY, "s"),
        new BranchSeen("t", "b2", "USD", h), new SessionSeen("t", "b1", DAY, "s"), new BranchSeen("t", "b1", "USD", h),
        new SessionSeen("t", "b1", DAY, "s")));
    assertThat(merged).containsExactly(new BranchSeen("t", "b1", "USD", h), new BranchSeen("t", "b2", "USD", h),
        new SessionSeen("t", "b1", DAY, "s"), new SessionSeen("t", "b2", DAY, "s"));
  }

  /** The projection SQL of ProjectionStore, row by row, on maps (currency and names ordered by String). */
  private static final class Tables {
    final Map<List<Object>, Object> rows = new HashMap<>();

    void apply(RowChange ch) {
      switch (ch) {
        case BranchSeen b -> rows.merge(List.of("branch", b.tenant(), b.branch()), List.of(b.currency(), b.hlc()),
            (o, n) -> {
              String oc = (String) ((List<?>) o).get(0);
              String nc = (String) ((List<?>) n).get(0);
              String cur = oc.isEmpty() ? nc : nc.isEmpty() ? oc : oc.compareTo(nc) <= 0 ? oc : nc;
              return List.of(cur, lww((Hlc) ((List<?>) o).get(1), (Hlc) ((List<?>) n).get(1)));
            });
        case SalesDelta s -> {
          add(List.of("daily", s.tenant(), s.branch(), s.day(), s.currency()), s.totalMinor(), s.txCount(),
              s.items(), s.taxMinor());
          add(List.of("hourly", s.tenant(), s.branch(), s.hour(), s.currency()), s.totalMinor(), s.txCount(),
              s.items());
        }
        case CategoryDelta d -> {
          add(List.of("daily_category", d.tenant(), d.branch(), d.day(), d.category(), d.currency()),
              d.totalMinor(), d.items());
          add(List.of("hourly_category", d.tenant(), d.branch(), d.hour(), d.category(), d.currency()),
              d.totalMinor());
        }
        case PaymentDelta p -> add(List.of("payment", p.tenant(), p.branch(), p.day(), p.paymentMethod(),
            p.currency()), p.totalMinor(), p.txCount());
        case SessionSeen s -> rows.putIfAbsent(List.of("session", s.tenant(), s.branch(), s.day(), s.sessionId()),
            true);
        case InventoryDelta i -> {
          add(List.of("inventory qty", i.tenant(), i.branch(), i.productId()), i.currentDelta(), i.reservedDelta());
          rows.merge(List.of("inventory hlc", i.tenant(), i.branch(), i.productId()), i.hlc(),
              (o, n) -> lww((Hlc) o, (Hlc) n));
        }
        case ReorderPoint r -> rows.merge(List.of("reorder", r.tenant(), r.branch(), r.productId()), r,
            (o, n) -> newer(((ReorderPoint) n).hlc(), ((ReorderPoint) o).hlc()) ? n : o);
        case LoyaltyDelta l -> add(List.of("loyalty", l.tenant(), l.branch(), l.customerRef()), l.pointsDelta(),
            l.lifetimePointsDelta(), l.lifetimeValueMinorDelta());
        case LedgerDelta d -> {
          List<Object> key = List.of(d.tenant(), d.branch(), d.accountCode(), d.postingDate(), d.currency());
          add(List.of("ledger", key), d.debitMinor(), d.creditMinor());
          rows.merge(List.of("ledger name", key), d.accountName(),
              (o, n) -> ((String) o).compareTo((String) n) >= 0 ? o : n);
          rows.merge(List.of("ledger hlc", key), d.hlc(), (o, n) -> lww((Hlc) o, (Hlc) n));
        }
        case AlertRow a -> rows.putIfAbsent(List.of("alert", a.eventId()), a);
      }
    }

    private void add(List<Object> key, long... deltas) {
      List<Long> d = new ArrayList<>();
      for (long x : deltas) {
        d.add(x);
      }
      rows.merge(key, d, (o, n) -> {
        List<Long> sum = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
          sum.add((Long) ((List<?>) o).get(i) + (Long) ((List<?>) n).get(i));
        }
        return sum;
      });
    }

    /** {@code (EXCLUDED.ms, EXCLUDED.logical) > (t.ms, t.logical)}: only a strictly newer value replaces. */
    private static boolean newer(Hlc incoming, Hlc stored) {
      return incoming.physicalMs() > stored.physicalMs()
          || incoming.physicalMs() == stored.physicalMs() && incoming.logical() > stored.logical();
    }

    private static Hlc lww(Hlc stored, Hlc incoming) {
      return newer(incoming, stored) ? incoming : stored;
    }
  }
}
