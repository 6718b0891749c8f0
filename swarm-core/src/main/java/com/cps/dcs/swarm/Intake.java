package com.cps.dcs.swarm;

import com.cps.dcs.kernel.validation.EventRules;

/** How an event reaches the checks, which decides the rules it meets before its authenticity is checked. */
public enum Intake {
  /** One event from a caller: every rule, content and clocks, refused at the edge. */
  BROADCAST,
  /**
   * A branch's committed events, synced to a tier that quarantines: an authentic event whose content breaks
   * {@link EventRules#content} goes on to be quarantined where it is applied (refused at the edge it would come back
   * every round and hold up the branch's log behind it), and only the future bound of the clocks applies, since a
   * branch's events are as old as its time offline.
   */
  SYNC,
  /** An event read back from the tier's own store (reconciliation): authenticity only. */
  STORED
}
