package com.cps.dcs.localagent.sale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.ReceiptLine;
import com.cps.dcs.proto.pos.v1.RefundLine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RefundPlanTest {

  private static Receipt sale(List<Integer> lineSeeds) {
    Receipt.Builder r = Receipt.newBuilder().setSaleId("s").setReceiptNumber("B-000001");
    long total = 0;
    for (int i = 0; i < lineSeeds.size(); i++) {
      int seed = lineSeeds.get(i);
      long qty = 1 + seed % 7;
      long amount = qty * (50 + seed % 997) - seed % 13; // discounts make amounts uneven per unit
      r.addLines(ReceiptLine.newBuilder().setProductId("p-" + seed % 3).setQuantity(qty)
          .setLineTotalMinor(amount).setTaxMinor(amount * 7 / 107));
      total += amount;
    }
    return r.setTotalMinor(total).build();
  }

  @Test
  void theRefundsOfASaleNeverAddUpToMoreThanItAndAllOfThemToExactlyIt() {
    qt().forAll(lists().of(integers().between(0, 10_000)).ofSizeBetween(1, 5),
        lists().of(integers().between(0, 40)).ofSizeBetween(1, 30)).checkAssert((lineSeeds, asks) -> {
          Receipt sale = sale(lineSeeds);
          long refunded = 0;
          for (int k = 0; k + 1 < asks.size(); k += 2) {
            // a hostile refund: the same product twice, quantities that may exceed what is left
            List<RefundLine> lines = new ArrayList<>();
            lines.add(RefundLine.newBuilder().setProductId("p-" + asks.get(k) % 3).setQuantity(1 + asks.get(k) % 4)
                .build());
            lines.add(RefundLine.newBuilder().setProductId("p-" + asks.get(k) % 3)
                .setQuantity(1 + asks.get(k + 1) % 4).build());
            try {
              RefundPlan plan = RefundPlan.of(sale, lines);
              refunded += plan.totalMinor();
              sale = plan.updated();
            } catch (SaleFailure refused) {
              assertThat(refused.kind()).isIn(SaleFailure.Kind.PRECONDITION, SaleFailure.Kind.INVALID);
            }
            assertThat(refunded).isLessThanOrEqualTo(sale.getTotalMinor());
            assertThat(sale.getLinesList()).allMatch(l -> l.getRefundedQuantity() <= l.getQuantity());
          }
          try {
            refunded += RefundPlan.of(sale, List.of()).totalMinor(); // whatever is left
          } catch (SaleFailure nothingLeft) {
            assertThat(nothingLeft.kind()).isEqualTo(SaleFailure.Kind.PRECONDITION);
          }
          assertThat(refunded).isEqualTo(sale.getTotalMinor());
        });
  }

  @Test
  void aProductListedTwiceIsAskedOnceWithBothQuantities() {
    Receipt milk = Receipt.newBuilder().setTotalMinor(119).addLines(ReceiptLine.newBuilder().setProductId("p-milk")
        .setQuantity(1).setLineTotalMinor(119)).build();
    RefundLine one = RefundLine.newBuilder().setProductId("p-milk").setQuantity(1).build();
    assertThatThrownBy(() -> RefundPlan.of(milk, List.of(one, one))).isInstanceOfSatisfying(SaleFailure.class,
        f -> assertThat(f.kind()).isEqualTo(SaleFailure.Kind.PRECONDITION));
    RefundPlan plan = RefundPlan.of(milk, List.of(one));
    assertThat(plan.totalMinor()).isEqualTo(119);
    assertThat(plan.full()).isTrue();
    assertThatThrownBy(() -> RefundPlan.of(plan.updated(), List.of())).hasMessageContaining("refunded already");
  }
}
