package com.cps.dcs.service.grpc;

import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.kernel.validation.InputRefused;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an unexpected exception thrown by a service method into INTERNAL with a correlation id, logging the cause
 * with the same id; expected failures ({@link StatusRuntimeException} from {@link GrpcErrors}) pass untouched, and
 * input refused by the shared checks ({@link InputRefused}) becomes INVALID_ARGUMENT naming its fields. No
 * stack trace ever reaches a caller.
 */
public final class ErrorMappingInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(ErrorMappingInterceptor.class);

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    ServerCall.Listener<Q> delegate = next.startCall(call, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onMessage(Q message) {
        guard(() -> super.onMessage(message));
      }

      @Override
      public void onHalfClose() {
        guard(super::onHalfClose);
      }

      private void guard(Runnable r) {
        try {
          r.run();
        } catch (StatusRuntimeException e) {
          close(e);
        } catch (InputRefused e) {
          close(GrpcErrors.refused(e));
        } catch (RefusedException e) {
          close(GrpcErrors.of(e.refusal()));
        } catch (RuntimeException e) {
          String id = UUID.randomUUID().toString();
          log.error("unexpected failure in {} [{}]", call.getMethodDescriptor().getFullMethodName(), id, e);
          close(GrpcErrors.internal("internal error, reference " + id));
        }
      }

      private void close(StatusRuntimeException e) {
        Metadata trailers = e.getTrailers() == null ? new Metadata() : e.getTrailers();
        try {
          call.close(e.getStatus(), trailers);
        } catch (IllegalStateException alreadyClosed) {
          // the call had already been closed by the service
        }
      }
    };
  }
}
