package com.cps.dcs.localagent.saga;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.saga.SagaEvents.Transition;
import com.cps.dcs.kernel.saga.SagaRecord;
import com.cps.dcs.kernel.validation.Texts;
import com.cps.dcs.localagent.store.EventDraft;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SagaState;
import com.cps.dcs.proto.v4.SagaStepState;
import com.cps.dcs.proto.v4.SagaType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Given a saga's transition, the event it becomes: its stream, key, subject and a reason every peer accepts. */
class SagaEventLogTest {
  static final Instant T = Instant.parse("2026-12-07T10:00:00Z");
  static final SagaRecord SALE = new SagaRecord("saga-1", SagaType.STANDARD_SALE, SagaState.SAGA_RUNNING,
      List.of(new SagaRecord.StepRecord("reserve", SagaStepState.STEP_COMPLETED, 1, ""),
          new SagaRecord.StepRecord("pay-0", SagaStepState.STEP_PENDING, 0, ""),
          new SagaRecord.StepRecord("complete", SagaStepState.STEP_PENDING, 0, "")),
      new byte[0], T, T, T.plusSeconds(900), "", false, 3);
  static final SagaEventLog.Subject SUBJECT = new SagaEventLog.Subject("sale-1", "1001", "9001", "B1-000042",
      "till-session-7");

  @Test
  void aStartedSagaBecomesAnEventOnItsOwnStreamCorrelatedWithTheSaleAndNamingItsSteps() {
    EventDraft d = SagaEventLog.draft(new Transition("saga-1", SagaType.STANDARD_SALE, EventType.SAGA_INITIATED, "",
        "", T), SALE, SUBJECT);

    assertThat(d.streamId()).isEqualTo("saga-saga-1");
    assertThat(d.type()).isEqualTo(EventType.SAGA_INITIATED);
    assertThat(d.amountMinor()).isZero();
    assertThat(d.correlationId()).isEqualTo("sale-1");
    assertThat(d.sagaId()).isEqualTo("saga-1");
    assertThat(d.createdBy()).isEqualTo("1001");
    assertThat(d.approvedBy()).isEqualTo("9001");
    assertThat(d.naturalKey()).isEqualTo("saga:saga-1:SAGA_INITIATED");
    assertThat(d.facts().getReason()).isEqualTo("STANDARD_SALE started: reserve, pay-0, complete");
    assertThat(d.facts().getReceiptNumber()).isEqualTo("B1-000042");
    assertThat(d.facts().getSessionId()).isEqualTo("till-session-7");
  }

  @Test
  void eachStepCompletedIsItsOwnEventAndTheSameTransitionAgainIsTheSameEvent() {
    Transition reserve = new Transition("saga-1", SagaType.STANDARD_SALE, EventType.SAGA_STEP_COMPLETED, "reserve",
        "", T);
    Transition pay = new Transition("saga-1", SagaType.STANDARD_SALE, EventType.SAGA_STEP_COMPLETED, "pay-0", "", T);

    EventDraft first = SagaEventLog.draft(reserve, SALE, SUBJECT);
    EventDraft again = SagaEventLog.draft(new Transition("saga-1", SagaType.STANDARD_SALE,
        EventType.SAGA_STEP_COMPLETED, "reserve", "", T.plusSeconds(30)), SALE, SUBJECT);

    assertThat(first.naturalKey()).isEqualTo("saga:saga-1:SAGA_STEP_COMPLETED:reserve")
        .isNotEqualTo(SagaEventLog.draft(pay, SALE, SUBJECT).naturalKey());
    assertThat(first.facts()).isEqualTo(again.facts());
    assertThat(first.naturalKey()).isEqualTo(again.naturalKey());
    assertThat(first.facts().getReason()).isEqualTo("STANDARD_SALE step reserve completed");
  }

  @Test
  void aCompensationCarriesWhyAsItsReasonWithControlCharactersBlankedAndCutToTheAllowedLength() {
    String why = "step pay-0 failed after 3 attempt(s): gateway said\nno\u0000 " + "x".repeat(600);

    EventDraft d = SagaEventLog.draft(new Transition("saga-1", SagaType.STANDARD_SALE,
        EventType.SAGA_COMPENSATION_TRIGGERED, "", why, T), SALE, SUBJECT);

    assertThat(d.facts().getReason()).startsWith("step pay-0 failed after 3 attempt(s): gateway said no  xxx")
        .hasSize(Texts.MAX_TEXT);
    assertThat(Texts.text("reason", d.facts().getReason(), Texts.MAX_TEXT)).isNull();
  }

  @Test
  void aReasonCutInsideASurrogatePairKeepsThePairWholeOrLeavesItOut() {
    String text = "a".repeat(Texts.MAX_TEXT - 1) + "\uD83D\uDE00" + "tail";

    String reason = SagaEventLog.reason(text);

    assertThat(reason).hasSize(Texts.MAX_TEXT - 1).isEqualTo("a".repeat(Texts.MAX_TEXT - 1));
    assertThat(SagaEventLog.reason("ok \uD83D\uDE00")).isEqualTo("ok \uD83D\uDE00");
  }
}
