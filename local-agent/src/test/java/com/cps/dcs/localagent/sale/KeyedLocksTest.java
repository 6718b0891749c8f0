package com.cps.dcs.localagent.sale;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class KeyedLocksTest {

  @Test
  void workUnderOneKeyNeverOverlapsAndTheTableEmptiesAfterwards() throws Exception {
    KeyedLocks locks = new KeyedLocks();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      String key = "checkout-" + i % 3;
      done.add(pool.submit(() -> locks.with(key, () -> {
        if (key.equals("checkout-0") && inside.incrementAndGet() > 1) {
          overlaps.incrementAndGet();
        }
        Thread.onSpinWait();
        if (key.equals("checkout-0")) {
          inside.decrementAndGet();
        }
        return null;
      })));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    assertThat(overlaps).hasValue(0);
    assertThat(locks.size()).as("no entry left for ids no longer in use").isZero();
  }
}
