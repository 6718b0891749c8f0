package com.cps.dcs.swarm;

import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.AgentMessages;
import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.kernel.validation.AgentMessageRules;
import com.cps.dcs.kernel.validation.ClockBounds;
import com.cps.dcs.kernel.validation.Violation;
import com.cps.dcs.proto.v4.AgentMessage;
import com.cps.dcs.proto.v4.AgentMessageType;
import com.cps.dcs.proto.v4.AgentRegistration;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.time.InstantSource;
import java.util.List;

/**
 * {@code AgentCommunication}'s rules at every tier: a {@code HEARTBEAT} carrying an {@link AgentRegistration} signed
 * by the key it carries registers the agent (its first key stays: another key later is refused); any other message
 * must come from a registered agent and carry its signature. Each answer is signed by this tier's identity.
 */
public final class AgentMessaging {
  private final TierPolicy policy;
  private final AgentDirectory agents;
  private final SwarmIdentity identity;
  private final ClockBounds bounds;
  private final InstantSource time;

  public AgentMessaging(TierPolicy policy, AgentDirectory agents, SwarmIdentity identity, ClockBounds bounds,
      InstantSource time) {
    this.policy = policy;
    this.agents = agents;
    this.identity = identity;
    this.bounds = bounds;
    this.time = time;
  }

  /**
   * Handles one message and answers it.
   *
   * @throws RefusedException naming what is wrong
   */
  public AgentMessage handle(AgentMessage m) {
    List<Violation> bad = AgentMessageRules.check(m, bounds, time.millis());
    if (!bad.isEmpty()) {
      throw new RefusedException(new Refusal.Invalid(bad));
    }
    if (m.getMessageType() == AgentMessageType.HEARTBEAT && !m.getPayload().isEmpty()) {
      register(m);
      return identity.signedMessage(m.getFromAgent(), AgentMessageType.HEARTBEAT,
          identity.registration().toByteString());
    }
    AgentRegistration known = agents.find(m.getFromAgent()).orElseThrow(() -> untrusted(
        Refusal.Untrusted.UNKNOWN_AGENT, "agent " + m.getFromAgent()
            + " has not registered (send a HEARTBEAT with an AgentRegistration first)"));
    if (!AgentMessages.verify(m, known.getPublicKey().toByteArray())) {
      throw untrusted(Refusal.Untrusted.BAD_SIGNATURE, "message " + m.getMessageId() + " is not signed by "
          + m.getFromAgent());
    }
    agents.deliver(m);
    return identity.signedMessage(m.getFromAgent(), AgentMessageType.HEARTBEAT,
        ByteString.copyFromUtf8("received " + m.getMessageType() + " " + m.getMessageId()));
  }

  private void register(AgentMessage m) {
    AgentRegistration reg;
    try {
      reg = AgentRegistration.parseFrom(m.getPayload());
    } catch (InvalidProtocolBufferException e) {
      throw invalid("payload", "a HEARTBEAT payload is an encoded AgentRegistration");
    }
    if (!reg.getAgentId().equals(m.getFromAgent())) {
      throw invalid("payload.agent_id", "must equal from_agent");
    }
    if (policy.registrationNeedsBranch() && reg.getBranchId().isEmpty()) {
      throw invalid("payload.branch_id", "is required");
    }
    try {
      AgentKeys.publicKeyFromX509(reg.getPublicKey().toByteArray());
    } catch (IllegalArgumentException e) {
      throw invalid("payload.public_key", e.getMessage());
    }
    if (!AgentMessages.verify(m, reg.getPublicKey().toByteArray())) {
      throw untrusted(Refusal.Untrusted.BAD_SIGNATURE, "the registration is not signed by the key it carries");
    }
    if (!agents.register(reg, time.millis())) {
      throw untrusted(Refusal.Untrusted.KEY_MISMATCH, "agent " + reg.getAgentId() + " is registered in "
          + policy.where() + " with another public key");
    }
  }

  private static RefusedException invalid(String field, String description) {
    return new RefusedException(Refusal.Invalid.of(field, description));
  }

  private static RefusedException untrusted(String code, String message) {
    return new RefusedException(new Refusal.Untrusted(code, message));
  }
}
