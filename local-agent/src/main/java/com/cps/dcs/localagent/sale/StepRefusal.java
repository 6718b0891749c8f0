package com.cps.dcs.localagent.sale;

import com.cps.dcs.kernel.saga.SagaRecord;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.store.StateView;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Why a sale or refund saga's step gave up, as the cashier is to be told: noted by the step before it fails (a card
 * declined, a gateway that did not answer, stock or quantities no longer there), then read by the compensations
 * that record the failure and by the service that answers the call. One per saga: the last step to give up.
 *
 * @param step the step that gave up
 * @param kind what the answer's status is
 * @param subject the field or subject the answer names
 * @param code a short code of the cause (the gateway's, or ours)
 * @param message what the cashier reads
 */
record StepRefusal(String step, SaleFailure.Kind kind, String subject, String code, String message) {
  static final String COLLECTION = "saga-refusals";
  private static final int MAX_MESSAGE = 2_000;

  StepRefusal {
    message = message == null ? "" : message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
    code = code == null ? "" : code;
  }

  static StepRefusal refused(String step, SaleFailure f) {
    return new StepRefusal(step, f.kind(), f.subject(), "REFUSED", f.getMessage());
  }

  /** {@code code: message}, as the events' reason. */
  String reason() {
    return code + ": " + message;
  }

  SaleFailure failure(String more) {
    return new SaleFailure(kind, subject, message + more);
  }

  static void note(LocalStore store, String sagaId, StepRefusal r) {
    store.transaction(tx -> {
      tx.putDocument(COLLECTION, sagaId, r.encode());
      return null;
    });
  }

  static Optional<StepRefusal> of(StateView v, String sagaId) {
    return v.document(COLLECTION, sagaId).map(StepRefusal::decode);
  }

  /**
   * The refusal that ended {@code saga}'s step: the one noted, when the saga records that step as having failed (a
   * note left by an attempt the engine never heard back from, before a stop, says nothing).
   */
  static Optional<StepRefusal> of(StateView v, SagaRecord saga) {
    return of(v, saga.sagaId()).filter(r -> saga.steps().stream()
        .anyMatch(s -> s.name().equals(r.step()) && !s.lastError().isEmpty()));
  }

  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(step);
      out.writeUTF(kind.name());
      out.writeUTF(subject);
      out.writeUTF(code);
      out.writeUTF(message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static StepRefusal decode(byte[] b) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
      return new StepRefusal(in.readUTF(), SaleFailure.Kind.valueOf(in.readUTF()), in.readUTF(), in.readUTF(),
          in.readUTF());
    } catch (IOException e) {
      throw new IllegalStateException("a stored step refusal is corrupt", e);
    }
  }
}
