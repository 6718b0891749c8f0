package com.cps.dcs.localagent.till;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.localagent.sale.SaleFailure;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PinAttemptsTest {
  private Instant now = Instant.parse("2026-12-01T09:00:00Z");
  private final InstantSource clock = () -> now;
  private final PinAttempts attempts = new PinAttempts(clock);

  private boolean wrong(String staff, String till) {
    return attempts.signIn(staff, true, till, () -> false);
  }

  @Test
  void fiveWrongPinsLockThatPlaceWithADoublingBackOffAndARightPinClearsIt() {
    attempts.signIn("1001", true, "till-1", () -> true); // till-1 is where 1001 works
    for (int i = 0; i < 5; i++) {
      assertThat(wrong("1001", "till-1")).isFalse();
    }
    assertThatThrownBy(() -> attempts.signIn("1001", true, "till-1", () -> true)).isInstanceOf(SaleFailure.class);
    now = now.plus(Duration.ofSeconds(61));
    assertThat(wrong("1001", "till-1")).isFalse(); // one more try after the minute, wrong again
    now = now.plus(Duration.ofSeconds(61));
    assertThatThrownBy(() -> attempts.signIn("1001", true, "till-1", () -> true)).as("now two minutes")
        .isInstanceOf(SaleFailure.class);
    now = now.plus(Duration.ofSeconds(60));
    assertThat(attempts.signIn("1001", true, "till-1", () -> true)).isTrue();
    assertThat(wrong("1001", "till-1")).isFalse(); // the count starts again from zero
    assertThat(attempts.signIn("1001", true, "till-1", () -> true)).isTrue();
  }

  @Test
  void guessesAtMadeUpTillsShareOneBucketAndNeverLockTheTillsInUse() {
    attempts.signIn("1002", true, "till-2", () -> true);
    for (int i = 0; i < 5; i++) {
      assertThat(wrong("1002", "made-up-" + i)).isFalse();
    }
    assertThatThrownBy(() -> attempts.signIn("1002", true, "made-up-99", () -> true)).isInstanceOf(SaleFailure.class);
    assertThat(attempts.signIn("1002", true, "till-2", () -> true)).isTrue();
    assertThat(attempts.approval("1002", true, "till-9", () -> true)).as("approvals count apart").isTrue();
  }

  @Test
  void concurrentGuessesCannotCheckMoreThanFivePins() throws Exception {
    AtomicInteger checked = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> all = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      all.add(pool.submit(() -> {
        try {
          attempts.approval("9001", true, "till-1", () -> {
            checked.incrementAndGet();
            return false;
          });
        } catch (SaleFailure locked) {
          // refused without a PIN check
        }
      }));
    }
    for (Future<?> f : all) {
      f.get();
    }
    pool.shutdown();
    assertThat(checked).hasValue(PinAttempts.FREE_FAILURES);
  }

  @Test
  void theTableHoldsABoundedNumberOfPlacesPerStaffMember() {
    for (int i = 0; i < 1_000; i++) {
      attempts.approval("9001", true, "till-" + i, () -> false);
    }
    assertThat(attempts.entries()).isLessThanOrEqualTo(PinAttempts.MAX_PLACES);
  }

  @Test
  void anUnknownIdLocksLikeAKnownOneSoTheAnswersCannotTellThemApart() {
    for (int i = 0; i < PinAttempts.FREE_FAILURES; i++) {
      assertThat(attempts.signIn("1001", true, "till-1", () -> false)).isFalse();
      assertThat(attempts.signIn("no-such-id", false, "till-1", () -> false)).isFalse();
    }
    assertThatThrownBy(() -> attempts.signIn("1001", true, "till-1", () -> false)).isInstanceOf(SaleFailure.class)
        .hasMessageContaining("too many wrong PINs");
    assertThatThrownBy(() -> attempts.signIn("no-such-id", false, "till-1", () -> false))
        .isInstanceOf(SaleFailure.class).hasMessageContaining("too many wrong PINs");
  }

  @Test
  void unknownIdsAreHeldInABoundedTable() {
    for (int i = 0; i < PinAttempts.MAX_STRANGERS + 500; i++) {
      attempts.signIn("stranger-" + i, false, "till-1", () -> false);
    }
    assertThat(attempts.strangers()).isEqualTo(PinAttempts.MAX_STRANGERS);
    assertThat(attempts.entries()).isZero();
  }
}
