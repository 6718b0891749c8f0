package com.cps.dcs.swarm;

/**
 * Rung by a tier's log after every commit, so readers following it wait for news instead of polling. Every waiter
 * wakes (unlike a doorbell, which one waiter takes); a waiter that looked before the ring never misses it.
 */
public final class LogSignal {
  private long rings;

  public synchronized void ring() {
    rings++;
    notifyAll();
  }

  /** The rings so far: read before reading the log, then {@link #awaitAfter} with it. */
  public synchronized long rings() {
    return rings;
  }

  /** Waits until rung after {@code seen} rings, or {@code maxMs} passed. */
  public synchronized void awaitAfter(long seen, long maxMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + maxMs;
    long left = maxMs;
    while (rings == seen && left > 0) {
      wait(left);
      left = deadline - System.currentTimeMillis();
    }
  }
}
