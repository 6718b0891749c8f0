package com.cps.dcs.localagent.sale;

import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.kernel.validation.ExactSums;
import com.cps.dcs.kernel.validation.InputRefused;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a total over the tenders a customer offers: cards and mobile wallets are charged exactly the amounts given;
 * cash pays the rest and may exceed it (the difference is change). Pure. Bad or overflowing tenders are
 * {@link InputRefused} naming the tender.
 */
public final class Tendering {
  private Tendering() {}

  public record Offered(TenderMethod method, long amountMinor, String token) {}

  /** One tender as applied: what it pays toward the sale, and what was handed over. */
  public record Applied(TenderMethod method, long appliedMinor, long tenderedMinor, String token) {}

  public record Plan(List<Applied> tenders, long changeMinor) {}

  public static Plan plan(long totalMinor, List<Offered> offered) {
    if (offered.isEmpty()) {
      throw new InputRefused("tenders", "at least one tender is needed");
    }
    long nonCash = 0;
    long cash = 0;
    for (int i = 0; i < offered.size(); i++) {
      Offered o = offered.get(i);
      if (o.method() == TenderMethod.TENDER_METHOD_UNSPECIFIED || o.method() == TenderMethod.UNRECOGNIZED) {
        throw new InputRefused("tenders[" + i + "].method", "must be CASH, CARD or MOBILE");
      }
      if (o.amountMinor() <= 0) {
        throw new InputRefused("tenders[" + i + "].amount_minor", "must be positive");
      }
      if (o.method() == TenderMethod.TENDER_CASH) {
        cash = ExactSums.add("tenders[" + i + "].amount_minor", cash, o.amountMinor());
      } else {
        if (o.token() == null || o.token().isBlank()) {
          throw new InputRefused("tenders[" + i + "].card_token", "a card or mobile payment needs its token");
        }
        nonCash = ExactSums.add("tenders[" + i + "].amount_minor", nonCash, o.amountMinor());
      }
    }
    if (nonCash > totalMinor) {
      throw new InputRefused("tenders", "card and mobile payments (" + nonCash + ") exceed the total ("
          + totalMinor + ")");
    }
    long cashDue = totalMinor - nonCash;
    if (cash < cashDue) {
      throw new InputRefused("tenders", "the tenders cover " + (nonCash + cash) + " of " + totalMinor);
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
