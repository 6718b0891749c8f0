import { pos } from "../../../lib/api-client";
import type { CheckoutRequest, Receipt } from "../../../gen/cps/enterprise/pos/v1/pos_pb";

/** One checkout at the agent: it prices, takes the tenders and answers the receipt (the same one for a retried id). */
export function sendCheckout(request: CheckoutRequest): Promise<Receipt> {
  return pos.checkout(request, { timeoutMs: 20_000 });
}
