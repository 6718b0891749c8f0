package com.cps.dcs.localagent.sale;

import com.cps.dcs.kernel.saga.ContextCodec;
import com.cps.dcs.kernel.saga.SagaDefinition;
import com.cps.dcs.kernel.saga.SagaDefinition.Retry;
import com.cps.dcs.kernel.saga.SagaRecord;
import com.cps.dcs.kernel.saga.StepAttempt;
import com.cps.dcs.localagent.saga.SagaEventLog;
import com.cps.dcs.proto.pos.v1.SaleSagaRecord;
import com.cps.dcs.proto.v4.SagaType;
import java.time.Duration;

/**
 * The {@code STANDARD_SALE} saga, declared on the kernel's saga engine:
 * <ol>
 *   <li>{@code reserve}: the sale begins, its receipt number is taken and its stock reserved; undone by releasing
 *       the reservations and rejecting the sale;</li>
 *   <li>{@code pay-0} .. {@code pay-n}: each tender in order, authorized and captured at the gateway (cash needs no
 *       gateway) and recorded; undone by voiding a recorded payment, or by recording a failed one as failed;</li>
 *   <li>{@code complete}: stock sold, sale completed, ledger posted, till and counters updated; a completed sale is
 *       never undone (it is refunded), so its compensation refuses when it took effect.</li>
 * </ol>
 * The context is the sale as a {@link SaleSagaRecord}: the request without secrets, the priced receipt and the
 * sealed tokens; the steps add the receipt number, each tender's authorization code and the completed receipt.
 */
final class StandardSale {
  static final String RESERVE = "reserve";
  static final String COMPLETE = "complete";

  private StandardSale() {}

  static String pay(int tender) {
    return "pay-" + tender;
  }

  /** What the steps do: {@link SaleSteps} at the branch (SQLite and the card gateway); fakes in tests. */
  interface Participants {
    SaleSagaRecord reserve(SaleSagaRecord sale, StepAttempt a);

    void release(SaleSagaRecord sale, StepAttempt a);

    SaleSagaRecord pay(SaleSagaRecord sale, int tender, StepAttempt a);

    void voidPayment(SaleSagaRecord sale, int tender, StepAttempt a);

    SaleSagaRecord complete(SaleSagaRecord sale, StepAttempt a);

    /** Refuses when the sale completed: a completed sale is refunded, never undone. */
    void undoComplete(SaleSagaRecord sale, StepAttempt a);
  }

  /**
   * How long a sale may take: its deadline, and the timeout and attempts of its local steps (one SQLite
   * transaction each) and of its gateway steps.
   */
  record Limits(Duration deadline, Duration localTimeout, Retry localRetry, Duration gatewayTimeout,
      Retry gatewayRetry) {
    /** At the branch. A sale not completed within 15 minutes (the agent was down) is compensated when resumed. */
    static final Limits BRANCH = new Limits(Duration.ofMinutes(15), Duration.ofSeconds(30),
        new Retry(3, Duration.ofMillis(50), Duration.ofSeconds(1)), Duration.ofSeconds(20),
        new Retry(3, Duration.ofMillis(200), Duration.ofSeconds(2)));
  }

  static final ContextCodec<SaleSagaRecord> CODEC = new ContextCodec<>() {
    @Override
    public byte[] encode(SaleSagaRecord sale) {
      return sale.toByteArray();
    }

    @Override
    public SaleSagaRecord decode(byte[] bytes) {
      return SaleRecords.parse(SaleSagaRecord.parser(), bytes);
    }
  };

  /** The declaration for a sale of {@code tenders} tenders. */
  static SagaDefinition<SaleSagaRecord> definition(int tenders, Participants p, Limits limits) {
    SagaDefinition.Builder<SaleSagaRecord> b = SagaDefinition.of(SagaType.STANDARD_SALE, CODEC, limits.deadline())
        .step(RESERVE, p::reserve).compensatedBy(p::release)
        .timeout(limits.localTimeout()).retry(limits.localRetry());
    for (int i = 0; i < tenders; i++) {
      int tender = i;
      b.step(pay(i), (sale, a) -> p.pay(sale, tender, a)).compensatedBy((sale, a) -> p.voidPayment(sale, tender, a))
          .timeout(limits.gatewayTimeout()).retry(limits.gatewayRetry());
    }
    return b.step(COMPLETE, p::complete).compensatedBy(p::undoComplete)
        .timeout(limits.localTimeout()).retry(limits.localRetry()).build();
  }

  /** The declaration a stored sale saga runs on (its steps are reserve, one per tender, complete). */
  static SagaDefinition<SaleSagaRecord> definitionOf(SagaRecord saga, Participants p, Limits limits) {
    return definition(saga.steps().size() - 2, p, limits);
  }

  /** What a sale saga's events are about: the sale, its cashier and approver, receipt and till session. */
  static SagaEventLog.Subject subject(byte[] context) {
    SaleSagaRecord sale = CODEC.decode(context);
    return new SagaEventLog.Subject(sale.getSaleId(), sale.getCashierId(), sale.getApprovedBy(),
        sale.getReceipt().getReceiptNumber(), sale.getTillSessionId());
  }
}
