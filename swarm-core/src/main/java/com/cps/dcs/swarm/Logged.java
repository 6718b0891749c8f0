package com.cps.dcs.swarm;

import com.cps.dcs.proto.v4.SovereignFinancialEvent;

/** An event as a tier's log holds it, with its place in the commit order. */
public record Logged(SovereignFinancialEvent event, Position position) {}
