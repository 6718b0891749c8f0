package com.cps.dcs.regional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.crdt.CrdtBundles;
import com.cps.dcs.kernel.crdt.GCounter;
import com.cps.dcs.kernel.crdt.PnCounter;
import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.proto.v4.AgentRegistration;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.regional.state.RegionState;
import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegionStateTest {

  static AgentRegistration reg(String id, AgentKeys k) {
    return AgentRegistration.newBuilder().setAgentId(id).setBranchId("b-" + id)
        .setPublicKey(ByteString.copyFrom(k.publicKeyBytes())).build();
  }

  @Test
  void theFirstKeyOfAnAgentIsKeptAndAnotherIsRefused() {
    RegionState s = new RegionState("r");
    AgentKeys first = AgentKeys.generateEphemeral();
    assertThat(s.register(reg("a", first))).isTrue();
    assertThat(s.register(reg("a", first))).isTrue(); // a refresh
    assertThat(s.register(reg("a", AgentKeys.generateEphemeral()))).isFalse();
    assertThat(s.agent("a").orElseThrow().getPublicKey()).isEqualTo(ByteString.copyFrom(first.publicKeyBytes()));
  }

  static CRDTStateBundle counter(String node, long n, long at) {
    GCounter g = GCounter.empty();
    g = g.increment(node, n);
    return CrdtBundles.toBundle("branch", "sales-count", g, new Hlc(at, 0, node, 0), 1);
  }

  @Test
  void mergesAreOrderIndependentAndOnlyAChangeBumpsTheVersion() {
    CRDTStateBundle x = counter("b1", 5, 10);
    CRDTStateBundle y = counter("b2", 7, 20);
    RegionState one = new RegionState("r");
    RegionState two = new RegionState("r");
    one.merge(List.of(x));
    one.merge(List.of(y));
    two.merge(List.of(y));
    two.merge(List.of(x));
    GCounter a = (GCounter) CrdtBundles.fromBundle(one.crdt("sales-count").orElseThrow());
    GCounter b = (GCounter) CrdtBundles.fromBundle(two.crdt("sales-count").orElseThrow());
    assertThat(a).isEqualTo(b);
    assertThat(a.value()).isEqualTo(12);
    long version = one.crdt("sales-count").orElseThrow().getVersion();
    one.merge(List.of(x)); // nothing new
    assertThat(one.crdt("sales-count").orElseThrow().getVersion()).isEqualTo(version);
  }

  @Test
  void aBundleOfAnotherTypeUnderAKnownIdRefusesTheWholeCommand() {
    RegionState s = new RegionState("r");
    s.merge(List.of(counter("b1", 1, 1)));
    CRDTStateBundle pn = CrdtBundles.toBundle("branch", "sales-count", PnCounter.empty().increment("b1", 1),
        new Hlc(2, 0, "b1", 0), 1);
    CRDTStateBundle fresh = counter("b1", 1, 1).toBuilder().setCrdtId("other").build();
    assertThatThrownBy(() -> s.merge(List.of(fresh, pn))).isInstanceOf(IllegalArgumentException.class);
    assertThat(s.crdt("other")).isEmpty();
  }

  @Test
  void aSnapshotRestoresTheSameState() {
    RegionState s = new RegionState("r");
    s.register(reg("a", AgentKeys.generateEphemeral()));
    s.merge(List.of(counter("b1", 3, 5)));
    s.countEvents(10, 2);
    RegionState copy = new RegionState("r");
    copy.restore(s.toSnapshot(3, 42));
    assertThat(copy.toSnapshot(3, 42)).isEqualTo(s.toSnapshot(3, 42));
  }
}
