package com.cps.dcs.regional.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DoorbellTest {
  @Test
  void aRingBeforeTheWaitIsKeptAndManyRingsAreOne() throws Exception {
    Doorbell bell = new Doorbell();
    bell.ring();
    bell.ring();
    bell.ring();
    assertThat(bell.await(10_000)).isTrue();
    assertThat(bell.await(20)).as("the three rings were one").isFalse();
  }

  @Test
  void aWaiterWakesWhenRungFromAnotherThread() throws Exception {
    Doorbell bell = new Doorbell();
    CompletableFuture<Boolean> woke = CompletableFuture.supplyAsync(() -> {
      try {
        return bell.await(60_000);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    while (!woke.isDone()) {
      bell.ring();
      Thread.sleep(5);
    }
    assertThat(woke.get(10, TimeUnit.SECONDS)).isTrue();
  }
}
