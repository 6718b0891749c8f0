package com.cps.dcs.service.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.StatusRuntimeException;
import java.util.Optional;

/**
 * A call whose scope depends on its request: each message is checked against the caller's branches and event types
 * before the service sees it. The service's handler is started only once the first message passes (the interceptor
 * asks the transport for that message itself), so a call outside the scope never reaches the service: not a unary
 * method, and not the body of a streaming one. A stream is ended at the first message outside the scope, and the
 * service is told the call was cancelled, as if the client had gone.
 */
final class ScopedListener<Q, R> extends ServerCall.Listener<Q> {
  private final ServerCall<Q, R> call;
  private final Metadata headers;
  private final ServerCallHandler<Q, R> next;
  private final Context context;
  private final RpcRule rule;
  private final Caller caller;
  private final Optional<String> servedBranch;
  private ServerCall.Listener<Q> delegate; // null until the first message passes
  private boolean readyBeforeStart;
  private boolean closed;

  private ScopedListener(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next, Context context,
      RpcRule rule, Caller caller, Optional<String> servedBranch) {
    this.call = call;
    this.headers = headers;
    this.next = next;
    this.context = context;
    this.rule = rule;
    this.caller = caller;
    this.servedBranch = servedBranch;
  }

  static <Q, R> ServerCall.Listener<Q> start(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next,
      Context context, RpcRule rule, Caller caller, Optional<String> servedBranch) {
    ScopedListener<Q, R> listener = new ScopedListener<>(call, headers, next, context, rule, caller, servedBranch);
    call.request(1); // the handler, not started yet, has asked for nothing
    return listener;
  }

  @Override
  public void onMessage(Q message) {
    if (closed) {
      return;
    }
    Optional<CallerChecks.Denial> denied = CallerChecks.message(rule, caller, message, servedBranch);
    if (denied.isPresent()) {
      deny(denied.get().toStatus());
      return;
    }
    startDelegate();
    delegate.onMessage(message);
  }

  @Override
  public void onHalfClose() {
    if (closed) {
      return;
    }
    startDelegate(); // no message at all: nothing outside the scope; the service answers an empty call as it does
    delegate.onHalfClose();
  }

  @Override
  public void onCancel() {
    boolean wasClosed = closed;
    closed = true;
    if (delegate != null && !wasClosed) {
      delegate.onCancel();
    }
  }

  @Override
  public void onComplete() {
    boolean wasClosed = closed;
    closed = true;
    if (delegate != null && !wasClosed) {
      delegate.onComplete();
    }
  }

  @Override
  public void onReady() {
    if (closed) {
      return;
    }
    if (delegate == null) {
      readyBeforeStart = true;
    } else {
      delegate.onReady();
    }
  }

  private void startDelegate() {
    if (delegate != null) {
      return;
    }
    delegate = Contexts.interceptCall(context, call, headers, next);
    if (readyBeforeStart && call.isReady()) {
      delegate.onReady();
    }
  }

  private void deny(StatusRuntimeException e) {
    closed = true;
    call.close(e.getStatus(), e.getTrailers() == null ? new Metadata() : e.getTrailers());
    if (delegate != null) {
      delegate.onCancel(); // a stream already started: its service stops as if the client had cancelled
    }
  }
}
