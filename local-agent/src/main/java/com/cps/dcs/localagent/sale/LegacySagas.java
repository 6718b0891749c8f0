package com.cps.dcs.localagent.sale;

import com.cps.dcs.kernel.saga.SagaRecord;
import com.cps.dcs.kernel.saga.SagaRecord.StepRecord;
import com.cps.dcs.localagent.saga.StepEffects;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.proto.pos.v1.PendingRefund;
import com.cps.dcs.proto.pos.v1.RefundRequest;
import com.cps.dcs.proto.pos.v1.SagaStatus;
import com.cps.dcs.proto.pos.v1.SaleSagaRecord;
import com.cps.dcs.proto.v4.SagaState;
import com.cps.dcs.proto.v4.SagaStepState;
import com.cps.dcs.proto.v4.SagaType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sagas an agent wrote before the saga engine ran sales and refunds ({@code SaleSagaRecord} documents, pending
 * refunds), carried over once into the engine's store at start: a retry of an old checkout or refund id answers as
 * before, and an unfinished one is resumed by the engine from where it stood. Each carried saga's step effects are
 * recorded first, then the saga, then the old document is emptied: a stop anywhere in between redoes the same
 * idempotent writes at the next start.
 */
final class LegacySagas {
  private static final Logger log = LoggerFactory.getLogger(LegacySagas.class);

  private LegacySagas() {}

  /** Carries over every old sale saga; returns how many. */
  static int carrySales(LocalStore store, Instant now) {
    int carried = 0;
    for (byte[] b : store.documents(SaleRecords.SAGAS)) {
      if (b.length == 0) {
        continue;
      }
      SaleSagaRecord old = SaleRecords.parse(SaleSagaRecord.parser(), b);
      if (old.getStatus() == SagaStatus.SAGA_STATUS_UNSPECIFIED) {
        log.warn("old sale saga {} has no status; left as it is", old.getSagaId());
        continue;
      }
      SagaRecord saga = sale(old, now);
      SaleSagaRecord context = StandardSale.CODEC.decode(saga.context());
      store.transaction(tx -> {
        for (StepRecord s : saga.steps()) {
          if (s.state() == SagaStepState.STEP_COMPLETED || old.getCompletedStepsList().contains(oldName(s.name()))) {
            StepEffects.recordDone(tx, saga.sagaId(), s.name(), context.toByteArray());
          }
          if (s.state() == SagaStepState.STEP_COMPENSATED) {
            StepEffects.recordUndone(tx, saga.sagaId(), s.name());
          }
        }
        failedTender(old).ifPresent(f -> tx.putDocument(StepRefusal.COLLECTION, saga.sagaId(), new StepRefusal(
            StandardSale.pay(f), old.getFailureCode().equals("GATEWAY_UNAVAILABLE") ? SaleFailure.Kind.UNAVAILABLE
                : SaleFailure.Kind.PRECONDITION, "tenders[" + f + "]", old.getFailureCode(),
            old.getFailureMessage()).encode()));
        return null;
      });
      store.sagas().create(saga);
      store.transaction(tx -> {
        tx.putDocument(SaleRecords.SAGAS, old.getSagaId(), new byte[0]);
        return null;
      });
      carried++;
    }
    if (carried > 0) {
      log.info("carried {} sale saga(s) of an earlier version over to the saga engine", carried);
    }
    return carried;
  }

  /** Carries over every refund an earlier version left pending; returns how many. */
  static int carryRefunds(LocalStore store, Instant now) {
    int carried = 0;
    for (byte[] b : store.documents(SaleRecords.PENDING_REFUNDS)) {
      if (b.length == 0) {
        continue;
      }
      PendingRefund p = SaleRecords.parse(PendingRefund.parser(), b);
      RefundProcessing.Context context = new RefundProcessing.Context(RefundRequest.newBuilder()
          .setRefundId(p.getRefundId()).setSaleId(p.getSaleId()).setReason(p.getReason()).build(), p);
      String sagaId = UUID.nameUUIDFromBytes(("legacy-refund:" + p.getRefundId()).getBytes(StandardCharsets.UTF_8))
          .toString();
      byte[] encoded = RefundProcessing.CODEC.encode(context);
      store.transaction(tx -> {
        StepEffects.recordDone(tx, sagaId, RefundProcessing.RESERVE, encoded);
        tx.putDocument(SaleRecords.REFUND_SAGAS, p.getRefundId(), sagaId.getBytes(StandardCharsets.UTF_8));
        return null;
      });
      store.sagas().create(new SagaRecord(sagaId, SagaType.REFUND_PROCESSING, SagaState.SAGA_RUNNING,
          List.of(new StepRecord(RefundProcessing.RESERVE, SagaStepState.STEP_COMPLETED, 1, ""),
              new StepRecord(RefundProcessing.PAY_BACK, SagaStepState.STEP_PENDING, 0, ""),
              new StepRecord(RefundProcessing.POST, SagaStepState.STEP_PENDING, 0, "")),
          encoded, now, now, now.plus(RefundProcessing.Limits.BRANCH.deadline()), "", false, 0));
      store.transaction(tx -> {
        tx.putDocument(SaleRecords.PENDING_REFUNDS, p.getRefundId(), new byte[0]);
        return null;
      });
      carried++;
    }
    if (carried > 0) {
      log.info("carried {} pending refund(s) of an earlier version over to the saga engine", carried);
    }
    return carried;
  }

  /**
   * The engine's record of an old sale saga. Running: its recorded steps completed, the rest pending. Completed:
   * every step completed. Compensated (a payment failed): the steps up to the failed payment compensated.
   */
  static SagaRecord sale(SaleSagaRecord old, Instant now) {
    int tenders = old.getReceipt().getTendersCount();
    List<String> names = new ArrayList<>();
    names.add(StandardSale.RESERVE);
    for (int i = 0; i < tenders; i++) {
      names.add(StandardSale.pay(i));
    }
    names.add(StandardSale.COMPLETE);
    int failed = failedTender(old).orElse(-1);
    List<StepRecord> steps = new ArrayList<>();
    for (String name : names) {
      boolean done = old.getStatus() == SagaStatus.SAGA_STATUS_COMPLETED
          || old.getCompletedStepsList().contains(oldName(name));
      SagaStepState state = !done ? SagaStepState.STEP_PENDING
          : old.getStatus() == SagaStatus.SAGA_STATUS_COMPENSATED ? SagaStepState.STEP_COMPENSATED
          : SagaStepState.STEP_COMPLETED;
      String error = "";
      if (failed >= 0 && name.equals(StandardSale.pay(failed))) {
        state = SagaStepState.STEP_COMPENSATED;
        error = old.getFailureCode() + ": " + old.getFailureMessage();
      }
      steps.add(new StepRecord(name, state, state == SagaStepState.STEP_PENDING ? 0 : 1, error));
    }
    SagaState state = switch (old.getStatus()) {
      case SAGA_STATUS_COMPLETED -> SagaState.SAGA_COMPLETED;
      case SAGA_STATUS_COMPENSATED -> SagaState.SAGA_COMPENSATED;
      default -> SagaState.SAGA_RUNNING;
    };
    String failure = failed < 0 ? "" : "step " + StandardSale.pay(failed) + " failed: " + old.getFailureCode()
        + ": " + old.getFailureMessage();
    byte[] context = old.toBuilder().clearStatus().clearCompletedSteps().clearFailureCode().clearFailureMessage()
        .build().toByteArray();
    Duration deadline = StandardSale.Limits.BRANCH.deadline();
    return new SagaRecord(old.getSagaId(), SagaType.STANDARD_SALE, state, steps, context, now, now,
        now.plus(deadline), failure, false, 0);
  }

  /** The tender whose payment failed, for a compensated old sale: the first not paid. */
  private static Optional<Integer> failedTender(SaleSagaRecord old) {
    if (old.getStatus() != SagaStatus.SAGA_STATUS_COMPENSATED) {
      return Optional.empty();
    }
    for (int i = 0; i < old.getReceipt().getTendersCount(); i++) {
      if (!old.getCompletedStepsList().contains("pay:" + i)) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  /** A step's name as an earlier version recorded it ("pay:0" for "pay-0"). */
  private static String oldName(String step) {
    return step.startsWith("pay-") ? "pay:" + step.substring(4) : step;
  }
}
