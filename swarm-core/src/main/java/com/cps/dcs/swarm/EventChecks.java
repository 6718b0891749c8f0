package com.cps.dcs.swarm;

import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.IntegrityException;
import com.cps.dcs.kernel.event.EventVerifier;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.kernel.validation.ClockBounds;
import com.cps.dcs.kernel.validation.EventRules;
import com.cps.dcs.kernel.validation.Violation;
import com.cps.dcs.proto.v4.AgentRegistration;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.service.auth.Caller;
import com.google.protobuf.ByteString;
import java.security.PublicKey;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one set of checks an incoming event meets at every tier, before anything is written: the shared input rules
 * for its intake, then, for a sealed event, its tenant, its agent registered here (and for the branch it signs for),
 * and its HMAC, hash and ECDSA signature against that agent's registered key. A client's draft is taken only where
 * the tier creates events itself; the tier's log checks the draft's own fields as it turns it into an event.
 */
public final class EventChecks {
  private final TierPolicy policy;
  private final AgentDirectory agents;
  private final EventVerifier verifier;
  private final ClockBounds bounds;
  private final InstantSource time;
  /** Registered keys, parsed once (an agent keeps its first key, so an encoding always means the same key). */
  private final Map<ByteString, PublicKey> parsedKeys = new ConcurrentHashMap<>();

  public EventChecks(TierPolicy policy, AgentDirectory agents, EventVerifier verifier, ClockBounds bounds,
      InstantSource time) {
    this.policy = policy;
    this.agents = agents;
    this.verifier = verifier;
    this.bounds = bounds;
    this.time = time;
  }

  /**
   * Checks an event arriving by {@code intake}, from a caller the server authenticated (none where it checks no
   * callers): a draft is attributed to the caller ({@link Attribution}).
   *
   * @throws RefusedException naming what is wrong
   */
  public Incoming check(SovereignFinancialEvent e, Intake intake, Optional<Caller> caller) {
    if (!Incoming.isSealed(e)) {
      if (!policy.takesDrafts()) {
        throw refused(Refusal.Invalid.of("digital_signature", "the " + policy.where().split(" ")[0]
            + " accepts only events sealed and signed by their branch's agent"));
      }
      return new Incoming(Attribution.of(e, caller), true);
    }
    if (!UuidV7.isV7(e.getEventId())) {
      throw refused(Refusal.Invalid.of("event_id", "must be a UUID v7 in canonical form"));
    }
    List<Violation> bad = switch (intake) {
      case BROADCAST -> EventRules.all(e, bounds, time.millis());
      case SYNC -> EventRules.clocks(e, bounds.withoutAge(), time.millis());
      case STORED -> List.of();
    };
    if (!bad.isEmpty()) {
      throw refused(new Refusal.Invalid(bad));
    }
    if (!e.getTenantId().equals(policy.tenantId())) {
      throw refused(Refusal.Invalid.of("tenant_id", "this " + policy.where().split(" ")[0] + " serves tenant "
          + policy.tenantId()));
    }
    if (e.getStreamId().isEmpty()) {
      throw refused(Refusal.Invalid.of("stream_id", "is required"));
    }
    verifySignature(e);
    return new Incoming(e, false);
  }

  /** True when a stored event still verifies (reconciliation): its signature, or its HMAC and hash. */
  public boolean intact(SovereignFinancialEvent e) {
    try {
      if (policy.storedSignatures()) {
        verifySignature(e);
      } else {
        verifier.verifyIntegrity(e);
      }
      return true;
    } catch (RefusedException | IntegrityException ex) {
      return false;
    }
  }

  private void verifySignature(SovereignFinancialEvent e) {
    AgentRegistration agent = agents.find(e.getAgentId()).orElseThrow(() -> refused(new Refusal.Untrusted(
        Refusal.Untrusted.UNKNOWN_AGENT, "agent '" + e.getAgentId() + "' is not registered in " + policy.where()
            + " (it registers with a signed HEARTBEAT on AgentCommunication)")));
    if (!agent.getBranchId().isEmpty() && !agent.getBranchId().equals(e.getBranchId())) {
      throw refused(new Refusal.Untrusted(Refusal.Untrusted.WRONG_BRANCH, "agent " + e.getAgentId()
          + " is registered for branch " + agent.getBranchId() + ", not " + e.getBranchId()));
    }
    try {
      verifier.verify(e, keyOf(agent));
    } catch (IntegrityException | IllegalArgumentException ex) {
      throw refused(new Refusal.Untrusted(Refusal.Untrusted.FORGED_EVENT, "event " + e.getEventId()
          + " does not verify against agent " + e.getAgentId() + "'s registered key: " + ex.getMessage()));
    }
  }

  /** The parsed public key of a registered agent. */
  PublicKey keyOf(AgentRegistration agent) {
    return parsedKeys.computeIfAbsent(agent.getPublicKey(), k -> AgentKeys.publicKeyFromX509(k.toByteArray()));
  }

  private static RefusedException refused(Refusal r) {
    return new RefusedException(r);
  }
}
