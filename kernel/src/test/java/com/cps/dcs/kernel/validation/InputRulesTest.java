package com.cps.dcs.kernel.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigInteger;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InputRulesTest {
  private static final long NOW = 1_800_000_000_000L;
  private static final ClockBounds BOUNDS = ClockBounds.withDrift(Duration.ofMinutes(1));

  @Test
  void idsArePrintableBoundedAndWithoutSpaces() {
    assertThat(Texts.id("stream_id", "sale-2026-12-07/42")).isNull();
    assertThat(Texts.id("stream_id", "")).isNull();
    assertThat(Texts.id("stream_id", "Kassé-ß-日本")).isNull();
    assertThat(Texts.id("stream_id", "a\u0000b").description()).contains("index 1").contains("U+0000");
    assertThat(Texts.id("stream_id", "a b")).isNotNull();
    assertThat(Texts.id("stream_id", "a\tb")).isNotNull();
    assertThat(Texts.id("stream_id", "evil\u202Etxt")).isNotNull(); // bidi override
    assertThat(Texts.id("stream_id", "x\uD800")).isNotNull(); // lone surrogate
    assertThat(Texts.id("stream_id", "\uFFFF")).isNotNull(); // non-character
    assertThat(Texts.id("stream_id", "s".repeat(Texts.MAX_ID))).isNull();
    assertThat(Texts.id("stream_id", "s".repeat(Texts.MAX_ID + 1)).description()).contains("longer than 128");
    assertThat(Texts.requiredId("cashier_id", "").description()).isEqualTo("is required");
  }

  @Test
  void freeTextMayHoldSpacesButNoControlCharacters() {
    assertThat(Texts.text("reason", "damaged in transit", 512)).isNull();
    assertThat(Texts.text("reason", "line\nbreak", 512)).isNotNull();
    assertThat(Texts.text("reason", "x".repeat(513), 512)).isNotNull();
  }

  @Test
  void exactSumsEqualTheMathematicalSumOrAreRefusedNamingTheField() {
    qt().forAll(longs().all(), longs().all()).checkAssert((a, b) -> {
      BigInteger exact = BigInteger.valueOf(a).add(BigInteger.valueOf(b));
      if (exact.bitLength() < 64) {
        assertThat(ExactSums.add("tenders", a, b)).isEqualTo(exact.longValueExact());
      } else {
        assertThatThrownBy(() -> ExactSums.add("tenders", a, b)).isInstanceOfSatisfying(InputRefused.class,
            r -> assertThat(r.violations().get(0).field()).isEqualTo("tenders"));
      }
    });
    assertThatThrownBy(() -> ExactSums.sum("tenders", Long.MAX_VALUE, Long.MAX_VALUE))
        .hasMessageContaining("tenders");
    assertThatThrownBy(() -> ExactSums.multiply("lines[0].quantity", Long.MAX_VALUE, 119))
        .hasMessageContaining("lines[0].quantity");
  }

  @Test
  void clocksAreBoundedTowardTheFutureAndGenerouslyTowardThePast() {
    assertThat(BOUNDS.checkHlc("hlc", NOW + 50_000, 3, NOW)).isEmpty();
    assertThat(BOUNDS.checkHlc("hlc", NOW + 61_000, 0, NOW)).extracting(Violation::field)
        .containsExactly("hlc.physical_ms");
    assertThat(BOUNDS.checkHlc("hlc", -1, 0, NOW)).extracting(Violation::field).containsExactly("hlc.physical_ms");
    assertThat(BOUNDS.checkHlc("hlc", NOW, -1, NOW)).extracting(Violation::field).containsExactly("hlc.logical");
    assertThat(BOUNDS.checkHlc("hlc", NOW + 50_000, Integer.MAX_VALUE - 1, NOW)).extracting(Violation::field)
        .containsExactly("hlc.logical");
    assertThat(BOUNDS.checkMillis("ts", NOW - Duration.ofDays(29).toMillis(), NOW)).isNull();
    assertThat(BOUNDS.checkMillis("ts", NOW - Duration.ofDays(31).toMillis(), NOW)).isNotNull();
    assertThat(BOUNDS.withoutAge().checkMillis("ts", 1, NOW)).isNull();
    assertThat(BOUNDS.checkTimestamp("ts", NOW / 1000, 1_000_000_000, NOW).field()).isEqualTo("ts.nanos");
    assertThat(BOUNDS.checkTimestamp("ts", Long.MAX_VALUE, 0, NOW).field()).isEqualTo("ts.seconds");
  }

  @Test
  void theMaximumAgeIsReadInEveryUsualForm() {
    assertThat(ClockBounds.parseAge(null)).isEqualTo(Duration.ofDays(30));
    assertThat(ClockBounds.parseAge("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(ClockBounds.parseAge("12h")).isEqualTo(Duration.ofHours(12));
    assertThat(ClockBounds.parseAge("P60D")).isEqualTo(Duration.ofDays(60));
    assertThatThrownBy(() -> ClockBounds.parseAge("-3d")).hasMessageContaining("DCS_MAX_EVENT_AGE");
    assertThatThrownBy(() -> ClockBounds.parseAge("soon")).hasMessageContaining("DCS_MAX_EVENT_AGE");
  }
}
