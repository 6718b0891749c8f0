package com.cps.dcs.kernel.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RevocationSetTest {
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T00:00:00Z"));
  final InMemoryRevocationSet set = new InMemoryRevocationSet(now::get);

  @Test
  void aRevocationLastsUntilTheTokensExpiryAndThenLeaves() {
    Instant t = now.get();
    set.revoke("tok-1", t.plusSeconds(60));
    set.revoke("tok-2", t.plusSeconds(600));
    assertThat(set.isRevoked("tok-1")).isTrue();
    assertThat(set.isRevoked("tok-3")).isFalse();
    assertThat(set.entries()).containsOnlyKeys("tok-1", "tok-2");
    now.set(t.plusSeconds(60));
    assertThat(set.isRevoked("tok-1")).isFalse();
    assertThat(set.entries()).containsOnlyKeys("tok-2");
    assertThat(set.size()).isEqualTo(1);
  }

  @Test
  void revokingTwiceKeepsTheLaterExpiryAndExpiredOnesAreNotKept() {
    Instant t = now.get();
    set.revoke("tok-1", t.plusSeconds(600));
    set.revoke("tok-1", t.plusSeconds(60));
    assertThat(set.entries()).containsEntry("tok-1", t.plusSeconds(600));
    set.revoke("tok-old", t.minusSeconds(1));
    assertThat(set.isRevoked("tok-old")).isFalse();
    assertThat(set.size()).isEqualTo(1);
  }

  @Test
  void theSetIsBoundedAndExpiredEntriesMakeRoom() {
    Instant t = now.get();
    for (int i = 0; i < InMemoryRevocationSet.MAX_ENTRIES; i++) {
      set.revoke("tok-" + i, t.plusSeconds(i < 10 ? 10 : 3600));
    }
    assertThatThrownBy(() -> set.revoke("one-more", t.plusSeconds(3600)))
        .isInstanceOf(IllegalStateException.class);
    set.revoke("tok-5", t.plusSeconds(7200)); // already held: still accepted
    now.set(t.plusSeconds(10));
    set.revoke("one-more", t.plusSeconds(3600));
    assertThat(set.isRevoked("one-more")).isTrue();
    assertThat(set.size()).isLessThanOrEqualTo(InMemoryRevocationSet.MAX_ENTRIES);
  }

  @Test
  void idsAreBounded() {
    assertThatThrownBy(() -> set.revoke("x".repeat(129), now.get().plusSeconds(1)))
        .hasMessageContaining("128");
  }
}
