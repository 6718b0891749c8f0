package com.cps.dcs.localagent.sale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.kernel.saga.PermanentFailure;
import com.cps.dcs.kernel.saga.SagaDefinition;
import com.cps.dcs.kernel.saga.SagaDefinition.Retry;
import com.cps.dcs.kernel.saga.SagaRecord;
import com.cps.dcs.kernel.saga.StepAttempt;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.SaleSagaRecord;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.pos.v1.TenderResult;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SagaState;
import com.cps.dcs.proto.v4.SagaType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code STANDARD_SALE} declaration on the kernel's saga engine, with the branch's participants replaced by a
 * fake that records what it is sent: given a sale and how its gateway and ledger behave, when the saga runs, then
 * these steps and compensations are sent, in this order, with these waits and transitions.
 */
class StandardSaleTest {
  /** What the gateway does with a tender. */
  enum Gateway { APPROVES, DECLINES, IS_SILENT, HANGS }

  /** The branch's participants as a fake: every call recorded as "step#attempt" or "undo step ...". */
  static final class FakeBranch implements StandardSale.Participants {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final Map<Integer, Gateway> gateway = new ConcurrentHashMap<>();
    volatile boolean ledgerFails;

    @Override
    public SaleSagaRecord reserve(SaleSagaRecord sale, StepAttempt a) {
      calls.add(a.step() + "#" + a.attempt());
      return sale.toBuilder().setReceipt(sale.getReceipt().toBuilder().setReceiptNumber("B1-000042")).build();
    }

    @Override
    public void release(SaleSagaRecord sale, StepAttempt a) {
      calls.add("undo reserve of " + sale.getReceipt().getReceiptNumber());
    }

    @Override
    public SaleSagaRecord pay(SaleSagaRecord sale, int tender, StepAttempt a) {
      calls.add(a.step() + "#" + a.attempt() + " key " + a.idempotencyKey());
      switch (gateway.getOrDefault(tender, Gateway.APPROVES)) {
        case DECLINES -> throw new PermanentFailure("card declined: insufficient funds");
        case IS_SILENT -> throw new IllegalStateException("the card gateway did not answer");
        case HANGS -> sleep(Duration.ofMinutes(1));
        default -> { }
      }
      Receipt r = sale.getReceipt();
      return sale.toBuilder().setReceipt(r.toBuilder().setTenders(tender, r.getTenders(tender).toBuilder()
          .setAuthorizationCode("AUTH-" + tender))).build();
    }

    @Override
    public void voidPayment(SaleSagaRecord sale, int tender, StepAttempt a) {
      calls.add("undo " + a.step() + " auth '" + sale.getReceipt().getTenders(tender).getAuthorizationCode() + "'");
    }

    @Override
    public SaleSagaRecord complete(SaleSagaRecord sale, StepAttempt a) {
      calls.add(a.step() + "#" + a.attempt());
      if (ledgerFails) {
        throw new IllegalStateException("the ledger posting failed");
      }
      return sale.toBuilder().setReceipt(sale.getReceipt().toBuilder().setReceiptHash("HASH")).build();
    }

    @Override
    public void undoComplete(SaleSagaRecord sale, StepAttempt a) {
      calls.add("undo complete");
    }

    private static void sleep(Duration d) {
      try {
        Thread.sleep(d);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  final SagaHarness saga = new SagaHarness();
  final FakeBranch branch = new FakeBranch();
  static final StandardSale.Limits FAST = new StandardSale.Limits(Duration.ofMinutes(15), Duration.ofSeconds(5),
      new Retry(3, Duration.ofMillis(50), Duration.ofSeconds(1)), Duration.ofMillis(200),
      new Retry(3, Duration.ofMillis(200), Duration.ofSeconds(2)));

  @AfterEach
  void stop() {
    saga.close();
  }

  /** A sale of 10.00 paid with {@code tenders}. */
  static SaleSagaRecord sale(TenderMethod... tenders) {
    Receipt.Builder r = Receipt.newBuilder().setSaleId("sale-1").setTotalMinor(1000).setCurrency("EUR");
    for (TenderMethod m : tenders) {
      r.addTenders(TenderResult.newBuilder().setMethod(m).setAmountMinor(1000 / tenders.length));
    }
    return SaleSagaRecord.newBuilder().setSagaId("saga-1").setCheckoutId("co-1").setSaleId("sale-1")
        .setReceipt(r).build();
  }

  SagaRecord run(SaleSagaRecord sale) {
    return saga.engine().start(StandardSale.definition(sale.getReceipt().getTendersCount(), branch, FAST),
        sale.getSagaId(), sale);
  }

  @Test
  void givenACardAndACashTenderWhenTheSaleRunsThenItReservesPaysEachTenderInOrderAndCompletes() {
    SagaRecord r = run(sale(TenderMethod.TENDER_CARD, TenderMethod.TENDER_CASH));

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPLETED);
    assertThat(branch.calls).containsExactly("reserve#1", "pay-0#1 key saga-1:pay-0", "pay-1#1 key saga-1:pay-1",
        "complete#1");
    SaleSagaRecord done = StandardSale.CODEC.decode(r.context());
    assertThat(done.getReceipt().getReceiptNumber()).isEqualTo("B1-000042");
    assertThat(done.getReceipt().getTendersList()).extracting(TenderResult::getAuthorizationCode)
        .containsExactly("AUTH-0", "AUTH-1");
    assertThat(done.getReceipt().getReceiptHash()).isEqualTo("HASH");
    assertThat(saga.events()).containsExactly(EventType.SAGA_INITIATED, EventType.SAGA_STEP_COMPLETED,
        EventType.SAGA_STEP_COMPLETED, EventType.SAGA_STEP_COMPLETED, EventType.SAGA_STEP_COMPLETED,
        EventType.SAGA_SUCCEEDED);
  }

  @Test
  void givenTheSecondCardIsDeclinedThenNothingIsRetriedAndTheFirstIsVoidedBeforeTheStockIsReleased() {
    branch.gateway.put(1, Gateway.DECLINES);

    SagaRecord r = run(sale(TenderMethod.TENDER_MOBILE, TenderMethod.TENDER_CARD));

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPENSATED);
    assertThat(r.failure()).contains("pay-1").contains("card declined");
    assertThat(branch.calls).containsExactly("reserve#1", "pay-0#1 key saga-1:pay-0", "pay-1#1 key saga-1:pay-1",
        "undo pay-1 auth ''", "undo pay-0 auth 'AUTH-0'", "undo reserve of B1-000042");
    assertThat(saga.waits).isEmpty();
    assertThat(saga.events()).containsExactly(EventType.SAGA_INITIATED, EventType.SAGA_STEP_COMPLETED,
        EventType.SAGA_STEP_COMPLETED, EventType.SAGA_COMPENSATION_TRIGGERED, EventType.SAGA_COMPENSATION_COMPLETED);
  }

  @Test
  void givenAGatewayThatDoesNotAnswerThenThePaymentIsRetriedWithGrowingBackOffUnderOneKeyThenCompensated() {
    branch.gateway.put(0, Gateway.IS_SILENT);

    SagaRecord r = run(sale(TenderMethod.TENDER_CARD));

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPENSATED);
    assertThat(branch.calls).containsExactly("reserve#1", "pay-0#1 key saga-1:pay-0", "pay-0#2 key saga-1:pay-0",
        "pay-0#3 key saga-1:pay-0", "undo pay-0 auth ''", "undo reserve of B1-000042");
    assertThat(saga.waits).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400));
  }

  @Test
  void givenThePostingFailsThenItIsRetriedThenEveryPaymentIsVoidedAndTheStockReleasedInReverse() {
    branch.ledgerFails = true;

    SagaRecord r = run(sale(TenderMethod.TENDER_CARD, TenderMethod.TENDER_MOBILE));

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPENSATED);
    assertThat(r.failure()).contains("complete").contains("the ledger posting failed");
    assertThat(branch.calls).containsExactly("reserve#1", "pay-0#1 key saga-1:pay-0", "pay-1#1 key saga-1:pay-1",
        "complete#1", "complete#2", "complete#3", "undo complete", "undo pay-1 auth 'AUTH-1'",
        "undo pay-0 auth 'AUTH-0'", "undo reserve of B1-000042");
    assertThat(saga.waits).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
  }

  @Test
  void givenAGatewayThatHangsThenEachAttemptTimesOutAndTheSaleIsCompensated() {
    branch.gateway.put(0, Gateway.HANGS);

    SagaRecord r = run(sale(TenderMethod.TENDER_CARD));

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPENSATED);
    assertThat(r.steps().get(1).attempts()).isEqualTo(3);
    assertThat(r.steps().get(1).lastError()).isEqualTo("timed out after 200 ms");
    assertThat(branch.calls).endsWith("undo pay-0 auth ''", "undo reserve of B1-000042");
  }

  @Test
  void givenTheAgentIsKilledAfterTheFirstPaymentWhenItRestartsThenTheSaleGoesOnAtTheSecondWithoutPayingTwice() {
    SaleSagaRecord sale = sale(TenderMethod.TENDER_CARD, TenderMethod.TENDER_CARD);
    // writes: created, running, reserve executing, reserve done, pay-0 executing, pay-0 done; then the power goes
    saga.store.cutPowerAfter(6);
    assertThatThrownBy(() -> run(sale)).isInstanceOf(MemorySagaStore.PowerCut.class);
    assertThat(branch.calls).containsExactly("reserve#1", "pay-0#1 key saga-1:pay-0");

    saga.store.restorePower();
    SagaRecord stored = saga.store.unfinished().get(0);
    SagaRecord r = saga.engine().resume(StandardSale.definitionOf(stored, branch, FAST), stored);

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPLETED);
    assertThat(branch.calls).containsExactly("reserve#1", "pay-0#1 key saga-1:pay-0", "pay-1#1 key saga-1:pay-1",
        "complete#1");
    assertThat(StandardSale.CODEC.decode(r.context()).getReceipt().getTenders(0).getAuthorizationCode())
        .isEqualTo("AUTH-0");
  }

  @Test
  void givenTheAgentWasKilledMidPaymentThenTheResumedSagaRunsThatPaymentAgainUnderTheSameKey() {
    SaleSagaRecord sale = sale(TenderMethod.TENDER_CARD);
    saga.store.cutPowerAfter(5); // pay-0 is persisted as executing, ran, and its completion never reached the disk
    assertThatThrownBy(() -> run(sale)).isInstanceOf(MemorySagaStore.PowerCut.class);

    saga.store.restorePower();
    SagaRecord stored = saga.store.unfinished().get(0);
    SagaRecord r = saga.engine().resume(StandardSale.definitionOf(stored, branch, FAST), stored);

    assertThat(r.state()).isEqualTo(SagaState.SAGA_COMPLETED);
    assertThat(branch.calls).containsExactly("reserve#1", "pay-0#1 key saga-1:pay-0", "pay-0#2 key saga-1:pay-0",
        "complete#1");
  }

  @Test
  void givenAnInterruptedSaleResumedAfterItsDeadlineThenItIsCompensatedAndExpires() {
    SaleSagaRecord sale = sale(TenderMethod.TENDER_CARD);
    saga.store.cutPowerAfter(6);
    assertThatThrownBy(() -> run(sale)).isInstanceOf(MemorySagaStore.PowerCut.class);

    saga.store.restorePower();
    saga.later(Duration.ofMinutes(16)); // the agent stayed down longer than a sale may take
    SagaRecord stored = saga.store.unfinished().get(0);
    SagaRecord r = saga.engine().resume(StandardSale.definitionOf(stored, branch, FAST), stored);

    assertThat(r.state()).isEqualTo(SagaState.SAGA_TIMED_OUT);
    assertThat(branch.calls).containsExactly("reserve#1", "pay-0#1 key saga-1:pay-0", "undo pay-0 auth 'AUTH-0'",
        "undo reserve of B1-000042");
    assertThat(saga.events()).endsWith(EventType.SAGA_COMPENSATION_COMPLETED, EventType.SAGA_EXPIRED);
  }

  @Test
  void theBranchDeclaresOneStepPerTenderBetweenReserveAndCompleteWithGatewayLimitsOnPayments() {
    SagaDefinition<SaleSagaRecord> def = StandardSale.definition(3, branch, StandardSale.Limits.BRANCH);

    assertThat(def.type()).isEqualTo(SagaType.STANDARD_SALE);
    assertThat(def.deadline()).isEqualTo(Duration.ofMinutes(15));
    assertThat(def.steps()).extracting(SagaDefinition.Step::name)
        .containsExactly("reserve", "pay-0", "pay-1", "pay-2", "complete");
    assertThat(def.steps()).extracting(SagaDefinition.Step::timeout).containsExactly(Duration.ofSeconds(30),
        Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(30));
    assertThat(def.steps()).allSatisfy(s -> assertThat(s.retry().maxAttempts()).isEqualTo(3));
  }
}
