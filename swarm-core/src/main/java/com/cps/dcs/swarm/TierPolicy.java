package com.cps.dcs.swarm;

import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.util.function.Predicate;

/**
 * What differs between the tiers that serve the protocol; everything else is the same code.
 *
 * @param tenantId the one tenant this tier serves
 * @param servedBranch the one branch it serves, or empty for every branch (region, master)
 * @param where how refusals name this tier ("branch b-1", "region eu-1")
 * @param takesDrafts whether clients may send unsealed events for the tier to create (a branch only)
 * @param batchIntake the rules for events arriving in {@code StreamOfflineEvents} and {@code SwarmEventExchange}
 * @param registrationNeedsBranch whether an agent registering here must name its branch
 * @param signedCrdtUploads whether CRDT uploads must be signed by a registered agent
 * @param storedSignatures whether reconciliation verifies stored events' signatures against their agents' keys
 *     (a region, which holds events of many agents) or their HMAC and hash only (a branch)
 * @param shares which new events a {@code SwarmEventExchange} pushes to its peer (besides the peer's own)
 * @param chunk events of a {@code StreamOfflineEvents} call handed to the log at a time
 * @param chunksInFlight chunks queued for the log at most while the next arrive (0: each written before reading on)
 * @param currency the currency its reconciliations count in
 * @param masterAddress where the master agent is, for conflicts the tier escalates
 */
public record TierPolicy(String tenantId, String servedBranch, String where, boolean takesDrafts,
    Intake batchIntake, boolean registrationNeedsBranch, boolean signedCrdtUploads, boolean storedSignatures,
    Predicate<SovereignFinancialEvent> shares, int chunk, int chunksInFlight, String currency,
    String masterAddress) {
  /** Events of a branch's {@code StreamOfflineEvents} call handed to its committer at a time. */
  public static final int BRANCH_CHUNK = 128;
  /** Chunks of one call a branch queues for its committer at most while it seals the next. */
  public static final int BRANCH_CHUNKS_IN_FLIGHT = 8;

  /** A branch: takes drafts, pushes its own events to peers, checks every rule on every event. */
  public static TierPolicy branch(String tenantId, String branchId, String agentId, String currency,
      String masterAddress) {
    return new TierPolicy(tenantId, branchId, "branch " + branchId, true, Intake.BROADCAST, false, false, false,
        e -> e.getAgentId().equals(agentId), BRANCH_CHUNK, BRANCH_CHUNKS_IN_FLIGHT, currency, masterAddress);
  }

  /** A region: sealed events only, quarantines what it can never store, serves every branch of the region. */
  public static TierPolicy region(String tenantId, String regionId, String currency, String masterAddress) {
    return new TierPolicy(tenantId, "", "region " + regionId, false, Intake.SYNC, true, true, true, e -> true, 1000,
        0, currency, masterAddress);
  }

  /** Whether this tier serves {@code branchId} (empty: all it serves). */
  public boolean serves(String branchId) {
    return branchId.isEmpty() || servedBranch.isEmpty() || servedBranch.equals(branchId);
  }
}
