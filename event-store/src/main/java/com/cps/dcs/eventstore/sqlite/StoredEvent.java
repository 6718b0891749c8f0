package com.cps.dcs.eventstore.sqlite;

import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;

/**
 * An event as the branch log holds it.
 *
 * @param seq the log's local, gap-free-in-practice sequence: cursors, subscriptions and sync use it
 * @param own true for events this agent created (and chained); false for verified events of peers
 */
public record StoredEvent(long seq, SovereignFinancialEvent event, AckResponse ack, String contentHash, boolean own) {}
