package com.cps.dcs.localagent.sale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.kernel.saga.InDoubt;
import com.cps.dcs.kernel.saga.PermanentFailure;
import com.cps.dcs.kernel.saga.SagaDefinition;
import com.cps.dcs.kernel.saga.SagaDefinition.Retry;
import com.cps.dcs.kernel.saga.SagaRecord;
import com.cps.dcs.kernel.saga.StepAttempt;
import com.cps.dcs.proto.pos.v1.PendingRefund;
import com.cps.dcs.proto.pos.v1.RefundLine;
import com.cps.dcs.proto.pos.v1.RefundReceipt;
import com.cps.dcs.proto.pos.v1.RefundRequest;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SagaState;
import com.cps.dcs.proto.v4.SagaStepState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code REFUND_PROCESSING} declaration on the kernel's saga engine, with the branch's participants replaced by a
 * fake that records what it is sent: given a refund and how the gateway and ledger behave, when the saga runs, then
 * these steps and compensations are sent, in this order, and the saga ends so.
 */
class RefundProcessingTest {
  /** What the gateway answers a card refund. */
  enum Gateway { PAYS_BACK, DECLINES, IS_SILENT }

  /** The branch's participants as a fake; its compensations behave as the branch's do (see RefundSteps). */
  static final class FakeBranch implements RefundProcessing.Participants {
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile TenderMethod method = TenderMethod.TENDER_CARD;
    volatile Gateway gateway = Gateway.PAYS_BACK;
    volatile boolean ledgerFails;
    volatile boolean paidBack;

    @Override
    public RefundProcessing.Context reserve(RefundProcessing.Context c, StepAttempt a) {
      calls.add(a.step() + "#" + a.attempt());
      return new RefundProcessing.Context(c.asked(), c.refund().toBuilder().setDraft(RefundReceipt.newBuilder()
          .setRefundId(c.refund().getRefundId()).setRefundedMinor(238).setMethod(method)).build());
    }

    @Override
    public void release(RefundProcessing.Context c, StepAttempt a) {
      calls.add("undo reserve of " + c.refund().getDraft().getRefundedMinor());
    }

    @Override
    public RefundProcessing.Context payBack(RefundProcessing.Context c, StepAttempt a) {
      if (c.refund().getDraft().getMethod() == TenderMethod.TENDER_CASH) {
        calls.add(a.step() + "#" + a.attempt() + " key " + a.idempotencyKey() + " (cash)");
        return c; // handed over with the receipt: nothing paid back yet
      }
      calls.add(a.step() + "#" + a.attempt() + " key " + a.idempotencyKey());
      switch (gateway) {
        case DECLINES -> throw new PermanentFailure("card refund declined");
        case IS_SILENT -> throw new InDoubt("the card gateway did not answer");
        default -> paidBack = true;
      }
      return c;
    }

    @Override
    public void undoPayBack(RefundProcessing.Context c, StepAttempt a) {
      calls.add("undo pay-back");
      if (paidBack) {
        throw new IllegalStateException("the card refund went through and cannot be taken back");
      }
    }

    @Override
    public RefundProcessing.Context post(RefundProcessing.Context c, StepAttempt a) {
      calls.add(a.step() + "#" + a.attempt());
      if (ledgerFails) {
        throw new IllegalStateException("the ledger reversal failed");
      }
      return c;
    }

    @Override
    public void undoPost(RefundProcessing.Context c, StepAttempt a) {
      calls.add("undo post");
    }
  }

  final SagaHarness saga = new SagaHarness();
  final FakeBranch branch = new FakeBranch();
  static final RefundProcessing.Limits FAST = new RefundProcessing.Limits(Duration.ofDays(1), Duration.ofSeconds(5),
      new Retry(2, Duration.ofMillis(50), Duration.ofSeconds(1)), Duration.ofSeconds(5),
      new Retry(3, Duration.ofMillis(200), Duration.ofSeconds(2)));

  @AfterEach
  void stop() {
    saga.close();
  }

  static RefundProcessing.Context refund() {
    return new RefundProcessing.Context(RefundRequest.newBuilder().setRefundId("rf-1").setSaleId("sale-1")
        .addLines(RefundLine.newBuilder().setProductId("p-milk").setQuantity(2)).build(),
        PendingRefund.newBuilder().setRefundId("rf-1").setSaleId("sale-1").setCashierId("9001").build());
  }

  SagaDefinition<RefundProcessing.Context> declared() {
    return RefundProcessing.definition(branch, FAST);
  }

  SagaRecord run() {
    return saga.engine().start(declared(), "saga-rf-1", refund());
  }

  @Test
  void givenACardRefundWhenItRunsThenTheQuantitiesAreReservedTheCardPaidBackAndTheRefundPosted() {
    SagaRecord r = run();

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPLETED);
    assertThat(branch.calls).containsExactly("reserve#1", "pay-back#1 key saga-rf-1:pay-back", "post#1");
    RefundProcessing.Context done = RefundProcessing.CODEC.decode(r.context());
    assertThat(done.reserved()).isTrue();
    assertThat(done.asked().getLinesList()).extracting(RefundLine::getQuantity).containsExactly(2L);
    assertThat(saga.events()).containsExactly(EventType.SAGA_INITIATED, EventType.SAGA_STEP_COMPLETED,
        EventType.SAGA_STEP_COMPLETED, EventType.SAGA_STEP_COMPLETED, EventType.SAGA_SUCCEEDED);
  }

  @Test
  void givenTheGatewayDeclinesThenTheRefundIsNotRetriedAndItsQuantitiesGoBackToTheSale() {
    branch.gateway = Gateway.DECLINES;

    SagaRecord r = run();

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPENSATED);
    assertThat(branch.calls).containsExactly("reserve#1", "pay-back#1 key saga-rf-1:pay-back", "undo pay-back",
        "undo reserve of 238");
  }

  @Test
  void givenTheGatewayDoesNotAnswerThenTheRefundStaysPendingWithNothingCompensatedUntilAResumePaysItOnce() {
    branch.gateway = Gateway.IS_SILENT;

    SagaRecord pending = run();

    assertThat(pending.finished()).isFalse();
    assertThat(pending.steps().get(1).state()).isEqualTo(SagaStepState.STEP_EXECUTING);
    assertThat(branch.calls).containsExactly("reserve#1", "pay-back#1 key saga-rf-1:pay-back",
        "pay-back#2 key saga-rf-1:pay-back", "pay-back#3 key saga-rf-1:pay-back");
    assertThat(saga.waits).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400));
    assertThat(saga.store.unfinished()).hasSize(1);

    branch.gateway = Gateway.PAYS_BACK; // the cashier retries the refund id, or the agent restarts
    SagaRecord r = saga.engine().resume(declared(), saga.store.unfinished().get(0));

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPLETED);
    assertThat(branch.calls).endsWith("pay-back#4 key saga-rf-1:pay-back", "post#1")
        .doesNotContain("undo reserve of 238");
  }

  @Test
  void givenThePostingFailsAfterTheCardWasPaidBackThenTheReservationIsKeptAndTheSagaAwaitsAnOperator() {
    branch.ledgerFails = true;

    SagaRecord r = run();

    assertThat(r.state()).isEqualTo(SagaState.SAGA_STATE_FAILED);
    assertThat(r.failure()).contains("cannot be taken back").contains("the ledger reversal failed");
    assertThat(branch.calls).containsExactly("reserve#1", "pay-back#1 key saga-rf-1:pay-back", "post#1", "post#2",
        "undo post", "undo pay-back", "undo pay-back", "undo pay-back");
    assertThat(saga.events()).endsWith(EventType.SAGA_COMPENSATION_TRIGGERED, EventType.SAGA_FAILED);
  }

  @Test
  void givenACashRefundWhosePostingFailsThenTheQuantitiesGoBackToTheSale() {
    branch.method = TenderMethod.TENDER_CASH;
    branch.ledgerFails = true;

    SagaRecord r = run();

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPENSATED);
    assertThat(branch.calls).containsExactly("reserve#1", "pay-back#1 key saga-rf-1:pay-back (cash)", "post#1",
        "post#2", "undo post", "undo pay-back", "undo reserve of 238");
  }

  @Test
  void givenTheAgentIsKilledAfterTheReservationWhenItRestartsThenTheRefundGoesOnWithoutReservingTwice() {
    saga.store.cutPowerAfter(4); // created, running, reserve executing, reserve done
    assertThatThrownBy(this::run).isInstanceOf(MemorySagaStore.PowerCut.class);
    assertThat(branch.calls).containsExactly("reserve#1");

    saga.store.restorePower();
    SagaRecord r = saga.engine().resume(declared(), saga.store.unfinished().get(0));

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPLETED);
    assertThat(branch.calls).containsExactly("reserve#1", "pay-back#1 key saga-rf-1:pay-back", "post#1");
  }

  @Test
  void theContextRoundTripsThroughItsCodecWithTheAskedLinesAndTheReservedRefund() {
    RefundProcessing.Context c = branch.reserve(refund(), new StepAttempt("s", "reserve", 1, false));

    RefundProcessing.Context back = RefundProcessing.CODEC.decode(RefundProcessing.CODEC.encode(c));

    assertThat(back).isEqualTo(c);
    assertThat(RefundProcessing.CODEC.decode(RefundProcessing.CODEC.encode(refund())).reserved()).isFalse();
    assertThatThrownBy(() -> RefundProcessing.CODEC.decode(new byte[] {5, 1})).isInstanceOf(
        IllegalStateException.class);
  }
}
