package com.cps.dcs.service.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A server stream sent at the reader's pace. gRPC buffers whatever {@code onNext} is given, without limit, when the
 * reader does not read: one stalled subscriber could hold a whole history in the sender's memory. {@link #send}
 * waits until the transport can take the next message; a reader that takes nothing for {@code maxStall} is dropped
 * with RESOURCE_EXHAUSTED, and its sending thread is released.
 *
 * <p>Create it in the service method itself (gRPC accepts an on-ready handler only there), then send from one
 * thread.
 */
public final class PacedStream<T> {
  /** How long a reader may take nothing before it is dropped, unless a service says otherwise. */
  public static final Duration DEFAULT_MAX_STALL = Duration.ofSeconds(30);

  private final ServerCallStreamObserver<T> call;
  private final long maxStallNanos;
  private final Semaphore ready = new Semaphore(0);
  private volatile boolean dropped;

  public PacedStream(ServerCallStreamObserver<T> call, Duration maxStall) {
    this.call = call;
    this.maxStallNanos = maxStall.toNanos();
    call.setOnReadyHandler(ready::release);
    call.setOnCancelHandler(ready::release);
  }

  /**
   * Sends {@code message} once the reader can take it.
   *
   * @return false when the call is over (cancelled by the reader, or dropped as too slow): stop sending
   */
  public boolean send(T message) throws InterruptedException {
    if (!awaitReady()) {
      return false;
    }
    call.onNext(message);
    return true;
  }

  /**
   * Waits until the reader can take a message, for a sender that must send under a lock of its own (wait here, then
   * take the lock and send).
   *
   * @return false when the call is over: stop sending
   */
  public boolean awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + maxStallNanos;
    while (!call.isReady()) {
      if (call.isCancelled() || dropped) {
        return false;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        drop();
        return false;
      }
      ready.tryAcquire(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
    }
    return !call.isCancelled() && !dropped;
  }

  /** Ends the call with RESOURCE_EXHAUSTED: the reader fell too far behind. */
  public void drop() {
    if (dropped || call.isCancelled()) {
      return;
    }
    dropped = true;
    try {
      call.onError(GrpcErrors.resourceExhausted("SLOW_READER", "the reader took nothing for "
          + TimeUnit.NANOSECONDS.toSeconds(maxStallNanos) + " s or fell too far behind the live stream;"
          + " subscribe again from the last event received"));
    } catch (IllegalStateException alreadyClosed) {
      // the call had ended meanwhile
    }
  }

  /** True once the call is over for this sender. */
  public boolean isOver() {
    return dropped || call.isCancelled();
  }
}
