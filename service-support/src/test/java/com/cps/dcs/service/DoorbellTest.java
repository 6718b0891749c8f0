package com.cps.dcs.service;

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
    // Whether the waiter is already waiting or not yet: the one ring wakes it (or is kept for it).
    bell.ring();
    assertThat(woke.get(30, TimeUnit.SECONDS)).isTrue();
  }
}
