package com.cps.dcs.localagent.saga;

import com.cps.dcs.kernel.saga.SagaEvents;
import com.cps.dcs.kernel.saga.SagaRecord;
import com.cps.dcs.kernel.saga.SagaStore;
import com.cps.dcs.kernel.validation.Texts;
import com.cps.dcs.localagent.store.AppendRefused;
import com.cps.dcs.localagent.store.EventDraft;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The saga engine's transitions as events of the branch's log ({@code SAGA_INITIATED}, {@code SAGA_STEP_COMPLETED},
 * {@code SAGA_COMPENSATION_TRIGGERED}, {@code SAGA_COMPENSATION_COMPLETED}, {@code SAGA_FAILED}, {@code
 * SAGA_SUCCEEDED}, {@code SAGA_EXPIRED}): one event per transition on the saga's stream {@code saga-<id>}, amount 0,
 * correlated with what the saga is about (a sale), appended after the engine persisted the transition. The natural
 * key is the transition's idempotency key and the content depends only on the transition and the saga, so a
 * transition emitted again appends nothing.
 */
public final class SagaEventLog implements SagaEvents {
  private static final Logger log = LoggerFactory.getLogger(SagaEventLog.class);

  /** What a saga is about, read from its context: its events' correlation, author, approver, receipt and till. */
  public record Subject(String correlationId, String createdBy, String approvedBy, String receiptNumber,
      String sessionId) {}

  private final LocalStore store;
  private final SagaStore sagas;
  private final Function<byte[], Subject> subject;

  /** @param subject what a saga of the engine's type is about, from its encoded context */
  public SagaEventLog(LocalStore store, SagaStore sagas, Function<byte[], Subject> subject) {
    this.store = store;
    this.sagas = sagas;
    this.subject = subject;
  }

  @Override
  public void emit(Transition t) {
    SagaRecord saga = sagas.find(t.sagaId()).orElseThrow(() -> new IllegalStateException("saga " + t.sagaId()
        + " emitted " + t.type() + " but is not stored"));
    try {
      store.append(draft(t, saga, subject.apply(saga.context())));
    } catch (AppendRefused.KeyReused earlier) {
      log.warn("saga {}: {} was recorded before with other content; kept the first", t.sagaId(), t.type());
    }
  }

  /** The event of one transition. Pure. */
  static EventDraft draft(Transition t, SagaRecord saga, Subject s) {
    EventFacts facts = EventFacts.newBuilder().setReason(reason(describe(t, saga)))
        .setReceiptNumber(s.receiptNumber()).setSessionId(s.sessionId()).build();
    return new EventDraft("saga-" + t.sagaId(), 0, t.type(), 0, "", s.correlationId(), t.sagaId(), facts,
        ("saga=" + t.sagaId()).getBytes(StandardCharsets.UTF_8), s.createdBy(), s.approvedBy(), t.idempotencyKey(),
        List.of(), null, null, null, null);
  }

  /** What happened, in words: the steps when a saga starts, the step completed, or why it is compensated. */
  static String describe(Transition t, SagaRecord saga) {
    String type = t.sagaType().name();
    if (t.type() == EventType.SAGA_INITIATED) {
      return type + " started: " + String.join(", ", saga.steps().stream().map(SagaRecord.StepRecord::name)
          .toList());
    }
    if (t.type() == EventType.SAGA_STEP_COMPLETED) {
      return type + " step " + t.step() + " completed";
    }
    if (t.type() == EventType.SAGA_SUCCEEDED) {
      return type + " completed";
    }
    if (!t.detail().isEmpty()) {
      return t.detail();
    }
    return type + " " + t.type().name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  /**
   * {@code text} as an event's reason: control and format characters become spaces and it is cut to the length the
   * shared event rules allow ({@link Texts#MAX_TEXT}), so no peer or region refuses the event for its wording.
   */
  public static String reason(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints().forEach(cp -> {
      String c = Character.toString(cp);
      out.append(Texts.text("reason", c, 2) == null ? c : " ");
    });
    if (out.length() <= Texts.MAX_TEXT) {
      return out.toString();
    }
    int end = Texts.MAX_TEXT;
    if (Character.isLowSurrogate(out.charAt(end))) {
      end--;
    }
    return out.substring(0, end);
  }
}
