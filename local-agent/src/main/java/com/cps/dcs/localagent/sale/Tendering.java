package com.cps.dcs.localagent.sale;

import com.cps.dcs.proto.pos.v1.TenderMethod;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a total over the tenders a customer offers: cards and mobile wallets are charged exactly the amounts given;
 * cash pays the rest and may exceed it (the difference is change). Pure.
 */
public final class Tendering {
  private Tendering() {}

  public record Offered(TenderMethod method, long amountMinor, String token) {}

  /** One tender as applied: what it pays toward the sale, and what was handed over. */
  public record Applied(TenderMethod method, long appliedMinor, long tenderedMinor, String token) {}

  public record Plan(List<Applied> tenders, long changeMinor) {}

  public static final class TenderException extends IllegalArgumentException {
    private final String field;

    TenderException(String field, String message) {
      super(message);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  public static Plan plan(long totalMinor, List<Offered> offered) {
    if (offered.isEmpty()) {
      throw new TenderException("tenders", "at least one tender is needed");
    }
    long nonCash = 0;
    long cash = 0;
    for (int i = 0; i < offered.size(); i++) {
      Offered o = offered.get(i);
      if (o.method() == TenderMethod.TENDER_METHOD_UNSPECIFIED || o.method() == TenderMethod.UNRECOGNIZED) {
        throw new TenderException("tenders[" + i + "].method", "must be CASH, CARD or MOBILE");
      }
      if (o.amountMinor() <= 0) {
        throw new TenderException("tenders[" + i + "].amount_minor", "must be positive");
      }
      if (o.method() == TenderMethod.TENDER_CASH) {
        cash += o.amountMinor();
      } else {
        if (o.token() == null || o.token().isBlank()) {
          throw new TenderException("tenders[" + i + "].card_token", "a card or mobile payment needs its token");
        }
        nonCash += o.amountMinor();
      }
    }
    if (nonCash > totalMinor) {
      throw new TenderException("tenders", "card and mobile payments (" + nonCash + ") exceed the total ("
          + totalMinor + ")");
    }
    long cashDue = totalMinor - nonCash;
    if (cash < cashDue) {
      throw new TenderException("tenders", "the tenders cover " + (nonCash + cash) + " of " + totalMinor);
    }
    List<Applied> applied = new ArrayList<>();
    long cashLeft = cashDue;
    for (Offered o : offered) {
      if (o.method() == TenderMethod.TENDER_CASH) {
        long use = Math.min(cashLeft, o.amountMinor());
        cashLeft -= use;
        applied.add(new Applied(o.method(), use, o.amountMinor(), ""));
      } else {
        applied.add(new Applied(o.method(), o.amountMinor(), o.amountMinor(), o.token()));
      }
    }
    return new Plan(List.copyOf(applied), cash - cashDue);
  }
}
