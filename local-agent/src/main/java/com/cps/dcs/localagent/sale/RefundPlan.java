package com.cps.dcs.localagent.sale;

import com.cps.dcs.kernel.validation.ExactSums;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.ReceiptLine;
import com.cps.dcs.proto.pos.v1.RefundLine;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a refund returns of a sale, decided on the sale as it stands: the asked lines are merged by product first (a
 * product listed twice is asked once, with both quantities), each product's quantity must still be refundable, and
 * each refunded unit takes its exact share of its line's amount and tax (the last units take what is left), so the
 * refunds of a sale never add up to more than it. Pure.
 *
 * @param lines the refunded lines (quantity, amount and tax of this refund)
 * @param updated the sale with these quantities counted as refunded
 */
record RefundPlan(List<ReceiptLine> lines, long totalMinor, long taxMinor, Receipt updated, boolean full) {

  /** The asked quantity per product; no lines asks for whatever is left of the sale. */
  static Map<String, Long> asked(Receipt sale, List<RefundLine> requested) {
    Map<String, Long> asked = new LinkedHashMap<>();
    if (requested.isEmpty()) {
      for (ReceiptLine l : sale.getLinesList()) {
        asked.merge(l.getProductId(), l.getQuantity() - l.getRefundedQuantity(), Long::sum);
      }
      asked.values().removeIf(q -> q <= 0);
      return asked;
    }
    for (int k = 0; k < requested.size(); k++) {
      RefundLine rl = requested.get(k);
      if (sale.getLinesList().stream().noneMatch(l -> l.getProductId().equals(rl.getProductId()))) {
        throw new SaleFailure(SaleFailure.Kind.INVALID, "lines[" + k + "].product_id",
            rl.getProductId() + " is not on receipt " + sale.getReceiptNumber());
      }
      String field = "lines[" + k + "].quantity";
      asked.merge(rl.getProductId(), rl.getQuantity(), (a, b) -> ExactSums.add(field, a, b));
    }
    return asked;
  }

  /**
   * Plans a refund of {@code requested} on {@code sale} as it stands.
   *
   * @throws SaleFailure PRECONDITION when more is asked than can still be refunded, or nothing is left
   */
  static RefundPlan of(Receipt sale, List<RefundLine> requested) {
    Map<String, Long> wanted = asked(sale, requested);
    if (wanted.isEmpty()) {
      throw new SaleFailure(SaleFailure.Kind.PRECONDITION, "sale_id", "everything on this sale was refunded already");
    }
    for (Map.Entry<String, Long> a : wanted.entrySet()) {
      long left = 0;
      for (ReceiptLine l : sale.getLinesList()) {
        if (l.getProductId().equals(a.getKey())) {
          left += l.getQuantity() - l.getRefundedQuantity();
        }
      }
      if (a.getValue() > left) {
        throw new SaleFailure(SaleFailure.Kind.PRECONDITION, "lines", "at most " + left + " of " + a.getKey()
            + " can still be refunded, " + a.getValue() + " asked");
      }
    }
    Receipt.Builder updated = sale.toBuilder();
    List<ReceiptLine> lines = new ArrayList<>();
    long total = 0;
    long tax = 0;
    for (int i = 0; i < sale.getLinesCount(); i++) {
      ReceiptLine l = sale.getLines(i);
      long qty = Math.min(l.getQuantity() - l.getRefundedQuantity(), wanted.getOrDefault(l.getProductId(), 0L));
      if (qty <= 0) {
        continue;
      }
      wanted.merge(l.getProductId(), -qty, Long::sum);
      long amount = share(l.getLineTotalMinor(), qty, l.getQuantity(), l.getRefundedQuantity());
      long lineTax = share(l.getTaxMinor(), qty, l.getQuantity(), l.getRefundedQuantity());
      total = ExactSums.add("lines", total, amount);
      tax = ExactSums.add("lines", tax, lineTax);
      lines.add(l.toBuilder().setQuantity(qty).setLineTotalMinor(amount).setTaxMinor(lineTax)
          .setRefundedQuantity(0).build());
      updated.setLines(i, l.toBuilder().setRefundedQuantity(l.getRefundedQuantity() + qty));
    }
    boolean full = updated.getLinesList().stream().allMatch(l -> l.getRefundedQuantity() == l.getQuantity());
    return new RefundPlan(List.copyOf(lines), total, tax, updated.build(), full);
  }

  /** The part of {@code whole} for {@code qty} of {@code of} units; the last units take what is left, exactly. */
  static long share(long whole, long qty, long of, long alreadyRefunded) {
    long before = BigDecimal.valueOf(whole).multiply(BigDecimal.valueOf(alreadyRefunded))
        .divide(BigDecimal.valueOf(of), 0, RoundingMode.HALF_EVEN).longValueExact();
    long after = BigDecimal.valueOf(whole).multiply(BigDecimal.valueOf(alreadyRefunded + qty))
        .divide(BigDecimal.valueOf(of), 0, RoundingMode.HALF_EVEN).longValueExact();
    return after - before;
  }
}
