package com.cps.dcs.kernel.id;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UuidV7Test {
  @Test
  void idsAreVersion7AndStrictlyIncreasingEvenWithinOneMillisecond() {
    UuidV7 gen = UuidV7.generator(InstantSource.fixed(Instant.ofEpochMilli(1_700_000_000_000L)), new Random(1));
    UUID previous = gen.generate();
    for (int i = 0; i < 10_000; i++) {
      UUID next = gen.generate();
      assertThat(next.toString().compareTo(previous.toString())).isPositive();
      assertThat(UuidV7.isV7(next.toString())).isTrue();
      previous = next;
    }
  }

  @Test
  void theTimestampIsRecoverable() {
    UUID id = UuidV7.next(InstantSource.fixed(Instant.ofEpochMilli(1_234_567_890_123L)), new Random(2));
    assertThat(UuidV7.timestampMillis(id)).isEqualTo(1_234_567_890_123L);
    assertThat(UuidV7.isV7(UUID.randomUUID().toString())).isFalse();
    assertThat(UuidV7.isV7("not-a-uuid")).isFalse();
  }
}
