package com.cps.dcs.swarm;

import com.cps.dcs.proto.v4.SovereignFinancialEvent;

/**
 * An event the core has checked and hands to a tier's log: a client's draft (for the tier to seal as its own, where
 * the tier takes drafts), or a sealed event whose signature verified against its agent's registered key.
 */
public record Incoming(SovereignFinancialEvent event, boolean draft) {
  /** True when the event was sealed and signed by some agent, not a client's request. */
  public static boolean isSealed(SovereignFinancialEvent e) {
    return !e.getDigitalSignature().isEmpty();
  }
}
