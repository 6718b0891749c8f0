package com.cps.dcs.swarm;

import com.cps.dcs.kernel.crdt.CrdtBundles;
import com.cps.dcs.kernel.crypto.CrdtUploadSignature;
import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.kernel.validation.ClockBounds;
import com.cps.dcs.kernel.validation.CrdtRules;
import com.cps.dcs.kernel.validation.Violation;
import com.cps.dcs.proto.v4.AgentRegistration;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import io.grpc.Metadata;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks a CRDT upload meets at every tier: each bundle as it arrives ({@link CrdtRules}: typed ids and values,
 * bounded sizes and clocks, at most {@link CrdtRules#MAX_BUNDLES_PER_CALL} a call), and, where the tier asks for it,
 * the upload signed by a registered agent ({@link CrdtUploadSignature}) before anything is merged.
 */
public final class CrdtIntake {
  private final TierPolicy policy;
  private final AgentDirectory agents;
  private final EventChecks checks;
  private final ClockBounds bounds;
  private final InstantSource time;

  public CrdtIntake(TierPolicy policy, AgentDirectory agents, EventChecks checks, ClockBounds bounds,
      InstantSource time) {
    this.policy = policy;
    this.agents = agents;
    this.checks = checks;
    this.bounds = bounds;
    this.time = time;
  }

  /** What is wrong with the {@code index}-th bundle of a call (nothing: empty). */
  public List<Violation> check(int index, CRDTStateBundle b) {
    String field = "bundles[" + index + "]";
    if (index >= CrdtRules.MAX_BUNDLES_PER_CALL) {
      return List.of(new Violation("bundles", "more than " + CrdtRules.MAX_BUNDLES_PER_CALL + " in one call"));
    }
    List<Violation> bad = new ArrayList<>(CrdtRules.check(field, b, bounds, time.millis()));
    if (b.getCrdtId().isEmpty()) {
      bad.add(new Violation(field + ".crdt_id", "is required"));
    }
    if (bad.isEmpty()) {
      try {
        CrdtBundles.fromBundle(b);
      } catch (IllegalArgumentException e) {
        bad.add(new Violation(field + ".serialized_state", e.getMessage()));
      }
    }
    return bad;
  }

  /**
   * The agent an upload of {@code bundles} comes from: the registered agent that signed it where the tier asks for
   * signed uploads (refused, with nothing merged, when the headers are missing, stale, from an unknown agent or not
   * its signature), else empty.
   */
  public String uploader(Metadata headers, List<CRDTStateBundle> bundles) {
    if (!policy.signedCrdtUploads() || bundles.isEmpty()) {
      return "";
    }
    String agent = headers.get(CallHeaders.UPLOAD_AGENT);
    String at = headers.get(CallHeaders.UPLOAD_SIGNED_AT);
    byte[] signature = headers.get(CallHeaders.UPLOAD_SIGNATURE);
    if (agent == null || at == null || signature == null) {
      throw new RefusedException(new Refusal.Unauthenticated("CRDT bundles are merged only from a registered agent"
          + " that signs the upload: send the headers " + CrdtUploadSignature.AGENT_HEADER + ", "
          + CrdtUploadSignature.SIGNED_AT_HEADER + " and " + CrdtUploadSignature.SIGNATURE_HEADER));
    }
    long atMs;
    try {
      atMs = Long.parseLong(at);
    } catch (NumberFormatException e) {
      throw new RefusedException(Refusal.Invalid.of(CrdtUploadSignature.SIGNED_AT_HEADER,
          "must be epoch milliseconds"));
    }
    if (Math.abs(time.millis() - atMs) > CrdtUploadSignature.MAX_SKEW_MS) {
      throw untrusted(Refusal.Untrusted.STALE_SIGNATURE, "the upload was signed at " + Instant.ofEpochMilli(atMs)
          + ", more than " + CrdtUploadSignature.MAX_SKEW_MS / 60_000 + " minutes from this clock");
    }
    AgentRegistration known = agents.find(agent).orElseThrow(() -> untrusted(Refusal.Untrusted.UNKNOWN_AGENT,
        "agent '" + agent + "' is not registered in " + policy.where()
            + " (it registers with a signed HEARTBEAT on AgentCommunication)"));
    if (!CrdtUploadSignature.verify(checks.keyOf(known), agent, atMs, bundles, signature)) {
      throw untrusted(Refusal.Untrusted.BAD_SIGNATURE, "the upload is not signed by agent " + agent
          + "'s registered key over these bundles");
    }
    return agent;
  }

  private static RefusedException untrusted(String code, String message) {
    return new RefusedException(new Refusal.Untrusted(code, message));
  }
}
