package com.cps.dcs.localagent.sale;

import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.v4.EventFacts;

/** The branch's small chart of accounts, used by the double-entry postings of sales and refunds. */
public final class Accounts {
  public static final String CASH = "1000";
  public static final String CARD_CLEARING = "1100";
  public static final String MOBILE_CLEARING = "1200";
  public static final String INVENTORY = "1300";
  public static final String SALES_TAX_PAYABLE = "2100";
  public static final String SALES_REVENUE = "4000";
  public static final String SALES_RETURNS = "4100";

  private Accounts() {}

  public static String name(String code) {
    return switch (code) {
      case CASH -> "Cash";
      case CARD_CLEARING -> "Card clearing";
      case MOBILE_CLEARING -> "Mobile clearing";
      case INVENTORY -> "Inventory";
      case SALES_TAX_PAYABLE -> "Sales tax payable";
      case SALES_REVENUE -> "Sales revenue";
      case SALES_RETURNS -> "Sales returns";
      default -> "Account " + code;
    };
  }

  public static String forTender(TenderMethod m) {
    return switch (m) {
      case TENDER_CARD -> CARD_CLEARING;
      case TENDER_MOBILE -> MOBILE_CLEARING;
      default -> CASH;
    };
  }

  public static EventFacts.Posting debit(String code, long minor) {
    return EventFacts.Posting.newBuilder().setAccountCode(code).setAccountName(name(code)).setDebitMinor(minor)
        .build();
  }

  public static EventFacts.Posting credit(String code, long minor) {
    return EventFacts.Posting.newBuilder().setAccountCode(code).setAccountName(name(code)).setCreditMinor(minor)
        .build();
  }
}
