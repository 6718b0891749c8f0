package com.cps.dcs.kernel.saga;

import com.cps.dcs.proto.v4.SagaType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A saga declared as ordered steps, each an action with its compensation, a timeout and bounded retries, and a
 * deadline for the whole saga. {@code C} is the saga's context: what the steps read and what each adds (an
 * authorization code, a reservation), persisted after every step through a {@link ContextCodec}.
 *
 * <pre>{@code
 * SagaDefinition.of(SagaType.INVENTORY_TRANSFER, codec, Duration.ofMinutes(10))
 *     .step("reserve", reserve).compensatedBy(release)
 *     .step("transfer-out", out).compensatedBy(transferBack).timeout(Duration.ofSeconds(30))
 *     .step("transfer-in", in)
 *     .build();
 * }</pre>
 */
public record SagaDefinition<C>(SagaType type, ContextCodec<C> codec, List<Step<C>> steps, Duration deadline) {

  public SagaDefinition {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(codec, "codec");
    steps = List.copyOf(steps);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a saga has at least one step");
    }
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("a saga's deadline must be positive");
    }
  }

  /** What a step does: given the context so far, its side effect, returning the context with what it added. */
  @FunctionalInterface
  public interface Action<C> {
    C run(C context, StepAttempt attempt) throws Exception;
  }

  /** Undoes a step; idempotent (it may run again after a crash, or for a step whose action never took effect). */
  @FunctionalInterface
  public interface Compensation<C> {
    void run(C context, StepAttempt attempt) throws Exception;
  }

  /** Nothing to undo. */
  public static <C> Compensation<C> nothingToUndo() {
    return (c, a) -> { };
  }

  /**
   * One declared step.
   *
   * @param retry attempts of the action (and, separately, of the compensation) and the back-off between them
   */
  public record Step<C>(String name, Action<C> action, Compensation<C> compensation, Duration timeout,
      Retry retry) {
    public Step {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(compensation, "compensation");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("step " + name + ": the timeout must be positive");
      }
    }
  }

  /** Attempts at most {@code maxAttempts}, waiting {@code firstBackoff}, then twice as long, up to {@code maxBackoff}. */
  public record Retry(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {
    public static final Retry DEFAULT = new Retry(3, Duration.ofMillis(200), Duration.ofSeconds(5));
    public static final Retry ONCE = new Retry(1, Duration.ZERO, Duration.ZERO);

    public Retry {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("at least one attempt");
      }
    }

    /** The wait after failed attempt {@code attempt} (1-based). */
    public Duration backoff(int attempt) {
      Duration d = firstBackoff.multipliedBy(1L << Math.min(20, Math.max(0, attempt - 1)));
      return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
  }

  public static <C> Builder<C> of(SagaType type, ContextCodec<C> codec, Duration deadline) {
    return new Builder<>(type, codec, deadline);
  }

  /** The position of {@code name} among the steps. */
  public int indexOf(String name) {
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no step " + name);
  }

  /** Declares the steps in order. */
  public static final class Builder<C> {
    private final SagaType type;
    private final ContextCodec<C> codec;
    private final Duration deadline;
    private final List<Step<C>> steps = new ArrayList<>();
    private String name;
    private Action<C> action;
    private Compensation<C> compensation;
    private Duration timeout;
    private Retry retry;

    private Builder(SagaType type, ContextCodec<C> codec, Duration deadline) {
      this.type = type;
      this.codec = codec;
      this.deadline = deadline;
    }

    public Builder<C> step(String stepName, Action<C> stepAction) {
      flush();
      this.name = stepName;
      this.action = stepAction;
      this.compensation = nothingToUndo();
      this.timeout = Duration.ofSeconds(30);
      this.retry = Retry.DEFAULT;
      return this;
    }

    public Builder<C> compensatedBy(Compensation<C> c) {
      this.compensation = c;
      return this;
    }

    public Builder<C> timeout(Duration t) {
      this.timeout = t;
      return this;
    }

    public Builder<C> retry(Retry r) {
      this.retry = r;
      return this;
    }

    public SagaDefinition<C> build() {
      flush();
      return new SagaDefinition<>(type, codec, steps, deadline);
    }

    private void flush() {
      if (name == null) {
        return;
      }
      Step<C> s = new Step<>(name, action, compensation, timeout, retry);
      if (steps.stream().anyMatch(x -> x.name().equals(s.name()))) {
        throw new IllegalArgumentException("two steps named " + s.name());
      }
      steps.add(s);
      name = null;
    }
  }
}
