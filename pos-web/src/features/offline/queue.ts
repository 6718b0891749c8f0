import { createStore, del, entries, set } from "idb-keyval";
import { toBinary, fromBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { CheckoutRequestSchema, type CheckoutRequest } from "../../gen/cps/enterprise/pos/v1/pos_pb";

// Checkouts the agent has not answered yet, kept in IndexedDB under their checkout id. Each is re-sent with the
// same checkout id until the agent answers, so a sale is never lost and never charged twice.
const store = typeof indexedDB === "undefined" ? undefined : createStore("dcs-pos", "pending-checkouts");

export async function enqueue(request: CheckoutRequest): Promise<void> {
  await set(request.checkoutId, toBinary(CheckoutRequestSchema, request), store);
}

export async function pending(): Promise<CheckoutRequest[]> {
  const all = await entries<string, Uint8Array>(store);
  return all.map(([, bytes]) => fromBinary(CheckoutRequestSchema, bytes));
}

export async function done(checkoutId: string): Promise<void> {
  await del(checkoutId, store);
}

export type CheckoutInit = MessageInitShape<typeof CheckoutRequestSchema>;
