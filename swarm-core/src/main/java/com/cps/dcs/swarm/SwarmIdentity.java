package com.cps.dcs.swarm;

import com.cps.dcs.kernel.clock.HlcClock;
import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.AgentMessages;
import com.cps.dcs.kernel.crypto.CrdtUploadSignature;
import com.cps.dcs.kernel.crypto.Ecdsa;
import com.cps.dcs.kernel.hash.Canonical;
import com.cps.dcs.kernel.hash.Sha256;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.proto.v4.AgentMessage;
import com.cps.dcs.proto.v4.AgentMessageType;
import com.cps.dcs.proto.v4.AgentRegistration;
import com.cps.dcs.proto.v4.AgentStatus;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.grpc.Metadata;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Supplier;

/**
 * Who an agent or node is to its peers: its id, its key pair and clock, and its registration. Signs what it sends:
 * agent messages, CRDT uploads, reconciliation results. Both the server side (replies) and the client side (a branch's
 * sync) use it; neither needs the other.
 */
public final class SwarmIdentity {
  private final AgentRegistration template;
  private final AgentKeys keys;
  private final HlcClock clock;
  private final InstantSource time;
  private final Supplier<AgentStatus> status;

  /**
   * @param template the registration without status, heartbeat and key (agent id, type, branch or region,
   *     capabilities)
   */
  public SwarmIdentity(AgentRegistration template, AgentKeys keys, HlcClock clock, InstantSource time,
      Supplier<AgentStatus> status) {
    this.template = template;
    this.keys = keys;
    this.clock = clock;
    this.time = time;
    this.status = status;
  }

  public String agentId() {
    return template.getAgentId();
  }

  public HlcClock clock() {
    return clock;
  }

  /** This agent's registration, as peers record it. */
  public AgentRegistration registration() {
    return template.toBuilder().setStatus(status.get())
        .setLastHeartbeat(Timestamp.newBuilder().setSeconds(time.instant().getEpochSecond()))
        .setPublicKey(ByteString.copyFrom(keys.publicKeyBytes())).build();
  }

  /** A message from this agent, signed with its key. */
  public AgentMessage signedMessage(String to, AgentMessageType type, ByteString payload) {
    AgentMessage unsigned = AgentMessage.newBuilder().setMessageId(UuidV7.next().toString())
        .setFromAgent(agentId()).setToAgent(to).setMessageType(type).setPayload(payload)
        .setTimestamp(clock.now().toProto()).build();
    return AgentMessages.sign(unsigned, keys.privateKey());
  }

  /** The hex ECDSA signature of {@code m}'s canonical bytes, as attestations carry it. */
  public String attest(Message m) {
    return Sha256.hex(Ecdsa.sign(keys.privateKey(), Canonical.bytes(m)));
  }

  /** Call headers that sign an upload of {@code bundles} as this agent ({@link CrdtUploadSignature}). */
  public Metadata crdtUploadHeaders(List<CRDTStateBundle> bundles) {
    long at = time.millis();
    Metadata headers = new Metadata();
    headers.put(CallHeaders.UPLOAD_AGENT, agentId());
    headers.put(CallHeaders.UPLOAD_SIGNED_AT, Long.toString(at));
    headers.put(CallHeaders.UPLOAD_SIGNATURE, CrdtUploadSignature.sign(keys.privateKey(), agentId(), at, bundles));
    return headers;
  }
}
