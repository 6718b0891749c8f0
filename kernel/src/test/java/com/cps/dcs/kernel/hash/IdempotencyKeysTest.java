package com.cps.dcs.kernel.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import com.cps.dcs.proto.v4.EventType;
import org.junit.jupiter.api.Test;

class IdempotencyKeysTest {
  @Test
  void theSameContentAlwaysGivesTheSameKey() {
    qt().forAll(strings().basicLatinAlphabet().ofLengthBetween(0, 20), longs().all(),
        strings().basicLatinAlphabet().ofLengthBetween(0, 20)).checkAssert((stream, amount, natural) -> {
          String a = IdempotencyKeys.of("t", "b", stream, EventType.SALE_COMPLETED, amount, "EUR", "c", natural);
          String b = IdempotencyKeys.of("t", "b", stream, EventType.SALE_COMPLETED, amount, "EUR", "c", natural);
          assertThat(a).isEqualTo(b).hasSize(64);
        });
  }

  @Test
  void anyDifferenceInContentGivesAnotherKey() {
    qt().forAll(strings().basicLatinAlphabet().ofLengthBetween(0, 12), strings().basicLatinAlphabet()
        .ofLengthBetween(0, 12), longs().between(0, 1_000_000)).checkAssert((x, y, amount) -> {
          String base = IdempotencyKeys.of("t", "b", x, EventType.SALE_COMPLETED, amount, "EUR", "", y);
          assertThat(IdempotencyKeys.of("t", "b", x, EventType.SALE_COMPLETED, amount + 1, "EUR", "", y))
              .isNotEqualTo(base);
          assertThat(IdempotencyKeys.of("t", "b", x, EventType.SALE_INITIATED, amount, "EUR", "", y))
              .isNotEqualTo(base);
          // Length prefixes keep field boundaries: moving a character from one field to the next changes the key.
          assertThat(IdempotencyKeys.of("t", "b", x + "y", EventType.SALE_COMPLETED, amount, "EUR", "", y))
              .isNotEqualTo(IdempotencyKeys.of("t", "b", x, EventType.SALE_COMPLETED, amount, "EUR", "", "y" + y));
        });
  }
}
