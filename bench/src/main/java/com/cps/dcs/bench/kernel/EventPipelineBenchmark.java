package com.cps.dcs.bench.kernel;

import com.cps.dcs.kernel.chain.HashChain;
import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.LocalFileKekProvider;
import com.cps.dcs.kernel.crypto.MetadataMac;
import com.cps.dcs.kernel.event.EventFactsCodec;
import com.cps.dcs.kernel.event.EventSealer;
import com.cps.dcs.kernel.event.EventVerifier;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.proto.v4.CausalContext;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The cost of making one event trustworthy (seal + HMAC + hash + chain + sign) and of checking it (verify + open). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EventPipelineBenchmark {
  private EventSealer sealer;
  private EventVerifier verifier;
  private LocalFileKekProvider kek;
  private AgentKeys keys;
  private SovereignFinancialEvent draft;
  private SovereignFinancialEvent sealed;
  private byte[] sensitive;

  @Setup
  public void setup() throws Exception {
    Path dir = Files.createTempDirectory("bench-keys");
    kek = new LocalFileKekProvider(dir.resolve("kek.key"), "local:bench");
    MetadataMac mac = new MetadataMac(new byte[64]);
    keys = AgentKeys.loadOrCreate(dir, "bench");
    sealer = new EventSealer(kek, mac, keys);
    verifier = new EventVerifier(mac);
    EventFacts facts = EventFacts.newBuilder()
        .addLines(EventFacts.Line.newBuilder().setProductId("p-123").setCategory("dairy").setQuantity(3)
            .setUnitPriceMinor(249).setLineTotalMinor(747).setTaxMinor(68))
        .addLines(EventFacts.Line.newBuilder().setProductId("p-456").setCategory("bakery").setQuantity(1)
            .setUnitPriceMinor(199).setLineTotalMinor(199).setTaxMinor(18))
        .setPaymentMethod("CARD").setReceiptNumber("B1-000123").build();
    draft = SovereignFinancialEvent.newBuilder()
        .setEventId(UuidV7.next().toString()).setStreamId("sale-1").setStreamVersion(7)
        .setTenantId("tenant-demo").setBranchId("branch-1").setAgentId("agent-branch-1")
        .setType(EventType.SALE_COMPLETED).setAmountMinor(946).setAmount(9.46).setCurrency("EUR")
        .setPublicMetadata(EventFactsCodec.encode(facts))
        .setCausalContext(CausalContext.newBuilder().setHlc(new Hlc(1_700_000_000_000L, 3, "branch-1", 42).toProto()))
        .setCreatedBy("cashier-7").build();
    sensitive = "{\"card_token\":\"tok_4111111111111111\",\"customer\":\"c-991\"}".getBytes();
    sealed = sealer.seal(draft, sensitive, HashChain.GENESIS);
  }

  @Benchmark
  public SovereignFinancialEvent sealSignAndHash() {
    return sealer.seal(draft, sensitive, HashChain.GENESIS);
  }

  @Benchmark
  public byte[] verifyAndOpen() {
    verifier.verify(sealed, keys.publicKey());
    return verifier.open(sealed, kek);
  }
}
