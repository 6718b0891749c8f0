package com.cps.dcs.regional.kafka;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Tells a waiting loop that there is work: rung when entries with events are applied, waited on by the outbox relay
 * between rounds, so it relays at once instead of polling PostgreSQL every few milliseconds. Rings while nobody
 * waits are remembered as one.
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
