// Checkouts the agent has not answered yet: kept in IndexedDB (without session token or PIN) until they are.
export { enqueue, pending, done, type CheckoutInit } from "./queue";
export { useOfflineQueue } from "./store";
