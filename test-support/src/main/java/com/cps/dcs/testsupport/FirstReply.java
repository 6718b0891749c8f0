package com.cps.dcs.testsupport;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/** A response observer for calls with one answer (client streaming): completes the future with it, or the error. */
public final class FirstReply {
  private FirstReply() {}

  public static <T> StreamObserver<T> into(CompletableFuture<T> reply) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        reply.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        reply.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        reply.completeExceptionally(new IllegalStateException("the call ended without an answer"));
      }
    };
  }
}
