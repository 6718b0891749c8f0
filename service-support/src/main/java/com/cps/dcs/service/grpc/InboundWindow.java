package com.cps.dcs.service.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * Flow control for calls that stream many messages in (batched ingest): asks the transport for {@code window}
 * messages at a time instead of one after each, the stub's default.
 *
 * <p>With one request per message, every message of a 500-event {@code StreamOfflineEvents} call costs two thread
 * hand-offs on the server: the service thread asks the event loop for the next message (waking it), and the event
 * loop hands that message to the service thread (waking it). Profiles of batched ingest spent about a quarter of the
 * agent's CPU on those wake-ups. With a window, the event loop queues up to {@code window} decoded messages for the
 * call's sequential executor, which drains them in one go, and asks again when half of them are consumed. Messages
 * still arrive one at a time and in order, and HTTP/2 flow control still bounds what the client may send.
 */
public final class InboundWindow {
  /** The window of the batched ingest calls: a 500-event batch costs four requests instead of 500. */
  public static final int BATCH = 256;

  private InboundWindow() {}

  /**
   * Wraps the request observer a service method returns. Call it inside the service method (gRPC only lets
   * automatic requests be turned off before the method returns).
   *
   * @param responses the response observer the service method was given
   * @param window messages to ask for at a time, at least 2
   */
  public static <T> StreamObserver<T> of(StreamObserver<?> responses, int window, StreamObserver<T> requests) {
    if (window < 2) {
      throw new IllegalArgumentException("window must be at least 2, was " + window);
    }
    if (!(responses instanceof ServerCallStreamObserver<?> call)) {
      return requests; // not a server call (a direct call in a unit test): nothing to control
    }
    call.disableAutoRequest();
    call.request(window);
    int half = window / 2;
    return new StreamObserver<>() {
      private int consumed;

      @Override
      public void onNext(T value) {
        try {
          requests.onNext(value);
        } finally {
          if (++consumed == half) {
            consumed = 0;
            call.request(half);
          }
        }
      }

      @Override
      public void onError(Throwable t) {
        requests.onError(t);
      }

      @Override
      public void onCompleted() {
        requests.onCompleted();
      }
    };
  }
}
