import { useEffect, useRef } from "react";
import type { UseQueryResult } from "@tanstack/react-query";
import type { SyncStatus } from "../../gen/cps/enterprise/pos/v1/pos_pb";
import { resendPending } from "../checkout";
import { useOfflineQueue } from "../offline";

/**
 * After each poll of the agent: when it answered, the queued checkouts go again with this session's token; either
 * way the waiting sales are recounted. One round at a time, so a slow round never sends a checkout twice at once.
 */
export function useResendAfterEachPoll(sessionToken: string, poll: UseQueryResult<SyncStatus>): void {
  const recount = useOfflineQueue((s) => s.recount);
  const running = useRef(false);
  const polledAt = Math.max(poll.dataUpdatedAt, poll.errorUpdatedAt);
  const agentAnswered = poll.status === "success";
  useEffect(() => {
    if (polledAt === 0 || running.current) return;
    running.current = true;
    (agentAnswered ? resendPending(sessionToken) : Promise.resolve([]))
      .catch(() => []) // IndexedDB refused: the next round tries again
      .then(recount)
      .catch(() => {})
      .finally(() => { running.current = false; });
  }, [polledAt, agentAnswered, sessionToken, recount]);
}
