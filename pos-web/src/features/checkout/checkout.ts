import { ConnectError, Code } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { CheckoutRequestSchema, type CheckoutRequest, type Receipt } from "../../gen/cps/enterprise/pos/v1/pos_pb";
import { done, enqueue, pending, type CheckoutInit } from "../offline";
import { sendCheckout } from "./api/checkout";

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
    const receipt = await sendCheckout(request);
    await done(request.checkoutId);
    return { kind: "receipt", receipt };
  } catch (e) {
    if (isUnreachable(e) || needsSignIn(e)) return { kind: "queued", checkoutId: request.checkoutId };
    await done(request.checkoutId);
    return { kind: "refused", message: ConnectError.from(e).rawMessage };
  }
}

/** True when the session is gone (ended, or the agent does not know it): sign in again, then re-send. */
export function needsSignIn(e: unknown): boolean {
  return ConnectError.from(e).code === Code.Unauthenticated;
}

type Send = (request: CheckoutRequest) => Promise<Receipt>;

/**
 * Re-sends every queued checkout with the token of whoever is signed in now (the queue keeps none); returns the
 * receipts the agent gave back. A checkout the agent cannot take now (unreachable, or the session is gone) stays
 * queued for the next round, after a fresh sign-in if need be.
 */
export async function resendPending(sessionToken: string, send: Send = sendCheckout): Promise<Receipt[]> {
  const receipts: Receipt[] = [];
  for (const request of await pending(sessionToken)) {
    try {
      receipts.push(await send(request));
      await done(request.checkoutId);
    } catch (e) {
      if (isUnreachable(e) || needsSignIn(e)) break; // keep the rest for later
      await done(request.checkoutId); // refused for a business reason: it will never succeed as is
    }
  }
  return receipts;
}
