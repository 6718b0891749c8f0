import type { MessageInitShape } from "@bufbuild/protobuf";
import { parseMinor } from "../../lib/money";
import { TenderMethod, type TenderSchema } from "../../gen/cps/enterprise/pos/v1/pos_pb";

/** What the cashier typed in the payment fields. */
export interface TenderFields {
  cash: string;
  card: string;
  mobile: string;
  cardToken: string;
}

export type TenderInit = MessageInitShape<typeof TenderSchema>;

/**
 * The tenders for a payment: card and mobile for what was typed (a wallet without a token is "wallet"), cash for
 * what was handed over, or cash for the whole total when nothing at all was typed (F4 on a fresh cart).
 */
export function tendersFor(fields: TenderFields, totalMinor: bigint): TenderInit[] {
  const tenders: TenderInit[] = [];
  const card = parseMinor(fields.card);
  if (card) tenders.push({ method: TenderMethod.TENDER_CARD, amountMinor: card, cardToken: fields.cardToken });
  const mobile = parseMinor(fields.mobile);
  if (mobile) tenders.push({ method: TenderMethod.TENDER_MOBILE, amountMinor: mobile, cardToken: fields.cardToken || "wallet" });
  const cashGiven = fields.cash.trim() === "" && tenders.length === 0 ? totalMinor : parseMinor(fields.cash) ?? 0n;
  if (cashGiven > 0n) tenders.push({ method: TenderMethod.TENDER_CASH, amountMinor: cashGiven });
  return tenders;
}
