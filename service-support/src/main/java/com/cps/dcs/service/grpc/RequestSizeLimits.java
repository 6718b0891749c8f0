package com.cps.dcs.service.grpc;

import com.google.protobuf.MessageLite;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.Map;

/**
 * Per-service request size limits below the server's transport limit ({@value #TRANSPORT_LIMIT} bytes, which the
 * transport enforces before decoding). A query or a POS command is small by nature: a larger one is refused with
 * RESOURCE_EXHAUSTED before the service sees it, so it cannot make the service work on megabytes of ids.
 */
public final class RequestSizeLimits implements ServerInterceptor {
  /** The largest message the transport accepts for any RPC (an event with its largest payload fits many times). */
  public static final int TRANSPORT_LIMIT = 4 * 1024 * 1024;
  /** The limits every DCS server applies, by gRPC service name. */
  public static final Map<String, Integer> DEFAULTS = Map.of(
      "cps.enterprise.v4.QueryProtocol", 64 * 1024,
      "cps.enterprise.pos.v1.PosService", 256 * 1024,
      "grpc.health.v1.Health", 4 * 1024);

  private final Map<String, Integer> limits;

  public RequestSizeLimits(Map<String, Integer> limits) {
    this.limits = Map.copyOf(limits);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    Integer limit = limits.get(call.getMethodDescriptor().getServiceName());
    ServerCall.Listener<Q> delegate = next.startCall(call, headers);
    if (limit == null) {
      return delegate;
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      private boolean closed;

      @Override
      public void onMessage(Q message) {
        if (closed) {
          return;
        }
        int size = message instanceof MessageLite m ? m.getSerializedSize() : 0;
        if (size > limit) {
          closed = true;
          var e = GrpcErrors.resourceExhausted("REQUEST_TOO_LARGE", "a " + call.getMethodDescriptor()
              .getBareMethodName() + " request is at most " + limit + " bytes, got " + size);
          call.close(e.getStatus(), e.getTrailers() == null ? new Metadata() : e.getTrailers());
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!closed) {
          super.onHalfClose();
        }
      }
    };
  }
}
