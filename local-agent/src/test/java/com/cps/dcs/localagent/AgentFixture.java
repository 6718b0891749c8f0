package com.cps.dcs.localagent;

import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.proto.v4.SovereignPayload;
import com.cps.dcs.testsupport.FreePorts;
import com.cps.dcs.testsupport.TempDirs;
import com.cps.dcs.testsupport.TestCredentials;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** A real local agent on free ports and a temporary data folder, and a gRPC channel to it. */
final class AgentFixture implements AutoCloseable {
  final Path dataDir;
  final int grpcPort;
  final String branch;
  ConfigurableApplicationContext context;
  ManagedChannel channel;

  AgentFixture(String branch) {
    this(TempDirs.create("local-agent"), branch);
  }

  AgentFixture(Path dataDir, String branch) {
    this.dataDir = dataDir;
    this.grpcPort = FreePorts.allocate();
    this.branch = branch;
  }

  AgentFixture start(String... extra) {
    String[] props = {
      "DCS_GRPC_PORT=" + grpcPort, "DCS_MANAGEMENT_PORT=" + FreePorts.allocate(), "DCS_DATA_DIR=" + dataDir,
      "DCS_BRANCH_ID=" + branch, "DCS_TENANT_ID=tenant-it", "DCS_AGENT_ID=agent-" + branch,
      TestCredentials.adminProperty()
    };
    String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(props), java.util.Arrays.stream(extra))
        .toArray(String[]::new);
    context = new SpringApplicationBuilder(LocalAgentApplication.class).properties(all).run();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext()
        .intercept(TestCredentials.admin()).build();
    return this;
  }

  AccountingSwarmProtocolGrpc.AccountingSwarmProtocolBlockingStub swarm() {
    return AccountingSwarmProtocolGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  AccountingSwarmProtocolGrpc.AccountingSwarmProtocolStub swarmAsync() {
    return AccountingSwarmProtocolGrpc.newStub(channel);
  }

  /** A client's sale event: business fields only; the agent seals, signs and chains it. */
  static SovereignFinancialEvent sale(String stream, long cents, String key) {
    return SovereignFinancialEvent.newBuilder().setStreamId(stream).setType(EventType.SALE_COMPLETED)
        .setAmountMinor(cents).setAmount(cents / 100.0).setCurrency("EUR").setCreatedBy("cashier-1")
        .setIdempotencyKey(key)
        .setPayload(SovereignPayload.newBuilder().setEncryptedData(ByteString.copyFromUtf8("card=tok_4242 " + key)))
        .build();
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (context != null) {
      context.close();
    }
  }
}
