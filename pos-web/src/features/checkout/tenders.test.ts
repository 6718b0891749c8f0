import { describe, expect, it } from "vitest";
import { TenderMethod } from "../../gen/cps/enterprise/pos/v1/pos_pb";
import { tendersFor } from "./tenders";

const none = { cash: "", card: "", mobile: "", cardToken: "" };

describe("tenders", () => {
  it("pays the whole total in cash when nothing was typed", () => {
    expect(tendersFor(none, 1436n)).toEqual([{ method: TenderMethod.TENDER_CASH, amountMinor: 1436n }]);
  });

  it("takes the cash handed over, not the total, when an amount was typed", () => {
    expect(tendersFor({ ...none, cash: "20.00" }, 1436n)).toEqual([{ method: TenderMethod.TENDER_CASH, amountMinor: 2000n }]);
  });

  it("splits card, mobile and cash, a wallet without a token being 'wallet'", () => {
    expect(tendersFor({ cash: "1", card: "5.00", mobile: "3.50", cardToken: "" }, 1000n)).toEqual([
      { method: TenderMethod.TENDER_CARD, amountMinor: 500n, cardToken: "" },
      { method: TenderMethod.TENDER_MOBILE, amountMinor: 350n, cardToken: "wallet" },
      { method: TenderMethod.TENDER_CASH, amountMinor: 100n },
    ]);
  });

  it("adds no cash when the card pays and no cash was typed, and skips amounts of zero", () => {
    expect(tendersFor({ ...none, card: "10", cardToken: "tok-1" }, 1000n)).toEqual([
      { method: TenderMethod.TENDER_CARD, amountMinor: 1000n, cardToken: "tok-1" },
    ]);
    expect(tendersFor({ ...none, cash: "0", card: "0" }, 1000n)).toEqual([]);
  });
});
