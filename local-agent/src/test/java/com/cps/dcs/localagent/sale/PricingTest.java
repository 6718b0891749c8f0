package com.cps.dcs.localagent.sale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import com.cps.dcs.kernel.validation.InputRefused;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PricingTest {
  static Pricing.Item item(long price, int bp) {
    return new Pricing.Item("p", "P", "C", price, bp);
  }

  @Test
  void givenACartWithLineAndCartDiscountsThenPartsAddUpExactly() {
    qt().forAll(lists().of(longs().between(1, 50_000)).ofSizeBetween(1, 8), integers().between(0, 2500),
        integers().between(0, 100)).checkAssert((prices, bp, pct) -> {
          List<Pricing.Line> lines = new ArrayList<>();
          long sum = 0;
          for (long p : prices) {
            lines.add(new Pricing.Line(item(p, bp), 2, p / 10));
            sum += 2 * p - p / 10;
          }
          long cartDiscount = sum * pct / 100;
          Pricing.PricedCart cart = Pricing.price(lines, cartDiscount);
          assertThat(cart.totalMinor()).isEqualTo(sum - cartDiscount);
          assertThat(cart.lines().stream().mapToLong(Pricing.PricedLine::totalMinor).sum()).isEqualTo(cart.totalMinor());
          assertThat(cart.subtotalMinor() - cart.discountMinor()).isEqualTo(cart.totalMinor());
          assertThat(cart.lines()).allMatch(l -> l.totalMinor() >= 0 && l.taxMinor() <= l.totalMinor());
        });
  }

  @Test
  void taxIsThePartOfATaxInclusivePriceAtTheRate() {
    assertThat(Pricing.taxIncluded(1200, 2000)).isEqualTo(200);
    assertThat(Pricing.taxIncluded(119, 700)).isEqualTo(8); // 119 * 7/107 = 7.785 -> 8
    assertThat(Pricing.allocate(10, new long[] {1, 1, 1})).containsExactly(4, 3, 3);
  }

  @Test
  void badCartsAreRefusedNamingTheField() {
    assertThatThrownBy(() -> Pricing.price(List.of(), 0)).hasMessageContaining("empty");
    assertThatThrownBy(() -> Pricing.price(List.of(new Pricing.Line(item(100, 0), 0, 0)), 0))
        .isInstanceOfSatisfying(InputRefused.class, e -> assertThat(e.violations().get(0).field()).isEqualTo("lines[0].quantity"));
    assertThatThrownBy(() -> Pricing.price(List.of(new Pricing.Line(item(100, 0), 1, 101)), 0))
        .isInstanceOfSatisfying(InputRefused.class,
            e -> assertThat(e.violations().get(0).field()).isEqualTo("lines[0].line_discount_minor"));
  }

  @Test
  void cashCoversTheRestAndGivesChange() {
    Tendering.Plan plan = Tendering.plan(1000, List.of(
        new Tendering.Offered(TenderMethod.TENDER_CARD, 600, "4111"),
        new Tendering.Offered(TenderMethod.TENDER_CASH, 500, "")));
    assertThat(plan.changeMinor()).isEqualTo(100);
    assertThat(plan.tenders()).extracting(Tendering.Applied::appliedMinor).containsExactly(600L, 400L);
    assertThatThrownBy(() -> Tendering.plan(1000, List.of(new Tendering.Offered(TenderMethod.TENDER_CARD, 1200,
        "4111")))).hasMessageContaining("exceed");
    assertThatThrownBy(() -> Tendering.plan(1000, List.of(new Tendering.Offered(TenderMethod.TENDER_CASH, 900,
        "")))).hasMessageContaining("cover 900 of 1000");
  }

  @Test
  void partialRefundSharesAddUpToTheLine() {
    qt().forAll(longs().between(0, 100_000), integers().between(1, 12)).checkAssert((total, qty) -> {
      long refunded = 0;
      long sum = 0;
      for (int k = 0; k < qty; k++) {
        sum += RefundPlan.share(total, 1, qty, refunded);
        refunded++;
      }
      assertThat(sum).isEqualTo(total);
    });
  }
}
