package com.cps.dcs.kernel.chain;

/**
 * The outcome of walking a hash chain.
 *
 * @param intact true when every event's hash and link verified
 * @param checked how many events were walked (up to and including the first broken one)
 * @param firstBrokenEventId the first event whose hash or link is wrong, or null
 * @param firstBrokenIndex its zero-based position in append order, or -1
 * @param reason what is wrong with it, or null
 */
public record ChainVerification(
    boolean intact, long checked, String firstBrokenEventId, long firstBrokenIndex, String reason) {

  static ChainVerification ok(long checked) {
    return new ChainVerification(true, checked, null, -1, null);
  }

  static ChainVerification broken(long checked, String eventId, long index, String reason) {
    return new ChainVerification(false, checked, eventId, index, reason);
  }
}
