package com.cps.dcs.localagent.sync;

import java.time.Instant;

/**
 * What the branch knows about its sync with the region, for the POS's GetSyncStatus and for dashboards.
 *
 * @param configured false for a standalone branch (DCS_REGIONAL_ADDRESS unset)
 * @param reachable whether the last attempt reached a regional node
 * @param pendingEvents own events not yet acknowledged by the region
 * @param syncedEvents own events the region has acknowledged
 * @param lastSync when the last complete sync ended, or null
 * @param lastError why the last attempt failed, or empty
 * @param regionalAddress the node last used (or the configured list)
 */
public record SyncStatusView(boolean configured, boolean reachable, long pendingEvents, long syncedEvents,
    Instant lastSync, String lastError, String regionalAddress) {}
