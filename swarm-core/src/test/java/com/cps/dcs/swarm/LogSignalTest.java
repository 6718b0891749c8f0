package com.cps.dcs.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LogSignalTest {
  @Test
  void aRingBeforeTheWaitIsNotMissedAndEveryWaiterWakes() throws Exception {
    LogSignal s = new LogSignal();
    long seen = s.rings();
    s.ring();
    long t0 = System.nanoTime();
    s.awaitAfter(seen, 10_000);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5_000);

    long now = s.rings();
    CountDownLatch woke = new CountDownLatch(3);
    for (int i = 0; i < 3; i++) {
      Thread.ofVirtual().start(() -> {
        try {
          s.awaitAfter(now, 30_000);
          woke.countDown();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
    Thread.sleep(100);
    s.ring();
    assertThat(woke.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void withoutARingTheWaitEndsAfterItsTime() throws Exception {
    LogSignal s = new LogSignal();
    long t0 = System.nanoTime();
    s.awaitAfter(s.rings(), 50);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(45);
  }
}
