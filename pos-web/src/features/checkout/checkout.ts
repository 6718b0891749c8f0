import { ConnectError, Code } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { pos } from "../../api/client";
import { CheckoutRequestSchema, type Receipt } from "../../gen/cps/enterprise/pos/v1/pos_pb";
import { done, enqueue, pending, type CheckoutInit } from "../offline/queue";

export type CheckoutOutcome =
  | { kind: "receipt"; receipt: Receipt }
  | { kind: "queued"; checkoutId: string }
  | { kind: "refused"; message: string };

/** True when the agent could not be reached (as opposed to refusing the sale). */
export function isUnreachable(e: unknown): boolean {
  const err = ConnectError.from(e);
  return err.code === Code.Unavailable || err.code === Code.Unknown || err.code === Code.DeadlineExceeded ||
    err.code === Code.Internal && /fetch|network/i.test(err.rawMessage);
}

/**
 * Sends a checkout. If the agent cannot be reached, the request is kept in IndexedDB (with its checkout id) and the
 * caller is told it is queued; {@link resendPending} sends it again later with the same id.
 */
export async function checkout(init: CheckoutInit): Promise<CheckoutOutcome> {
  const request = create(CheckoutRequestSchema, init);
  await enqueue(request); // first on disk: a crash or a closed tab cannot lose the sale
  try {
    const receipt = await pos.checkout(request, { timeoutMs: 20_000 });
    await done(request.checkoutId);
    return { kind: "receipt", receipt };
  } catch (e) {
    if (isUnreachable(e)) return { kind: "queued", checkoutId: request.checkoutId };
    await done(request.checkoutId);
    return { kind: "refused", message: ConnectError.from(e).rawMessage };
  }
}

/** Re-sends every queued checkout; returns the receipts the agent gave back. */
export async function resendPending(): Promise<Receipt[]> {
  const receipts: Receipt[] = [];
  for (const request of await pending()) {
    try {
      receipts.push(await pos.checkout(request, { timeoutMs: 20_000 }));
      await done(request.checkoutId);
    } catch (e) {
      if (isUnreachable(e)) break; // still away: keep the rest for later
      await done(request.checkoutId); // refused for a business reason: it will never succeed as is
    }
  }
  return receipts;
}
