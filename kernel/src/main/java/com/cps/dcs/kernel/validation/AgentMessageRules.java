package com.cps.dcs.kernel.validation;

import com.cps.dcs.proto.v4.AgentMessage;
import com.cps.dcs.proto.v4.AgentMessageType;
import com.cps.dcs.proto.v4.AgentRegistration;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules for an {@link AgentMessage} on {@code AgentCommunication}, checked before its signature: ids, sizes, its
 * clock within the bounds, and a HEARTBEAT's registration (ids, at most {@value #MAX_CAPABILITIES} capabilities, a
 * public key of sane size).
 */
public final class AgentMessageRules {
  public static final int MAX_PAYLOAD = 64 * 1024;
  public static final int MAX_CAPABILITIES = 64;
  public static final int MAX_PUBLIC_KEY = 1024;

  private AgentMessageRules() {}

  public static List<Violation> check(AgentMessage m, ClockBounds bounds, long nowMs) {
    List<Violation> out = new ArrayList<>();
    Texts.collect(out, Texts.id("message_id", m.getMessageId()));
    Texts.collect(out, Texts.requiredId("from_agent", m.getFromAgent()));
    Texts.collect(out, Texts.id("to_agent", m.getToAgent()));
    if (m.getMessageType() == AgentMessageType.UNRECOGNIZED) {
      out.add(new Violation("message_type", "unknown message type " + m.getMessageTypeValue()));
    }
    if (m.getPayload().size() > MAX_PAYLOAD) {
      out.add(new Violation("payload", "larger than " + MAX_PAYLOAD + " bytes"));
    }
    if (m.getSignature().size() > 256) {
      out.add(new Violation("signature", "larger than 256 bytes"));
    }
    if (m.hasTimestamp()) {
      out.addAll(bounds.checkHlc("timestamp", m.getTimestamp().getPhysicalMs(), m.getTimestamp().getLogical(),
          nowMs));
      Texts.collect(out, Texts.id("timestamp.node_id", m.getTimestamp().getNodeId()));
    }
    if (m.getMessageType() == AgentMessageType.HEARTBEAT && !m.getPayload().isEmpty()
        && m.getPayload().size() <= MAX_PAYLOAD) {
      try {
        registration(AgentRegistration.parseFrom(m.getPayload()), out);
      } catch (InvalidProtocolBufferException e) {
        out.add(new Violation("payload", "a HEARTBEAT payload is an encoded AgentRegistration"));
      }
    }
    return out;
  }

  private static void registration(AgentRegistration r, List<Violation> out) {
    Texts.collect(out, Texts.requiredId("payload.agent_id", r.getAgentId()));
    Texts.collect(out, Texts.id("payload.branch_id", r.getBranchId()));
    Texts.collect(out, Texts.id("payload.region_id", r.getRegionId()));
    if (r.getCapabilitiesCount() > MAX_CAPABILITIES) {
      out.add(new Violation("payload.capabilities", "more than " + MAX_CAPABILITIES));
    } else {
      for (int i = 0; i < r.getCapabilitiesCount(); i++) {
        Texts.collect(out, Texts.id("payload.capabilities[" + i + "]", r.getCapabilities(i)));
      }
    }
    if (r.getPublicKey().isEmpty() || r.getPublicKey().size() > MAX_PUBLIC_KEY) {
      out.add(new Violation("payload.public_key", "is required, at most " + MAX_PUBLIC_KEY + " bytes"));
    }
  }
}
