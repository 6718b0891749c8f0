package com.cps.dcs.kernel.ledger;

import com.cps.dcs.kernel.money.Money;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.util.List;

/**
 * The balance of a set of events: net takings. Completed sales add their amount; reversals and partial refunds
 * subtract theirs. Other event types (reservations, payments, postings) describe the same money again and are not
 * counted, so nothing is counted twice. Pure.
 */
public final class Reconciliation {
  private Reconciliation() {}

  /** The signed contribution of one event to the balance, in minor units. */
  public static long contribution(SovereignFinancialEvent e) {
    return switch (e.getType()) {
      case SALE_COMPLETED -> e.getAmountMinor();
      case SALE_REVERSED, SALE_PARTIALLY_REFUNDED -> -e.getAmountMinor();
      default -> 0;
    };
  }

  public static boolean counts(EventType type) {
    return type == EventType.SALE_COMPLETED || type == EventType.SALE_REVERSED
        || type == EventType.SALE_PARTIALLY_REFUNDED;
  }

  /** The widest range one reconciliation covers, in milliseconds (366 days). */
  public static final long MAX_RANGE_MS = 366L * 86_400_000L;
  /** Event ids a reconciliation names as discrepancies at most; the rest are counted in its verdict only. */
  public static final int MAX_DISCREPANCY_IDS = 1000;

  /** A balance summed page by page, so a reconciliation holds one page of events at a time, never the range. */
  public static final class Tally {
    private final String currency;
    private long total;

    public Tally(String currency) {
      this.currency = currency;
    }

    public void add(SovereignFinancialEvent e) {
      if (e.getCurrency().equals(currency)) {
        total = Math.addExact(total, contribution(e));
      }
    }

    public Money balance() {
      return Money.ofMinor(total, currency);
    }
  }

  public static Money balance(List<SovereignFinancialEvent> events, String currency) {
    long total = 0;
    for (SovereignFinancialEvent e : events) {
      if (e.getCurrency().equals(currency)) {
        total = Math.addExact(total, contribution(e));
      }
    }
    return Money.ofMinor(total, currency);
  }
}
