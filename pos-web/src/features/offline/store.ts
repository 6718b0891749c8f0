import { create } from "zustand";
import { pending } from "./queue";

// How many sales wait on this till for the agent, as the cashier is shown it. IndexedDB (queue.ts) holds the sales
// themselves; this is its count in memory, recounted after each round of re-sending.
interface OfflineQueueState {
  waiting: number;
  recount: () => Promise<void>;
}

export const useOfflineQueue = create<OfflineQueueState>((set) => ({
  waiting: 0,
  recount: async () => set({ waiting: (await pending()).length }),
}));
