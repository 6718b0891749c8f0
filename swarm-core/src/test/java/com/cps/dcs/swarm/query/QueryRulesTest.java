package com.cps.dcs.swarm.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.kernel.validation.InputRefused;
import com.cps.dcs.proto.v4.BranchQuery;
import com.cps.dcs.proto.v4.DashboardSubscription;
import com.cps.dcs.proto.v4.LedgerQuery;
import com.cps.dcs.proto.v4.SalesReportQuery;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The request bounds and the report periods, without a server. */
class QueryRulesTest {
  static final long NOW = Instant.parse("2026-11-22T15:00:00Z").toEpochMilli();
  final QueryRules many = new QueryRules(Optional.empty());
  final QueryRules own = new QueryRules(Optional.of("b-own"));

  @Test
  void zeroMeansNowForAsOfTimesAndAReportsEndButTheEpochForItsStart() {
    assertThat(many.summary(BranchQuery.newBuilder().setBranchId("b1").build(), NOW).asOfMs()).isEqualTo(NOW);
    assertThat(many.summary(BranchQuery.newBuilder().setBranchId("b1").setAsOfTimestamp(5).build(), NOW).asOfMs())
        .isEqualTo(5);
    assertThat(many.ledger(LedgerQuery.newBuilder().setBranchId("b1").setAccountCode("1000").build(), NOW)
        .asOfMs()).isEqualTo(NOW);
    QueryRules.SalesArgs s = many.sales(SalesReportQuery.newBuilder().setBranchId("b1")
        .setStartDate(NOW - 86_400_000L).build(), NOW);
    assertThat(s.fromMs()).isEqualTo(NOW - 86_400_000L);
    assertThat(s.toMs()).isEqualTo(NOW);
    assertThat(s.grouping()).isEqualTo(Grouping.DAY);
  }

  @Test
  void theOwnBranchStandsInForAMissingBranchIdOnlyWhereThereIsOne() {
    assertThat(own.summary(BranchQuery.getDefaultInstance(), NOW).branchId()).isEqualTo("b-own");
    assertThat(own.summary(BranchQuery.newBuilder().setBranchId("b2").build(), NOW).branchId()).isEqualTo("b2");
    assertThatThrownBy(() -> many.summary(BranchQuery.getDefaultInstance(), NOW))
        .isInstanceOfSatisfying(InputRefused.class, e -> assertThat(e.violations().get(0).field())
            .isEqualTo("branch_id"));
  }

  @Test
  void aDashboardDefaultsToEveryMetricAtOneSecondAndNeverTicksFasterThan100Ms() {
    QueryRules.DashboardArgs d = own.dashboard(DashboardSubscription.getDefaultInstance());
    assertThat(d.metrics()).isEqualTo(QueryRules.METRICS);
    assertThat(d.intervalMs()).isEqualTo(1000);
    assertThat(own.dashboard(DashboardSubscription.newBuilder().setUpdateIntervalMs(1).build()).intervalMs())
        .isEqualTo(100);
    assertThat(own.dashboard(DashboardSubscription.newBuilder().setUpdateIntervalMs(2500).addMetrics("today_sales")
        .build())).satisfies(a -> {
          assertThat(a.intervalMs()).isEqualTo(2500);
          assertThat(a.metrics()).containsExactly("today_sales");
        });
  }

  @Test
  void groupByNamesOneOfFourPeriodsAndEmptyMeansDay() {
    assertThat(Grouping.parse("")).contains(Grouping.DAY);
    assertThat(Grouping.parse("hour")).contains(Grouping.HOUR);
    assertThat(Grouping.parse("month")).contains(Grouping.MONTH);
    assertThat(Grouping.parse("Month")).isEmpty();
    assertThat(Grouping.parse("year")).isEmpty();
  }

  @Test
  void periodsAreUtcLabels() {
    Instant sunday = Instant.parse("2026-11-22T23:59:59.999Z");
    assertThat(Grouping.HOUR.period(sunday)).isEqualTo("2026-11-22T23:00Z");
    assertThat(Grouping.DAY.period(sunday)).isEqualTo("2026-11-22");
    assertThat(Grouping.WEEK.period(sunday)).isEqualTo("2026-11-16/week");
    assertThat(Grouping.WEEK.period(Instant.parse("2026-11-23T00:00:00Z"))).isEqualTo("2026-11-23/week");
    assertThat(Grouping.WEEK.period(Instant.parse("2027-01-01T12:00:00Z"))).isEqualTo("2026-12-28/week");
    assertThat(Grouping.MONTH.period(sunday)).isEqualTo("2026-11");
    assertThat(Grouping.HOUR.period(Instant.parse("2026-11-22T00:00:00Z"))).isEqualTo("2026-11-22T00:00Z");
  }
}
