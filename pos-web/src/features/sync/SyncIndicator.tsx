import type { Session } from "../session";
import { useOfflineQueue } from "../offline";
import { useSyncStatus } from "./api/getSyncStatus";
import { useResendAfterEachPoll } from "./useResendAfterEachPoll";

/** Online or offline, events waiting to sync, sales waiting for the agent, last sync. */
export function SyncIndicator({ session }: { session: Session }) {
  const poll = useSyncStatus(session.token);
  useResendAfterEachPoll(session.token, poll);
  const waiting = useOfflineQueue((s) => s.waiting);
  const status = poll.data ?? null;
  const agentUp = !poll.isError;
  const online = agentUp && (status?.regionReachable ?? false);
  return (
    <span className={`sync ${online ? "online" : "offline"}`} data-testid="sync" title={status?.lastError ?? ""}>
      {!agentUp ? "agent unreachable" : online ? "online" : "offline"} · {status ? `${status.pendingEvents} to sync` : "…"}
      {waiting > 0 && ` · ${waiting} sale(s) waiting for the agent`}
      {status?.lastSync && ` · last sync ${new Date(Number(status.lastSync.seconds) * 1000).toLocaleTimeString()}`}
    </span>
  );
}
