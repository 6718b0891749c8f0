package com.cps.dcs.localagent.sale;

import com.cps.dcs.kernel.saga.ContextCodec;
import com.cps.dcs.kernel.saga.SagaDefinition;
import com.cps.dcs.kernel.saga.SagaDefinition.Retry;
import com.cps.dcs.kernel.saga.StepAttempt;
import com.cps.dcs.localagent.saga.SagaEventLog;
import com.cps.dcs.proto.pos.v1.PendingRefund;
import com.cps.dcs.proto.pos.v1.RefundRequest;
import com.cps.dcs.proto.v4.SagaType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * The {@code REFUND_PROCESSING} saga, declared on the kernel's saga engine:
 * <ol>
 *   <li>{@code reserve}: what is still refundable is decided on the sale as stored and the refunded quantities are
 *       reserved on it; undone by giving them back;</li>
 *   <li>{@code pay-back}: a card refund at the gateway, by the refund id (cash is handed over with the receipt);
 *       a card refund cannot be taken back, so its compensation lets the quantities go only when the gateway
 *       declined, and otherwise refuses (an operator must look). A gateway that does not answer leaves the refund
 *       {@link com.cps.dcs.kernel.saga.InDoubt in doubt}: pending, tried again by a retry or the next start;</li>
 *   <li>{@code post}: the refund's events (payment refunded, stock back, sale reversed or partly refunded, ledger
 *       reversal), the till's cash and the refund receipt, in one transaction; never undone once posted.</li>
 * </ol>
 */
final class RefundProcessing {
  static final String RESERVE = "reserve";
  static final String PAY_BACK = "pay-back";
  static final String POST = "post";

  private RefundProcessing() {}

  /**
   * A refund saga's context: what was asked (no session token, no approval), and the refund as reserved on the sale
   * ({@code refund.draft} set once reserved; before that only who asks, where and why).
   */
  record Context(RefundRequest asked, PendingRefund refund) {
    boolean reserved() {
      return refund.hasDraft();
    }
  }

  /** What the steps do: {@link RefundSteps} at the branch (SQLite and the card gateway); fakes in tests. */
  interface Participants {
    Context reserve(Context refund, StepAttempt a);

    void release(Context refund, StepAttempt a);

    Context payBack(Context refund, StepAttempt a);

    /** Lets the refund go only when nothing was paid back; refuses otherwise. */
    void undoPayBack(Context refund, StepAttempt a);

    Context post(Context refund, StepAttempt a);

    /** Refuses when the refund was posted: a posted refund is never undone. */
    void undoPost(Context refund, StepAttempt a);
  }

  /** The refund's deadline and the timeout and attempts of its local and gateway steps. */
  record Limits(Duration deadline, Duration localTimeout, Retry localRetry, Duration gatewayTimeout,
      Retry gatewayRetry) {
    /** At the branch: a refund whose gateway stays silent waits, reserved, for up to a day. */
    static final Limits BRANCH = new Limits(Duration.ofDays(1), Duration.ofSeconds(30),
        new Retry(3, Duration.ofMillis(50), Duration.ofSeconds(1)), Duration.ofSeconds(20),
        new Retry(3, Duration.ofMillis(200), Duration.ofSeconds(2)));
  }

  static final ContextCodec<Context> CODEC = new ContextCodec<>() {
    @Override
    public byte[] encode(Context c) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try {
        c.asked().writeDelimitedTo(out);
        c.refund().writeDelimitedTo(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toByteArray();
    }

    @Override
    public Context decode(byte[] bytes) {
      try (InputStream in = new ByteArrayInputStream(bytes)) {
        RefundRequest asked = RefundRequest.parseDelimitedFrom(in);
        PendingRefund refund = PendingRefund.parseDelimitedFrom(in);
        if (asked == null || refund == null) {
          throw new IllegalStateException("a stored refund saga is truncated");
        }
        return new Context(asked, refund);
      } catch (IOException e) {
        throw new IllegalStateException("a stored refund saga is corrupt", e);
      }
    }
  };

  static SagaDefinition<Context> definition(Participants p, Limits limits) {
    return SagaDefinition.of(SagaType.REFUND_PROCESSING, CODEC, limits.deadline())
        .step(RESERVE, p::reserve).compensatedBy(p::release)
        .timeout(limits.localTimeout()).retry(limits.localRetry())
        .step(PAY_BACK, p::payBack).compensatedBy(p::undoPayBack)
        .timeout(limits.gatewayTimeout()).retry(limits.gatewayRetry())
        .step(POST, p::post).compensatedBy(p::undoPost)
        .timeout(limits.localTimeout()).retry(limits.localRetry())
        .build();
  }

  /** What a refund saga's events are about: the sale refunded, the cashier and approver, the till session. */
  static SagaEventLog.Subject subject(byte[] context) {
    PendingRefund r = CODEC.decode(context).refund();
    return new SagaEventLog.Subject(r.getSaleId(), r.getCashierId(), r.getApprovedBy(), "", r.getTillSessionId());
  }
}
