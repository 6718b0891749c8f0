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
