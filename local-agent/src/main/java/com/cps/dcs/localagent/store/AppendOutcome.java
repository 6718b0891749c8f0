package com.cps.dcs.localagent.store;

import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;

/** What an append did: a new event, or the first ack of an identical earlier request. */
public sealed interface AppendOutcome {
  SovereignFinancialEvent event();

  AckResponse ack();

  /** A new event, durably appended. */
  record Appended(SovereignFinancialEvent event, AckResponse ack) implements AppendOutcome {}

  /** The same request was already recorded: its first ack, with {@code is_duplicate} set. */
  record Duplicate(SovereignFinancialEvent event, AckResponse ack) implements AppendOutcome {}
}
