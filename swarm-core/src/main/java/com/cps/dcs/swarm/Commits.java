package com.cps.dcs.swarm;

import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.refusal.RefusedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for a tier's commit, the same way for every write: in time, or told to retry. */
public final class Commits {
  /** How long a write may wait for its commit before the caller is told to retry (a region without a majority). */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Commits() {}

  /**
   * The committed result; a tier that cannot commit in time answers {@code Unavailable} (nothing acknowledged,
   * retry), and a refusal the write ended with is thrown as it is.
   *
   * @throws RefusedException why there is no result
   */
  public static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause() instanceof CompletionException && e.getCause().getCause() != null
          ? e.getCause().getCause() : e.getCause();
      if (c instanceof RefusedException r) {
        throw r;
      }
      throw new RefusedException(new Refusal.Unavailable("the write could not be committed ("
          + (c == null ? "unknown" : c.getClass().getSimpleName() + ": " + c.getMessage())
          + "); nothing was acknowledged, retry"));
    } catch (TimeoutException e) {
      throw new RefusedException(new Refusal.Unavailable("the write was not committed within "
          + TIMEOUT.toSeconds() + " s (no leader or no majority?); nothing was acknowledged, retry"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RefusedException(new Refusal.Unavailable("interrupted"));
    }
  }
}
