package com.cps.dcs.kernel.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class OrSetTest {
  private static Hlc at(long ms, String node) {
    return new Hlc(ms, 0, node, 1);
  }

  @Test
  void anAddConcurrentWithARemoveWins() {
    OrSet base = OrSet.empty().add("milk", "a#1", at(1, "a"));
    OrSet removedAtA = base.remove("milk", at(2, "a"));
    OrSet readdedAtB = base.add("milk", "b#1", at(2, "b")); // b did not see the remove
    assertThat(removedAtA.merge(readdedAtB).contains("milk")).isTrue();
    assertThat(readdedAtB.merge(removedAtA).contains("milk")).isTrue();
  }

  @Test
  void aRemoveOfEverythingObservedSticksAfterMerges() {
    OrSet a = OrSet.empty().add("milk", "a#1", at(1, "a"));
    OrSet b = a.merge(OrSet.empty());
    OrSet removed = b.remove("milk", at(3, "b"));
    assertThat(a.merge(removed).contains("milk")).isFalse();
    assertThat(removed.merge(a).values()).isEmpty();
  }

  @Test
  void compactionDropsOnlyStableTombstones() {
    OrSet s = OrSet.empty()
        .add("milk", "a#1", at(1, "a"))
        .add("bread", "a#2", at(2, "a"))
        .remove("milk", at(3, "a"))
        .remove("bread", at(10, "a"));
    OrSet compacted = s.compact(at(5, "z"));
    assertThat(compacted.tags()).containsOnlyKeys("a#2");
    assertThat(compacted.values()).isEqualTo(s.values());
  }

  @Test
  void aGarbledBundleIsRefusedWithItsId() {
    CRDTStateBundle bad = CRDTStateBundle.newBuilder()
        .setCrdtId("catalog:active").setCrdtType("ORSet").setSerializedState(ByteString.copyFromUtf8("\u00ff\u00ff")).build();
    assertThatThrownBy(() -> CrdtBundles.fromBundle(bad)).hasMessageContaining("catalog:active");
    CRDTStateBundle unknown = bad.toBuilder().setCrdtType("Bag").build();
    assertThatThrownBy(() -> CrdtBundles.fromBundle(unknown)).hasMessageContaining("unknown crdt_type");
  }

  @Test
  void lwwRegisterBreaksClockTiesByNodeId() {
    LwwRegister x = LwwRegister.empty().set("199", new Hlc(5, 0, "branch-1", 1));
    LwwRegister y = LwwRegister.empty().set("249", new Hlc(5, 0, "region", 1));
    assertThat(x.merge(y).value()).isEqualTo("249");
    assertThat(y.merge(x).value()).isEqualTo("249");
  }
}
