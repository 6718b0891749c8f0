package com.cps.dcs.kernel.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.ReconciliationRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReconciliationRulesTest {
  static final long NOW = 1_800_000_000_000L;
  static final long DAY = Duration.ofDays(1).toMillis();

  static String refusedField(ReconciliationRequest r) {
    try {
      ReconciliationRules.check(r, NOW);
    } catch (InputRefused e) {
      return e.violations().get(0).field();
    }
    throw new AssertionError("accepted");
  }

  @Test
  void aRangeOfAtMost366DaysUpToNowOrAGivenEndIsAccepted() {
    assertThat(ReconciliationRules.check(ReconciliationRequest.newBuilder().setStartTimestamp(NOW - 366 * DAY)
        .addEventTypeFilter("SALE_COMPLETED").build(), NOW)).containsExactly(EventType.SALE_COMPLETED_VALUE);
    assertThat(ReconciliationRules.check(ReconciliationRequest.newBuilder().setStartTimestamp(10)
        .setEndTimestamp(10 + DAY).build(), NOW)).isEmpty();
  }

  @Test
  void aLongerOrUpsideDownRangeHostileIdsAndUnknownTypesAreRefused() {
    assertThat(refusedField(ReconciliationRequest.getDefaultInstance())).isEqualTo("start_timestamp");
    assertThat(refusedField(ReconciliationRequest.newBuilder().setStartTimestamp(1).setEndTimestamp(400 * DAY)
        .build())).isEqualTo("end_timestamp");
    assertThat(refusedField(ReconciliationRequest.newBuilder().setStartTimestamp(5).setEndTimestamp(4).build()))
        .isEqualTo("end_timestamp");
    assertThat(refusedField(ReconciliationRequest.newBuilder().setStartTimestamp(-1).build()))
        .isEqualTo("start_timestamp");
    assertThat(refusedField(ReconciliationRequest.newBuilder().setStartTimestamp(NOW).setBranchId("b\u0000")
        .build())).isEqualTo("branch_id");
    assertThatThrownBy(() -> ReconciliationRules.check(ReconciliationRequest.newBuilder().setStartTimestamp(NOW)
        .addEventTypeFilter("SALE_EXPLODED").build(), NOW)).hasMessageContaining("SALE_EXPLODED");
  }
}
