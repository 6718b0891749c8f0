package com.cps.dcs.kernel.chain;

import com.cps.dcs.kernel.event.EventVerifier;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.security.MessageDigest;

/** Walks a chain of events in append order and names the first broken link. */
public final class HashChainVerifier {
  private HashChainVerifier() {}

  public static ChainVerification verify(Iterable<SovereignFinancialEvent> eventsInAppendOrder) {
    byte[] previous = HashChain.GENESIS;
    long index = 0;
    for (SovereignFinancialEvent e : eventsInAppendOrder) {
      String recomputed = EventVerifier.computeEventHash(e);
      if (!recomputed.equals(e.getEventHash())) {
        return ChainVerification.broken(
            index + 1, e.getEventId(), index, "event_hash does not match the event's content");
      }
      byte[] expected = HashChain.link(previous, recomputed);
      byte[] actual = e.getPayload().getAuditTrailHash().toByteArray();
      if (!MessageDigest.isEqual(expected, actual)) {
        return ChainVerification.broken(
            index + 1,
            e.getEventId(),
            index,
            "audit_trail_hash does not follow from the previous link (an event before it was altered, removed or"
                + " reordered, or this link was)");
      }
      previous = expected;
      index++;
    }
    return ChainVerification.ok(index);
  }
}
