package com.cps.dcs.regional.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/** Makes each call's request headers readable by the service (the signed CRDT uploads carry their signature there). */
public final class CallHeaders implements ServerInterceptor {
  private static final Context.Key<Metadata> KEY = Context.key("dcs-call-headers");

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    return Contexts.interceptCall(Context.current().withValue(KEY, headers), call, headers, next);
  }

  /** The current call's headers (none outside a call). */
  static Metadata current() {
    Metadata m = KEY.get();
    return m == null ? new Metadata() : m;
  }
}
