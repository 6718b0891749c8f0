package com.cps.dcs.kernel.money;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import org.junit.jupiter.api.Test;

class MoneyTest {
  @Test
  void everyMinorAmountRoundTripsThroughTheWireDouble() {
    // Doubles name every integer up to 2^53 exactly, so amounts of that many minor units survive the wire.
    qt().forAll(longs().between(-(1L << 50), 1L << 50)).checkAssert(minor -> {
      for (String code : new String[] {"EUR", "JPY", "KWD"}) {
        Money m = Money.ofMinor(minor, code);
        assertThat(Money.fromWire(m.toWireDouble(), code)).isEqualTo(m);
        assertThat(Money.checkAgreement(m.toWireDouble(), minor, code)).isEqualTo(m);
      }
    });
  }

  @Test
  void doublesThatAreNotAWholeNumberOfMinorUnitsAreRefused() {
    assertThatThrownBy(() -> Money.fromWire(0.305, "EUR")).isInstanceOf(MoneyException.class)
        .hasMessageContaining("more decimals");
    assertThatThrownBy(() -> Money.fromWire(12.345, "EUR")).isInstanceOf(MoneyException.class);
    assertThatThrownBy(() -> Money.fromWire(1.5, "JPY")).isInstanceOf(MoneyException.class);
    assertThatThrownBy(() -> Money.fromWire(Double.NaN, "EUR")).isInstanceOf(MoneyException.class);
    assertThatThrownBy(() -> Money.fromWire(1e300, "EUR")).isInstanceOf(MoneyException.class);
    assertThat(Money.fromWire(12.34, "EUR").minor()).isEqualTo(1234);
    assertThat(Money.fromWire(1.234, "KWD").minor()).isEqualTo(1234);
  }

  @Test
  void binaryNoiseInADoubleIsNotADecimal() {
    assertThat(Money.fromWire(0.1 + 0.2, "EUR").minor()).isEqualTo(30);
    assertThat(Money.fromWire(1.0 + 0.14, "EUR").minor()).isEqualTo(114);
    assertThat(Money.checkAgreement(1.0 + 0.14, 114, "EUR").minor()).isEqualTo(114);
    // amount_minor is authoritative: the double only has to round to it, half-even
    assertThat(Money.checkAgreement(1.145, 114, "EUR").minor()).isEqualTo(114);
    assertThatThrownBy(() -> Money.checkAgreement(1.15, 114, "EUR")).isInstanceOf(MoneyException.class);
  }

  @Test
  void disagreeingFormsAreNamed() {
    assertThatThrownBy(() -> Money.checkAgreement(12.35, 1234, "EUR"))
        .hasMessageContaining("12.35").hasMessageContaining("1234");
  }

  @Test
  void unknownOrUnitlessCurrenciesAreRefused() {
    assertThatThrownBy(() -> Money.ofMinor(1, "EURO")).hasMessageContaining("ISO-4217");
    assertThatThrownBy(() -> Money.ofMinor(1, "ABC")).hasMessageContaining("unknown");
    assertThatThrownBy(() -> Money.ofMinor(1, "XAU")).hasMessageContaining("no fixed minor unit");
  }

  @Test
  void taxIsRoundedHalfEvenAndAddsUp() {
    assertThat(Money.ofMinor(250, "EUR").taxAt(2000).minor()).isEqualTo(50);
    assertThat(Money.ofMinor(125, "EUR").taxAt(1000).minor()).isEqualTo(12); // 12.5 -> 12 (even)
    assertThat(Money.ofMinor(135, "EUR").taxAt(1000).minor()).isEqualTo(14); // 13.5 -> 14 (even)
    assertThat(Money.ofMinor(120, "EUR").taxIncludedAt(2000).minor()).isEqualTo(20);
    qt().forAll(longs().between(0, 10_000_000), integers().between(0, 5000)).checkAssert((gross, bp) -> {
      Money g = Money.ofMinor(gross, "EUR");
      Money tax = g.taxIncludedAt(bp);
      assertThat(tax.minor()).isBetween(0L, gross);
      assertThat(g.minus(tax).plus(tax)).isEqualTo(g);
    });
  }

  @Test
  void arithmeticRefusesMixedCurrenciesAndOverflow() {
    assertThatThrownBy(() -> Money.ofMinor(1, "EUR").plus(Money.ofMinor(1, "USD"))).hasMessageContaining("mismatch");
    assertThatThrownBy(() -> Money.ofMinor(Long.MAX_VALUE, "EUR").plus(Money.ofMinor(1, "EUR")))
        .isInstanceOf(ArithmeticException.class);
  }
}
