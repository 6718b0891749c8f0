package com.cps.dcs.swarm;

import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.proto.v4.AckResponse;

/** What a tier's log did with one event: its ack (stored, or a duplicate of the first), or why it refused it. */
public record Written(AckResponse ack, Refusal refusal) {
  public static Written stored(AckResponse ack) {
    return new Written(ack, null);
  }

  public static Written refused(Refusal refusal) {
    return new Written(null, refusal);
  }

  public boolean isDuplicate() {
    return ack != null && ack.getIsDuplicate();
  }
}
