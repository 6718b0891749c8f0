package com.cps.dcs.query.projection;

import com.cps.dcs.query.projection.RowChange.*;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the row changes of a batch of events into fewer changes that leave the read models exactly as applying the
 * originals one after the other would. Pure: no I/O.
 *
 * <p>Changes to the same row are folded in their order: additive deltas are summed (exact {@code long} arithmetic),
 * an HLC last-writer-wins value keeps the first strictly newest (the SQL keeps the stored value on a tie), and
 * set-like rows (sessions, alerts) are kept once. A change that cannot be folded exactly into the previous one of its
 * row starts a new change for that row instead: a sum that would overflow, or a branch currency / ledger account
 * name that differs (those are compared by PostgreSQL's collation, so the SQL decides them). Since every fold is
 * associative, folding consecutive runs and applying the runs in order equals applying the changes one by one.
 *
 * <p>The result is ordered by table, then row key, so concurrent batches lock rows in the same order.
 */
public final class RowChangeMerger {

  private RowChangeMerger() {}

  /** Equivalent changes, at most one per row (more only where a fold would not be exact), in lock order. */
  public static List<RowChange> merge(List<RowChange> changes) {
    Map<List<Object>, List<RowChange>> byRow = new LinkedHashMap<>(); // row key -> consecutive folded runs
    for (RowChange ch : changes) {
      List<RowChange> runs = byRow.computeIfAbsent(key(ch), k -> new ArrayList<>(1));
      RowChange folded = runs.isEmpty() ? null : fold(runs.get(runs.size() - 1), ch);
      if (folded == null) {
        runs.add(ch);
      } else {
        runs.set(runs.size() - 1, folded);
      }
    }
    List<Map.Entry<List<Object>, List<RowChange>>> rows = new ArrayList<>(byRow.entrySet());
    rows.sort(Comparator.comparing((Map.Entry<List<Object>, List<RowChange>> r) -> (String) r.getKey().get(0))
        .thenComparing(r -> r.getKey().toString()));
    List<RowChange> out = new ArrayList<>();
    rows.forEach(r -> out.addAll(r.getValue()));
    return out;
  }

  /** The row a change touches: its table (with a sort prefix giving the write order) and primary key. */
  static List<Object> key(RowChange ch) {
    return switch (ch) {
      case BranchSeen b -> List.of("00 branch", b.tenant(), b.branch());
      case SalesDelta s -> List.of("01 sales", s.tenant(), s.branch(), s.day(), s.hour(), s.currency());
      case CategoryDelta d -> List.of("02 category", d.tenant(), d.branch(), d.day(), d.hour(), d.category(),
          d.currency());
      case PaymentDelta p -> List.of("03 payment", p.tenant(), p.branch(), p.day(), p.paymentMethod(),
          p.currency());
      case SessionSeen s -> List.of("04 session", s.tenant(), s.branch(), s.day(), s.sessionId());
      case InventoryDelta i -> List.of("05 inventory", i.tenant(), i.branch(), i.productId());
      case ReorderPoint r -> List.of("06 reorder", r.tenant(), r.branch(), r.productId());
      case LoyaltyDelta l -> List.of("07 loyalty", l.tenant(), l.branch(), l.customerRef());
      case LedgerDelta d -> List.of("08 ledger", d.tenant(), d.branch(), d.accountCode(), d.postingDate(),
          d.currency());
      case AlertRow a -> List.of("09 alert", a.eventId());
    };
  }

  /** {@code a} then {@code b} (same row) as one change, or null when that would not be exact. */
  static RowChange fold(RowChange a, RowChange b) {
    try {
      return switch (a) {
        case BranchSeen x when b instanceof BranchSeen y -> {
          String cur = x.currency().isEmpty() ? y.currency() : x.currency();
          if (!x.currency().isEmpty() && !y.currency().isEmpty() && !x.currency().equals(y.currency())) {
            yield null; // LEAST under the database's collation: let the SQL decide
          }
          yield new BranchSeen(x.tenant(), x.branch(), cur, newest(x.hlc(), y.hlc()));
        }
        case SalesDelta x when b instanceof SalesDelta y -> new SalesDelta(x.tenant(), x.branch(), x.day(), x.hour(),
            x.currency(), add(x.totalMinor(), y.totalMinor()), add(x.txCount(), y.txCount()),
            add(x.items(), y.items()), add(x.taxMinor(), y.taxMinor()));
        case CategoryDelta x when b instanceof CategoryDelta y -> new CategoryDelta(x.tenant(), x.branch(), x.day(),
            x.hour(), x.category(), x.currency(), add(x.totalMinor(), y.totalMinor()), add(x.items(), y.items()));
        case PaymentDelta x when b instanceof PaymentDelta y -> new PaymentDelta(x.tenant(), x.branch(), x.day(),
            x.paymentMethod(), x.currency(), add(x.totalMinor(), y.totalMinor()), add(x.txCount(), y.txCount()));
        case SessionSeen x -> x;
        case InventoryDelta x when b instanceof InventoryDelta y -> new InventoryDelta(x.tenant(), x.branch(),
            x.productId(), add(x.currentDelta(), y.currentDelta()), add(x.reservedDelta(), y.reservedDelta()),
            newest(x.hlc(), y.hlc()));
        case ReorderPoint x when b instanceof ReorderPoint y -> newer(y.hlc(), x.hlc()) ? y : x;
        case LoyaltyDelta x when b instanceof LoyaltyDelta y -> new LoyaltyDelta(x.tenant(), x.branch(),
            x.customerRef(), add(x.pointsDelta(), y.pointsDelta()),
            add(x.lifetimePointsDelta(), y.lifetimePointsDelta()),
            add(x.lifetimeValueMinorDelta(), y.lifetimeValueMinorDelta()));
        case LedgerDelta x when b instanceof LedgerDelta y -> x.accountName().equals(y.accountName())
            ? new LedgerDelta(x.tenant(), x.branch(), x.accountCode(), x.accountName(), x.postingDate(),
                x.currency(), add(x.debitMinor(), y.debitMinor()), add(x.creditMinor(), y.creditMinor()),
                newest(x.hlc(), y.hlc()))
            : null; // GREATEST under the database's collation: let the SQL decide
        case AlertRow x -> x; // ON CONFLICT (event_id) DO NOTHING: the first stays
        default -> throw new IllegalArgumentException("not the same row: " + a + " / " + b);
      };
    } catch (ArithmeticException overflow) {
      return null;
    }
  }

  private static long add(long x, long y) {
    return Math.addExact(x, y);
  }

  /** The SQL's test: {@code (b.ms, b.logical) > (a.ms, a.logical)}; the node does not take part. */
  static boolean newer(Hlc b, Hlc a) {
    return b.physicalMs() != a.physicalMs() ? b.physicalMs() > a.physicalMs() : b.logical() > a.logical();
  }

  private static Hlc newest(Hlc a, Hlc b) {
    return newer(b, a) ? b : a;
  }
}
