import { createStore, del, entries, set } from "idb-keyval";
import { clone, create, toBinary, fromBinary, type MessageInitShape } from "@bufbuild/protobuf";
import {
  CheckoutRequestSchema,
  type CheckoutRequest,
  type ManagerApproval,
} from "../../gen/cps/enterprise/pos/v1/pos_pb";

// Checkouts the agent has not answered yet, kept in IndexedDB under their checkout id. Each is re-sent with the
// same checkout id until the agent answers, so a sale is never lost and never charged twice.
// What is kept on disk holds neither the session token nor a manager's PIN: the token of whoever is signed in when
// the checkout is re-sent is used, and an approval (with its PIN) stays in this tab's memory only.
const store = typeof indexedDB === "undefined" ? undefined : createStore("dcs-pos", "pending-checkouts");
const approvals = new Map<string, ManagerApproval>();

/** The request as it may rest on disk: no session token, no approval. */
export function storable(request: CheckoutRequest): CheckoutRequest {
  const kept = clone(CheckoutRequestSchema, request);
  kept.sessionToken = "";
  kept.approval = undefined;
  return kept;
}

export async function enqueue(request: CheckoutRequest): Promise<void> {
  if (request.approval) approvals.set(request.checkoutId, request.approval);
  await set(request.checkoutId, toBinary(CheckoutRequestSchema, storable(request)), store);
}

/** The queued checkouts, ready to send as {@code sessionToken} (the approval when this tab still has it). */
export async function pending(sessionToken = ""): Promise<CheckoutRequest[]> {
  const all = await entries<string, Uint8Array>(store);
  return all.map(([, bytes]) => {
    const r = fromBinary(CheckoutRequestSchema, bytes);
    return create(CheckoutRequestSchema, { ...r, sessionToken, approval: approvals.get(r.checkoutId) });
  });
}

export async function done(checkoutId: string): Promise<void> {
  approvals.delete(checkoutId);
  await del(checkoutId, store);
}

/** The raw bytes kept on disk (for tests that check what rests there). */
export async function storedBytes(): Promise<Uint8Array[]> {
  return (await entries<string, Uint8Array>(store)).map(([, bytes]) => bytes);
}

export type CheckoutInit = MessageInitShape<typeof CheckoutRequestSchema>;
