import { useQuery } from "@tanstack/react-query";
import { pos } from "../../../lib/api-client";

/** The agent's sync state (region reachable, events to sync, last sync), asked every 3 s. */
export function useSyncStatus(sessionToken: string) {
  return useQuery({
    queryKey: ["sync-status", sessionToken],
    queryFn: ({ signal }) => pos.getSyncStatus({ sessionToken }, { timeoutMs: 3000, signal }),
    refetchInterval: 3000,
    refetchIntervalInBackground: true, // a till left in a background tab still sends its queued sales
  });
}
