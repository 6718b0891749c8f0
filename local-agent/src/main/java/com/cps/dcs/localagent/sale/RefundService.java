package com.cps.dcs.localagent.sale;

import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.kernel.saga.SagaDefinition;
import com.cps.dcs.kernel.saga.SagaEngine;
import com.cps.dcs.kernel.saga.SagaRecord;
import com.cps.dcs.localagent.payment.PaymentPort;
import com.cps.dcs.localagent.saga.SagaEventLog;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.till.TillService;
import com.cps.dcs.proto.pos.v1.PendingRefund;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.RefundReceipt;
import com.cps.dcs.proto.pos.v1.RefundRequest;
import com.cps.dcs.proto.pos.v1.Role;
import com.cps.dcs.proto.pos.v1.SignInSession;
import com.cps.dcs.proto.pos.v1.TillSession;
import com.cps.dcs.proto.v4.SagaState;
import com.cps.dcs.proto.v4.SagaType;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refunds, whole or by line, each a {@code REFUND_PROCESSING} saga ({@link RefundProcessing}) on the kernel's saga
 * engine, idempotent on the refund id. The refunds of one sale are serialized (one lock per sale), and what is still
 * refundable is decided inside the transaction that reserves it on the sale: however many refunds race, together
 * they never return more than was sold. A card refund is asked of the gateway only once its reservation is persisted,
 * with the refund id as its reference (the gateway is idempotent per reference); a gateway that does not answer
 * leaves the refund pending, retried by a call with the same refund id or by the next start, so a card is never
 * refunded twice.
 */
public final class RefundService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RefundService.class);

  private final LocalStore store;
  private final TillService tills;
  private final KeyedLocks sales = new KeyedLocks();
  private final ExecutorService stepThreads = Executors.newVirtualThreadPerTaskExecutor();
  private final SagaEngine engine;
  private final SagaDefinition<RefundProcessing.Context> definition;
  private final InstantSource time;

  public RefundService(LocalStore store, TillService tills, PaymentPort payments, InstantSource time) {
    this.store = store;
    this.tills = tills;
    this.time = time;
    this.engine = new SagaEngine(store.sagas(), new SagaEventLog(store, store.sagas(), RefundProcessing::subject),
        time, Thread::sleep, stepThreads);
    this.definition = RefundProcessing.definition(new RefundSteps(store, tills, payments),
        RefundProcessing.Limits.BRANCH);
  }

  /** Bounds are checked at the edge ({@code PosInputs}). */
  public RefundReceipt refund(SignInSession cashier, RefundRequest r) {
    Optional<RefundReceipt> done = SaleRecords.refund(store, r.getRefundId());
    if (done.isPresent()) {
      return done.get().toBuilder().setDuplicate(true).build();
    }
    Receipt sale = sale(r);
    boolean pending = SaleRecords.sagaIdOfRefund(store, r.getRefundId()).flatMap(id -> store.sagas().find(id))
        .filter(s -> !s.finished()).isPresent();
    if (!pending) { // a pending refund holds its quantities already: it is carried on as first asked
      RefundPlan.of(sale, r.getLinesList()); // an early answer, before the PIN; decided again when reserving
    }
    TillSession till = tills.openTill(store, cashier.getCashierId()).orElseThrow(() -> new SaleFailure(
        SaleFailure.Kind.PRECONDITION, "till", "open a till before refunding"));
    String approvedBy = cashier.getRole() == Role.ROLE_MANAGER ? cashier.getCashierId() : "";
    if (approvedBy.isEmpty()) {
      if (!r.hasApproval()) {
        throw new SaleFailure(SaleFailure.Kind.APPROVAL_REQUIRED, "approval", "a refund needs a manager's approval");
      }
      // last: a wrong and a right PIN on a bad request answer alike, so the PIN is no oracle
      approvedBy = tills.approveAsManager(r.getApproval().getManagerId(), r.getApproval().getPin(),
          till.getTillId());
    }
    PendingRefund asked = PendingRefund.newBuilder().setRefundId(r.getRefundId()).setSaleId(sale.getSaleId())
        .setTillSessionId(till.getTillSessionId()).setCashierId(cashier.getCashierId()).setApprovedBy(approvedBy)
        .setReason(r.getReason().isBlank() ? "refund" : r.getReason()).build();
    RefundProcessing.Context context = new RefundProcessing.Context(r.toBuilder().clearSessionToken()
        .clearApproval().build(), asked);
    return sales.with(sale.getSaleId(), () -> refundAlone(context));
  }

  /** Under the sale's lock: the refund id's saga carried on, or a new one started. */
  private RefundReceipt refundAlone(RefundProcessing.Context context) {
    String refundId = context.refund().getRefundId();
    Optional<RefundReceipt> done = SaleRecords.refund(store, refundId);
    if (done.isPresent()) {
      return done.get().toBuilder().setDuplicate(true).build();
    }
    Optional<String> bound = SaleRecords.sagaIdOfRefund(store, refundId);
    Optional<SagaRecord> existing = bound.flatMap(id -> store.sagas().find(id));
    if (existing.isPresent() && !existing.get().finished()) {
      return outcome(engine.resume(definition, existing.get()));
    }
    if (existing.isPresent() && existing.get().state() == SagaState.SAGA_STATE_FAILED) {
      return outcome(existing.get());
    }
    // none yet, or one that was compensated (declined, refused): this call is a new attempt
    String sagaId = UuidV7.next().toString();
    String claimed = store.transaction(tx -> {
      Optional<String> now = SaleRecords.sagaIdOfRefund(tx, refundId);
      if (now.isPresent() && !now.equals(bound)) {
        return now.get();
      }
      tx.putDocument(SaleRecords.REFUND_SAGAS, refundId, sagaId.getBytes(StandardCharsets.UTF_8));
      return sagaId;
    });
    if (!claimed.equals(sagaId)) { // another path bound this refund id first
      SagaRecord other = store.sagas().find(claimed).orElseThrow();
      return outcome(other.finished() ? other : engine.resume(definition, other));
    }
    return outcome(engine.start(definition, sagaId, context));
  }

  /** What the cashier is answered for a refund saga as it stands: the refund receipt once posted, else why not. */
  private RefundReceipt outcome(SagaRecord saga) {
    String refundId = RefundProcessing.CODEC.decode(saga.context()).refund().getRefundId();
    Optional<RefundReceipt> posted = SaleRecords.refund(store, refundId);
    if (posted.isPresent()) {
      return posted.get();
    }
    Optional<StepRefusal> refusal = StepRefusal.of(store, saga);
    throw switch (saga.state()) {
      case SAGA_COMPENSATED, SAGA_TIMED_OUT -> refusal.map(r -> r.failure("")).orElseGet(() -> new SaleFailure(
          SaleFailure.Kind.UNAVAILABLE, "refund", "the refund could not be completed (" + saga.failure()
              + "); nothing was paid back"));
      case SAGA_STATE_FAILED -> new SaleFailure(SaleFailure.Kind.UNAVAILABLE, "refund",
          "the refund needs an operator: " + saga.failure());
      default -> refusal.filter(r -> r.kind() == SaleFailure.Kind.UNAVAILABLE).map(r -> r.failure(""))
          .orElseGet(() -> new SaleFailure(SaleFailure.Kind.UNAVAILABLE, "refund",
              "the refund is still in progress; retry with the same refund id"));
    };
  }

  /**
   * Carries on refunds a stop interrupted or left pending, a card refund asked again with the same reference (those
   * an earlier version left pending carried over to the engine first).
   */
  public int recover() {
    LegacySagas.carryRefunds(store, time.instant());
    int resumed = 0;
    for (SagaRecord saga : store.sagas().unfinished()) {
      if (saga.type() != SagaType.REFUND_PROCESSING) {
        continue;
      }
      PendingRefund p = RefundProcessing.CODEC.decode(saga.context()).refund();
      try {
        SagaRecord after = sales.with(p.getSaleId(), () -> store.sagas().find(saga.sagaId())
            .filter(s -> !s.finished()).map(s -> engine.resume(definition, s)).orElse(saga));
        if (after.finished()) {
          resumed++;
        } else {
          log.warn("refund {} of sale {} is still open: {}", p.getRefundId(), p.getSaleId(),
              after.steps().stream().map(s -> s.name() + " " + s.lastError()).toList());
        }
      } catch (RuntimeException e) {
        log.warn("refund saga {} of refund {} could not be resumed: {}", saga.sagaId(), p.getRefundId(), e.toString());
      }
    }
    return resumed;
  }

  /** Stops the threads steps run on (a saga cut short stays as persisted, for the next start). */
  @Override
  public void close() {
    stepThreads.shutdownNow();
  }

  private Receipt sale(RefundRequest r) {
    String id = r.getSaleId();
    if (id.isEmpty()) {
      id = SaleRecords.saleOfReceiptNumber(store, r.getReceiptNumber()).orElseThrow(() -> new SaleFailure(
          SaleFailure.Kind.NOT_FOUND, "receipt_number", "no sale with receipt number " + r.getReceiptNumber()));
    }
    String sid = id;
    return SaleRecords.receipt(store, id).orElseThrow(() -> new SaleFailure(SaleFailure.Kind.NOT_FOUND, "sale_id",
        "no completed sale " + sid));
  }
}
