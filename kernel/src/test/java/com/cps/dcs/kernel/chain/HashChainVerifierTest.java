package com.cps.dcs.kernel.chain;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.event.TestEvents;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashChainVerifierTest {
  @TempDir static Path dir;
  static List<SovereignFinancialEvent> chain;

  @BeforeAll
  static void build() {
    chain = new TestEvents(dir).chain(12);
  }

  @Test
  void anIntactChainVerifies() {
    ChainVerification v = HashChainVerifier.verify(chain);
    assertThat(v.intact()).isTrue();
    assertThat(v.checked()).isEqualTo(12);
  }

  @Test
  void anAlteredEventIsNamedAsTheFirstBrokenLink() {
    List<SovereignFinancialEvent> tampered = new ArrayList<>(chain);
    tampered.set(5, chain.get(5).toBuilder().setAmountMinor(1).setAmount(0.01).build());
    ChainVerification v = HashChainVerifier.verify(tampered);
    assertThat(v.intact()).isFalse();
    assertThat(v.firstBrokenIndex()).isEqualTo(5);
    assertThat(v.firstBrokenEventId()).isEqualTo(chain.get(5).getEventId());
    assertThat(v.reason()).contains("event_hash");
  }

  @Test
  void aRemovedOrReorderedEventBreaksTheNextLink() {
    List<SovereignFinancialEvent> removed = new ArrayList<>(chain);
    removed.remove(3);
    ChainVerification v = HashChainVerifier.verify(removed);
    assertThat(v.firstBrokenIndex()).isEqualTo(3);
    assertThat(v.firstBrokenEventId()).isEqualTo(chain.get(4).getEventId());

    List<SovereignFinancialEvent> swapped = new ArrayList<>(chain);
    swapped.set(7, chain.get(8));
    swapped.set(8, chain.get(7));
    assertThat(HashChainVerifier.verify(swapped).firstBrokenIndex()).isEqualTo(7);
  }
}
