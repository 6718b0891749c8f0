package com.cps.dcs.localagent.sale;

import com.cps.dcs.kernel.validation.ExactSums;
import com.cps.dcs.kernel.validation.InputRefused;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Prices a cart exactly, in minor units. Shelf prices include tax (as on a European till); line discounts come off
 * each line, then a cart discount is spread over the lines in proportion to their amounts (largest remainder, so the
 * parts add up to the whole); each line's tax is the part of its final amount at its rate, rounded half-even. Pure.
 * A cart that cannot be priced, or whose amounts overflow, is {@link InputRefused} naming the field.
 */
public final class Pricing {
  private Pricing() {}

  /** A product as sold: id, name, category, unit price (tax included) and tax rate in basis points. */
  public record Item(String productId, String name, String category, long unitPriceMinor, int taxRateBp) {}

  public record Line(Item item, long quantity, long lineDiscountMinor) {}

  /** One priced line: gross before discounts, all discounts, tax contained, and what the customer pays. */
  public record PricedLine(Item item, long quantity, long grossMinor, long discountMinor, long taxMinor,
      long totalMinor) {}

  public record PricedCart(List<PricedLine> lines, long subtotalMinor, long discountMinor, long taxMinor,
      long totalMinor) {

    /** Discount as a share of the subtotal, in basis points (rounded up, so a threshold is never undercut). */
    public long discountBasisPoints() {
      if (subtotalMinor == 0) {
        return 0;
      }
      return BigDecimal.valueOf(discountMinor).multiply(BigDecimal.valueOf(10_000))
          .divide(BigDecimal.valueOf(subtotalMinor), 0, RoundingMode.CEILING).longValueExact();
    }
  }

  public static PricedCart price(List<Line> lines, long cartDiscountMinor) {
    if (lines.isEmpty()) {
      throw new InputRefused("lines", "the cart is empty");
    }
    if (cartDiscountMinor < 0) {
      throw new InputRefused("cart_discount_minor", "must not be negative");
    }
    long[] afterLine = new long[lines.size()];
    long[] gross = new long[lines.size()];
    long sumAfterLine = 0;
    for (int i = 0; i < lines.size(); i++) {
      Line l = lines.get(i);
      if (l.quantity() <= 0) {
        throw new InputRefused("lines[" + i + "].quantity", "must be at least 1");
      }
      if (l.lineDiscountMinor() < 0) {
        throw new InputRefused("lines[" + i + "].line_discount_minor", "must not be negative");
      }
      gross[i] = ExactSums.multiply("lines[" + i + "].quantity", l.item().unitPriceMinor(), l.quantity());
      if (l.lineDiscountMinor() > gross[i]) {
        throw new InputRefused("lines[" + i + "].line_discount_minor", "is more than the line's amount");
      }
      afterLine[i] = gross[i] - l.lineDiscountMinor();
      sumAfterLine = ExactSums.add("lines", sumAfterLine, afterLine[i]);
    }
    if (cartDiscountMinor > sumAfterLine) {
      throw new InputRefused("cart_discount_minor", "is more than the cart's amount");
    }
    long[] cartShare = allocate(cartDiscountMinor, afterLine);
    List<PricedLine> priced = new ArrayList<>();
    long subtotal = 0;
    long discount = 0;
    long tax = 0;
    long total = 0;
    for (int i = 0; i < lines.size(); i++) {
      Line l = lines.get(i);
      long lineTotal = afterLine[i] - cartShare[i];
      long lineDiscount = l.lineDiscountMinor() + cartShare[i];
      long lineTax = taxIncluded(lineTotal, l.item().taxRateBp());
      priced.add(new PricedLine(l.item(), l.quantity(), gross[i], lineDiscount, lineTax, lineTotal));
      subtotal = ExactSums.add("lines", subtotal, gross[i]);
      discount = ExactSums.add("lines", discount, lineDiscount);
      tax = ExactSums.add("lines", tax, lineTax);
      total = ExactSums.add("lines", total, lineTotal);
    }
    return new PricedCart(List.copyOf(priced), subtotal, discount, tax, total);
  }

  /** The tax contained in a tax-inclusive amount at {@code bp} basis points, half-even. */
  public static long taxIncluded(long grossMinor, int bp) {
    return BigDecimal.valueOf(grossMinor).multiply(BigDecimal.valueOf(bp))
        .divide(BigDecimal.valueOf(10_000L + bp), 0, RoundingMode.HALF_EVEN).longValueExact();
  }

  /** Splits {@code amount} over {@code weights} in proportion, by largest remainder: the parts sum to amount. */
  public static long[] allocate(long amount, long[] weights) {
    long[] out = new long[weights.length];
    long total = 0;
    for (long w : weights) {
      total = ExactSums.add("lines", total, w);
    }
    if (amount == 0 || total == 0) {
      return out;
    }
    long given = 0;
    BigDecimal[] remainders = new BigDecimal[weights.length];
    for (int i = 0; i < weights.length; i++) {
      BigDecimal exact = BigDecimal.valueOf(amount).multiply(BigDecimal.valueOf(weights[i]))
          .divide(BigDecimal.valueOf(total), 12, RoundingMode.DOWN);
      out[i] = exact.setScale(0, RoundingMode.DOWN).longValueExact();
      remainders[i] = exact.subtract(BigDecimal.valueOf(out[i]));
      given += out[i];
    }
    for (long left = amount - given; left > 0; left--) {
      int best = 0;
      for (int i = 1; i < weights.length; i++) {
        if (remainders[i].compareTo(remainders[best]) > 0) {
          best = i;
        }
      }
      out[best]++;
      remainders[best] = BigDecimal.valueOf(-1);
    }
    return out;
  }
}
