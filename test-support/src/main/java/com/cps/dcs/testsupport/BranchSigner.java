package com.cps.dcs.testsupport;

import com.cps.dcs.kernel.chain.HashChain;
import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.AgentMessages;
import com.cps.dcs.kernel.crypto.CrdtUploadSignature;
import com.cps.dcs.kernel.crypto.LocalKeyFiles;
import com.cps.dcs.kernel.event.EventSealer;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.kernel.money.Money;
import com.cps.dcs.proto.v4.AgentMessage;
import com.cps.dcs.proto.v4.AgentMessageType;
import com.cps.dcs.proto.v4.AgentRegistration;
import com.cps.dcs.proto.v4.AgentStatus;
import com.cps.dcs.proto.v4.AgentType;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A branch agent as a region sees one, for tests and load generators: its own signing key, the tenant's MAC key and
 * KEK (local key files in the directory the region shares), and sealed, signed, hash-chained sale events, made
 * with the kernel's sealer exactly as a local agent makes them.
 */
public final class BranchSigner {
  private final String tenantId;
  private final String branchId;
  private final String agentId;
  private final AgentKeys keys;
  private final EventSealer sealer;
  private final String stream;
  private byte[] link = HashChain.GENESIS;
  private int version;
  private long logical;

  public BranchSigner(Path keyDir, String tenantId, String branchId, String agentId) {
    this(keyDir, tenantId, branchId, agentId, "sales-" + branchId);
  }

  /** An agent of {@code branchId} whose sales go to {@code stream} (several agents of one branch, one stream each). */
  public BranchSigner(Path keyDir, String tenantId, String branchId, String agentId, String stream) {
    this.tenantId = tenantId;
    this.branchId = branchId;
    this.agentId = agentId;
    this.keys = LocalKeyFiles.agent(keyDir, agentId);
    this.sealer = new EventSealer(LocalKeyFiles.kek(keyDir, tenantId), LocalKeyFiles.mac(keyDir, tenantId), keys);
    this.stream = stream;
  }

  public String agentId() {
    return agentId;
  }

  public String branchId() {
    return branchId;
  }

  /** Call headers that sign an upload of {@code bundles} to a region as this agent ({@link CrdtUploadSignature}). */
  public io.grpc.Metadata crdtUploadHeaders(List<CRDTStateBundle> bundles) {
    long at = System.currentTimeMillis();
    io.grpc.Metadata headers = new io.grpc.Metadata();
    headers.put(io.grpc.Metadata.Key.of(CrdtUploadSignature.AGENT_HEADER, io.grpc.Metadata.ASCII_STRING_MARSHALLER),
        agentId);
    headers.put(io.grpc.Metadata.Key.of(CrdtUploadSignature.SIGNED_AT_HEADER,
        io.grpc.Metadata.ASCII_STRING_MARSHALLER), Long.toString(at));
    headers.put(io.grpc.Metadata.Key.of(CrdtUploadSignature.SIGNATURE_HEADER, io.grpc.Metadata.BINARY_BYTE_MARSHALLER),
        CrdtUploadSignature.sign(keys.privateKey(), agentId, at, bundles));
    return headers;
  }

  /**
   * A HEARTBEAT claiming to be agent {@code otherId}: a registration under that id carrying this agent's key, signed
   * with it (what an impostor sends to take over a registered agent's id).
   */
  public AgentMessage registrationAs(String otherId) {
    AgentRegistration reg = AgentRegistration.newBuilder().setAgentId(otherId).setAgentType(AgentType.LOCAL_AGENT)
        .setBranchId(branchId).setStatus(AgentStatus.AGENT_ACTIVE)
        .setPublicKey(ByteString.copyFrom(keys.publicKeyBytes())).build();
    return AgentMessages.sign(AgentMessage.newBuilder().setMessageId(UuidV7.next().toString()).setFromAgent(otherId)
        .setToAgent("region").setMessageType(AgentMessageType.HEARTBEAT).setPayload(reg.toByteString())
        .setTimestamp(new Hlc(System.currentTimeMillis(), 0, otherId, 0).toProto()).build(), keys.privateKey());
  }

  /** The HEARTBEAT that registers this agent with the region: its registration, signed with its own key. */
  public AgentMessage registration() {
    AgentRegistration reg = AgentRegistration.newBuilder().setAgentId(agentId).setAgentType(AgentType.LOCAL_AGENT)
        .setBranchId(branchId).setStatus(AgentStatus.AGENT_ACTIVE)
        .setPublicKey(ByteString.copyFrom(keys.publicKeyBytes())).build();
    return AgentMessages.sign(AgentMessage.newBuilder().setMessageId(UuidV7.next().toString()).setFromAgent(agentId)
        .setToAgent("region").setMessageType(AgentMessageType.HEARTBEAT).setPayload(reg.toByteString())
        .setTimestamp(new Hlc(System.currentTimeMillis(), 0, agentId, 0).toProto()).build(), keys.privateKey());
  }

  /** The next sale of this branch: 1.00 to 99.99 EUR, sealed, signed and chained after the previous one. */
  public SovereignFinancialEvent nextSale(long amountMinor) {
    return nextSale(amountMinor, b -> b);
  }

  /**
   * The next sale with {@code change} applied to its fields before it is sealed and signed: an event this branch's
   * agent really signed, with whatever content a faulty or older agent could have given it. It becomes the branch's
   * latest event (the next one chains after it).
   */
  public synchronized SovereignFinancialEvent nextSale(long amountMinor,
      java.util.function.UnaryOperator<SovereignFinancialEvent.Builder> change) {
    SovereignFinancialEvent sealed = wouldBeNext(amountMinor, change);
    version++;
    link = EventSealer.chainLinkOf(sealed);
    return sealed;
  }

  /**
   * Like {@link #nextSale(long, java.util.function.UnaryOperator)}, but the branch does not move on: the event a
   * receiver is expected to refuse, after which the branch's next sale takes the same stream position and link.
   */
  public synchronized SovereignFinancialEvent wouldBeNext(long amountMinor,
      java.util.function.UnaryOperator<SovereignFinancialEvent.Builder> change) {
    int next = version + 1;
    long now = System.currentTimeMillis();
    String id = UuidV7.next().toString();
    Money m = Money.ofMinor(amountMinor, "EUR");
    SovereignFinancialEvent draft = SovereignFinancialEvent.newBuilder().setEventId(id).setTenantId(tenantId)
        .setBranchId(branchId).setAgentId(agentId).setStreamId(stream).setStreamVersion(next)
        .setType(EventType.SALE_COMPLETED).setAmountMinor(m.minor()).setAmount(m.toWireDouble()).setCurrency("EUR")
        .setIdempotencyKey("sale-" + id).setCreatedBy("cashier-1001")
        .setCausalContext(CausalContext.newBuilder().setHlc(new Hlc(now, (int) (logical++ % 1000), agentId, 0)
            .toProto()).setLamportTimestamp(next))
        .setTs(Timestamp.newBuilder().setSeconds(now / 1000).setNanos((int) (now % 1000) * 1_000_000)).build();
    draft = change.apply(draft.toBuilder()).build();
    return sealer.seal(draft, ("receipt " + id).getBytes(StandardCharsets.UTF_8), link);
  }

  /**
   * Seals and signs any draft as this agent, chained after {@code previousLink} (the branch's chain head), the way
   * the branch seals its own events; for tests that need an event a current branch would refuse to make (one an
   * older version made).
   */
  public SovereignFinancialEvent seal(SovereignFinancialEvent draft, byte[] previousLink) {
    return sealer.seal(draft, ("payload " + draft.getEventId()).getBytes(StandardCharsets.UTF_8), previousLink);
  }

  public List<SovereignFinancialEvent> nextSales(int n) {
    List<SovereignFinancialEvent> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(nextSale(100 + (i * 37L) % 9900));
    }
    return out;
  }
}
