package com.cps.dcs.kernel.money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Objects;

/**
 * An exact amount of money: a whole number of the currency's minor units (cents for EUR, yen for JPY).
 *
 * <p>There is no double arithmetic inside. The wire's {@code double amount} is converted only at the edge, and a
 * double that does not name an exact number of minor units is refused rather than rounded.
 */
public record Money(long minor, Currency currency) implements Comparable<Money> {

  public Money {
    Objects.requireNonNull(currency, "currency");
    if (currency.getDefaultFractionDigits() < 0) {
      throw new MoneyException("currency " + currency + " has no fixed minor unit");
    }
  }

  /** An amount in minor units of the ISO-4217 currency {@code code}. */
  public static Money ofMinor(long minor, String code) {
    return new Money(minor, currency(code));
  }

  public static Money zero(String code) {
    return ofMinor(0, code);
  }

  /** Whether {@code code} is three letters A to Z (a regex would be compiled on every call of this hot path). */
  private static boolean threeCapitals(String code) {
    if (code == null || code.length() != 3) {
      return false;
    }
    for (int i = 0; i < 3; i++) {
      char ch = code.charAt(i);
      if (ch < 'A' || ch > 'Z') {
        return false;
      }
    }
    return true;
  }

  /** The ISO-4217 currency for {@code code}, refusing unknown codes and currencies without minor units. */
  public static Currency currency(String code) {
    if (!threeCapitals(code)) {
      throw new MoneyException("currency must be an ISO-4217 code of three capital letters, got '" + code + "'");
    }
    Currency c;
    try {
      c = Currency.getInstance(code);
    } catch (IllegalArgumentException e) {
      throw new MoneyException("unknown ISO-4217 currency '" + code + "'");
    }
    if (c.getDefaultFractionDigits() < 0) {
      throw new MoneyException("currency " + code + " has no fixed minor unit");
    }
    return c;
  }

  /** Minor-unit digits of the currency (2 for EUR, 0 for JPY, 3 for KWD). */
  public int scale() {
    return currency.getDefaultFractionDigits();
  }

  public Money plus(Money other) {
    sameCurrency(other);
    return new Money(Math.addExact(minor, other.minor), currency);
  }

  public Money minus(Money other) {
    sameCurrency(other);
    return new Money(Math.subtractExact(minor, other.minor), currency);
  }

  public Money times(long factor) {
    return new Money(Math.multiplyExact(minor, factor), currency);
  }

  public Money negate() {
    return new Money(Math.negateExact(minor), currency);
  }

  public boolean isZero() {
    return minor == 0;
  }

  public boolean isNegative() {
    return minor < 0;
  }

  /** Tax at {@code basisPoints} (2000 = 20%) on this net amount, rounded half-even to the minor unit. */
  public Money taxAt(int basisPoints) {
    return new Money(ratio(minor, basisPoints, 10_000), currency);
  }

  /** The tax contained in this tax-inclusive gross amount at {@code basisPoints}, rounded half-even. */
  public Money taxIncludedAt(int basisPoints) {
    return new Money(ratio(minor, basisPoints, 10_000L + basisPoints), currency);
  }

  /** {@code basisPoints} of this amount (1000 = 10%), rounded half-even. */
  public Money percentOf(int basisPoints) {
    return taxAt(basisPoints);
  }

  private static long ratio(long amount, long numerator, long denominator) {
    return BigDecimal.valueOf(amount)
        .multiply(BigDecimal.valueOf(numerator))
        .divide(BigDecimal.valueOf(denominator), 0, RoundingMode.HALF_EVEN)
        .longValueExact();
  }

  /** The decimal value, e.g. {@code 12.30} for 1230 EUR cents. */
  public BigDecimal toBigDecimal() {
    return BigDecimal.valueOf(minor, scale());
  }

  /** The double to put on the wire's {@code amount} field. */
  public double toWireDouble() {
    return toBigDecimal().doubleValue();
  }

  /**
   * Converts the wire's double to exact money.
   *
   * @throws MoneyException when the double is not finite, has more decimals than the currency's minor unit, or
   *     does not convert back to the very same double
   */
  public static Money fromWire(double amount, String code) {
    Currency c = currency(code);
    BigDecimal scaled = scaledToMinor(amount, c);
    BigDecimal rounded = scaled.setScale(0, RoundingMode.HALF_EVEN);
    // A double that names an amount carries binary noise (1.0 + 0.14 is 1.1400000000000001): accept what is a whole
    // number of minor units up to that noise, refuse a real extra decimal (1.145 EUR).
    if (scaled.subtract(rounded).abs().compareTo(NOISE) > 0) {
      throw new MoneyException(
          "amount " + BigDecimal.valueOf(amount).toPlainString() + " has more decimals than " + code + " allows ("
              + c.getDefaultFractionDigits() + ")");
    }
    return new Money(minorExact(rounded, amount), c);
  }

  private static final BigDecimal NOISE = new BigDecimal("0.000001");

  private static BigDecimal scaledToMinor(double amount, Currency c) {
    if (!Double.isFinite(amount)) {
      throw new MoneyException("amount must be a finite number, got " + amount);
    }
    return BigDecimal.valueOf(amount).movePointRight(c.getDefaultFractionDigits());
  }

  private static long minorExact(BigDecimal rounded, double amount) {
    try {
      return rounded.longValueExact();
    } catch (ArithmeticException e) {
      throw new MoneyException("amount " + BigDecimal.valueOf(amount).toPlainString() + " is out of range");
    }
  }


  /**
   * Checks that the wire's {@code amount} and {@code amount_minor} name the same money.
   *
   * @throws MoneyException naming both values when they disagree
   */
  public static Money checkAgreement(double amount, long amountMinor, String code) {
    Money exact = ofMinor(amountMinor, code);
    BigDecimal rounded = scaledToMinor(amount, exact.currency).setScale(0, RoundingMode.HALF_EVEN);
    if (rounded.compareTo(BigDecimal.valueOf(amountMinor)) != 0) {
      throw new MoneyException(
          "amount " + amount + " and amount_minor " + amountMinor + " disagree (" + exact.toPlainString() + " "
              + code + ")");
    }
    return exact;
  }


  public String toPlainString() {
    return toBigDecimal().toPlainString();
  }

  @Override
  public int compareTo(Money other) {
    sameCurrency(other);
    return Long.compare(minor, other.minor);
  }

  private void sameCurrency(Money other) {
    if (!currency.equals(other.currency)) {
      throw new MoneyException("currency mismatch: " + currency + " and " + other.currency);
    }
  }

  @Override
  public String toString() {
    return toPlainString() + " " + currency.getCurrencyCode();
  }
}
