package com.cps.dcs.kernel.event;

import com.cps.dcs.kernel.chain.HashChain;
import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.LocalFileKekProvider;
import com.cps.dcs.kernel.crypto.MetadataMac;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.google.protobuf.Timestamp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A branch identity with real keys in a temporary folder, and drafts of realistic sale events. */
public final class TestEvents {
  public final LocalFileKekProvider kek;
  public final MetadataMac mac;
  public final AgentKeys keys;
  public final EventSealer sealer;
  public final EventVerifier verifier;

  public TestEvents(Path dir) {
    kek = new LocalFileKekProvider(dir.resolve("kek-t1.key"), "local:t1");
    byte[] macKey = new byte[64];
    Arrays.fill(macKey, (byte) 7);
    mac = new MetadataMac(macKey);
    keys = AgentKeys.loadOrCreate(dir, "agent-b1");
    sealer = new EventSealer(kek, mac, keys);
    verifier = new EventVerifier(mac);
  }

  public static SovereignFinancialEvent draft(long amountMinor, int version) {
    EventFacts facts = EventFacts.newBuilder()
        .addLines(EventFacts.Line.newBuilder().setProductId("p-1").setCategory("dairy").setQuantity(2)
            .setUnitPriceMinor(amountMinor / 2).setLineTotalMinor(amountMinor))
        .setPaymentMethod("CASH").build();
    return SovereignFinancialEvent.newBuilder()
        .setEventId(UuidV7.next().toString())
        .setStreamId("sale-" + version)
        .setStreamVersion(version)
        .setTenantId("t1").setBranchId("b1").setAgentId("agent-b1")
        .setType(EventType.SALE_COMPLETED)
        .setAmountMinor(amountMinor).setAmount(amountMinor / 100.0).setCurrency("EUR")
        .setPublicMetadata(EventFactsCodec.encode(facts))
        .setCausalContext(CausalContext.newBuilder().setHlc(new Hlc(1000 + version, 0, "b1", version).toProto()))
        .setTs(Timestamp.newBuilder().setSeconds(1_700_000_000L + version))
        .setCreatedBy("cashier-1")
        .build();
  }

  public SovereignFinancialEvent sealed(long amountMinor, int version, byte[] previous) {
    return sealer.seal(draft(amountMinor, version), ("card=4111...1111 v" + version).getBytes(StandardCharsets.UTF_8),
        previous);
  }

  public List<SovereignFinancialEvent> chain(int n) {
    List<SovereignFinancialEvent> out = new ArrayList<>();
    byte[] link = HashChain.GENESIS;
    for (int i = 1; i <= n; i++) {
      SovereignFinancialEvent e = sealed(100L * i, i, link);
      link = EventSealer.chainLinkOf(e);
      out.add(e);
    }
    return out;
  }
}
