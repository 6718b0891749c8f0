package com.cps.dcs.localagent.sale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.cps.dcs.kernel.validation.InputRefused;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

class TenderingTest {

  @Test
  void givenASplitOfCardMobileAndCashThenAppliedAmountsAddUpToTheTotalAndChangeIsTheCashExcess() {
    qt().forAll(longs().between(1, 1_000_000), longs().between(0, 100), longs().between(0, 100),
        longs().between(0, 50_000)).checkAssert((total, cardPct, mobilePct, extraCash) -> {
          long card = total * Math.min(cardPct, 50) / 100;
          long mobile = total * Math.min(mobilePct, 50) / 100;
          long cash = total - card - mobile + extraCash;
          List<Tendering.Offered> offered = new java.util.ArrayList<>();
          if (card > 0) {
            offered.add(new Tendering.Offered(TenderMethod.TENDER_CARD, card, "tok_4242"));
          }
          if (mobile > 0) {
            offered.add(new Tendering.Offered(TenderMethod.TENDER_MOBILE, mobile, "wallet_1"));
          }
          if (cash > 0) {
            offered.add(new Tendering.Offered(TenderMethod.TENDER_CASH, cash, ""));
          }
          Tendering.Plan plan = Tendering.plan(total, offered);
          assertThat(plan.tenders().stream().mapToLong(Tendering.Applied::appliedMinor).sum()).isEqualTo(total);
          assertThat(plan.changeMinor()).isEqualTo(cash > 0 ? extraCash : 0);
          assertThat(plan.tenders()).allMatch(a -> a.appliedMinor() <= a.tenderedMinor());
        });
  }

  @Test
  void givenTwoCashTendersThenTheFirstIsUsedUpBeforeTheSecond() {
    Tendering.Plan plan = Tendering.plan(1500, List.of(
        new Tendering.Offered(TenderMethod.TENDER_CASH, 1000, ""),
        new Tendering.Offered(TenderMethod.TENDER_CASH, 1000, "")));
    assertThat(plan.tenders()).extracting(Tendering.Applied::appliedMinor).containsExactly(1000L, 500L);
    assertThat(plan.changeMinor()).isEqualTo(500);
  }

  @Test
  void givenBadTendersThenRefusedNamingTheField() {
    assertThatThrownBy(() -> Tendering.plan(100, List.of()))
        .isInstanceOfSatisfying(InputRefused.class, e -> assertThat(e.violations().get(0).field()).isEqualTo("tenders"));
    assertThatThrownBy(() -> Tendering.plan(100, List.of(new Tendering.Offered(TenderMethod.TENDER_CASH, 0, ""))))
        .isInstanceOfSatisfying(InputRefused.class,
            e -> assertThat(e.violations().get(0).field()).isEqualTo("tenders[0].amount_minor"));
    assertThatThrownBy(() -> Tendering.plan(100, List.of(new Tendering.Offered(TenderMethod.TENDER_CARD, 100, " "))))
        .isInstanceOfSatisfying(InputRefused.class,
            e -> assertThat(e.violations().get(0).field()).isEqualTo("tenders[0].card_token"));
    assertThatThrownBy(() -> Tendering.plan(100, List.of(
        new Tendering.Offered(TenderMethod.TENDER_METHOD_UNSPECIFIED, 100, ""))))
        .isInstanceOfSatisfying(InputRefused.class,
            e -> assertThat(e.violations().get(0).field()).isEqualTo("tenders[0].method"));
    assertThatThrownBy(() -> Tendering.plan(100, List.of(new Tendering.Offered(TenderMethod.TENDER_MOBILE, 101, "w"))))
        .isInstanceOfSatisfying(InputRefused.class, e -> assertThat(e.violations().get(0).field()).isEqualTo("tenders"));
  }
}
