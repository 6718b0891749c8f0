package com.cps.dcs.localagent.saga;

import com.cps.dcs.kernel.saga.PermanentFailure;
import com.cps.dcs.kernel.saga.StepAttempt;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.store.LocalTx;
import com.cps.dcs.localagent.store.StateView;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * What the branch's saga participants did, recorded in the same SQLite transaction as the side effects themselves,
 * keyed by {@link StepAttempt#idempotencyKey()}: a step's result once its action took effect, and a mark once its
 * compensation ran. So an action run again (a retry, a resumed saga) returns what it did the first time instead of
 * doing it twice, a compensation undoes only what took effect and only once, and an action that comes late, after
 * its step was compensated (it outlived its timeout), finds the mark and refuses to take effect.
 */
public final class StepEffects {
  static final String COLLECTION = "saga-step-effects";

  private StepEffects() {}

  /** The result the step's action recorded, if it took effect. */
  public static Optional<byte[]> result(StateView v, String sagaId, String step) {
    return v.document(COLLECTION, key(sagaId, step, false));
  }

  /** True once the step's compensation ran. */
  public static boolean compensated(StateView v, String sagaId, String step) {
    return v.document(COLLECTION, key(sagaId, step, true)).isPresent();
  }

  /** Records that the step's action took effect with {@code result} (for sagas carried over from before the engine). */
  public static void recordDone(LocalTx tx, String sagaId, String step, byte[] result) {
    tx.putDocument(COLLECTION, key(sagaId, step, false), result);
  }

  /** Records that the step's compensation ran (for sagas carried over from before the engine). */
  public static void recordUndone(LocalTx tx, String sagaId, String step) {
    tx.putDocument(COLLECTION, key(sagaId, step, true), new byte[0]);
  }

  private static String key(String sagaId, String step, boolean undo) {
    return new StepAttempt(sagaId, step, 1, undo).idempotencyKey();
  }

  /**
   * Runs the local part of an action once, in one transaction with its result: returns the recorded result when the
   * action took effect already, else {@code work}'s, recorded.
   *
   * @throws PermanentFailure when the step was compensated first (nothing is written)
   */
  public static byte[] once(LocalStore store, StepAttempt a, Function<LocalTx, byte[]> work) {
    return store.transaction(tx -> {
      Optional<byte[]> done = result(tx, a.sagaId(), a.step());
      if (done.isPresent()) {
        return done.get();
      }
      if (compensated(tx, a.sagaId(), a.step())) {
        throw new PermanentFailure("step " + a.step() + " of saga " + a.sagaId() + " was compensated already");
      }
      byte[] result = work.apply(tx);
      tx.putDocument(COLLECTION, key(a.sagaId(), a.step(), false), result);
      return result;
    });
  }

  /**
   * Runs the local part of a compensation once, in one transaction with its mark: {@code work} gets the action's
   * result when the action took effect, or nothing (then it undoes nothing, but may record why the step failed).
   * Marking a step whose action never took effect keeps a late action from taking effect after it.
   */
  public static void undoOnce(LocalStore store, StepAttempt a, BiConsumer<LocalTx, Optional<byte[]>> work) {
    store.transaction(tx -> {
      if (compensated(tx, a.sagaId(), a.step())) {
        return null;
      }
      work.accept(tx, result(tx, a.sagaId(), a.step()));
      tx.putDocument(COLLECTION, key(a.sagaId(), a.step(), true), new byte[0]);
      return null;
    });
  }
}
