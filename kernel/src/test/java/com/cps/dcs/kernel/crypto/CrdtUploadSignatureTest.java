package com.cps.dcs.kernel.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.Test;

class CrdtUploadSignatureTest {
  final AgentKeys keys = AgentKeys.generateEphemeral();
  final CRDTStateBundle milk = bundle("price:p-milk", "175");
  final CRDTStateBundle bread = bundle("price:p-bread", "333");

  static CRDTStateBundle bundle(String id, String state) {
    return CRDTStateBundle.newBuilder().setCrdtId(id).setCrdtType("LWWRegister").setBranchId("branch-1")
        .setSerializedState(ByteString.copyFromUtf8(state)).setVersion(1).build();
  }

  @Test
  void theSignatureCoversTheAgentTheTimeAndEveryBundleInOrder() {
    byte[] sig = CrdtUploadSignature.sign(keys.privateKey(), "agent-1", 1_000, List.of(milk, bread));
    assertThat(CrdtUploadSignature.verify(keys.publicKey(), "agent-1", 1_000, List.of(milk, bread), sig)).isTrue();

    assertThat(CrdtUploadSignature.verify(keys.publicKey(), "agent-2", 1_000, List.of(milk, bread), sig)).isFalse();
    assertThat(CrdtUploadSignature.verify(keys.publicKey(), "agent-1", 1_001, List.of(milk, bread), sig)).isFalse();
    assertThat(CrdtUploadSignature.verify(keys.publicKey(), "agent-1", 1_000, List.of(bread, milk), sig)).isFalse();
    assertThat(CrdtUploadSignature.verify(keys.publicKey(), "agent-1", 1_000, List.of(milk), sig)).isFalse();
    assertThat(CrdtUploadSignature.verify(keys.publicKey(), "agent-1", 1_000,
        List.of(milk, bundle("price:p-bread", "1")), sig)).as("another price").isFalse();
    assertThat(CrdtUploadSignature.verify(AgentKeys.generateEphemeral().publicKey(), "agent-1", 1_000,
        List.of(milk, bread), sig)).as("another key").isFalse();
  }

  @Test
  void anEmptyOrMalformedSignatureIsRefusedWithoutAnException() {
    assertThat(CrdtUploadSignature.verify(keys.publicKey(), "agent-1", 1_000, List.of(milk), new byte[0])).isFalse();
    assertThat(CrdtUploadSignature.verify(keys.publicKey(), "agent-1", 1_000, List.of(milk), new byte[] {0x30, 1}))
        .isFalse();
  }
}
