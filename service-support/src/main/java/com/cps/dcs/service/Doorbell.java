package com.cps.dcs.service;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Tells a waiting loop that there is work, so it need not poll: the region's outbox relay waits on it for applied
 * events, a branch's dashboard stream for appended ones. Rings while nobody waits are remembered as one, and a wait
 * that ends takes every ring so far with it.
 */
public final class Doorbell {
  private final Semaphore rung = new Semaphore(0);

  public void ring() {
    if (rung.availablePermits() == 0) {
      rung.release();
    }
  }

  /** Waits until rung or {@code maxMs} passed; true when rung. */
  public boolean await(long maxMs) throws InterruptedException {
    boolean r = rung.tryAcquire(maxMs, TimeUnit.MILLISECONDS);
    rung.drainPermits();
    return r;
  }
}
