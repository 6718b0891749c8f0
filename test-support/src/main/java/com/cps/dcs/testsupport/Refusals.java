package com.cps.dcs.testsupport;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;

/**
 * What a refused call answered, for hostile-client tests: the {@code google.rpc.Status} with its code, the fields its
 * {@code BadRequest} names and its {@code ErrorInfo} reason.
 */
public final class Refusals {
  private Refusals() {}

  /** A call expected to fail. */
  @FunctionalInterface
  public interface Call {
    void run() throws Exception;
  }

  /** One refusal as seen by the caller. */
  public record Refusal(Code code, String message, List<String> fields, String reason) {}

  /** The refusal {@code call} failed with; an {@link AssertionError} when it succeeded. */
  public static Refusal of(Call call) {
    try {
      call.run();
    } catch (Exception e) {
      Throwable t = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      Status s = StatusProto.fromThrowable(t);
      if (s == null) {
        io.grpc.Status g = io.grpc.Status.fromThrowable(t);
        return new Refusal(Code.forNumber(g.getCode().value()), g.getDescription(), List.of(), "");
      }
      return read(s);
    }
    throw new AssertionError("the call was accepted");
  }

  private static Refusal read(Status s) {
    List<String> fields = new ArrayList<>();
    String reason = "";
    for (Any any : s.getDetailsList()) {
      try {
        if (any.is(BadRequest.class)) {
          any.unpack(BadRequest.class).getFieldViolationsList().forEach(v -> fields.add(v.getField()));
        } else if (any.is(ErrorInfo.class)) {
          reason = any.unpack(ErrorInfo.class).getReason();
        }
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError("a detail of the status does not parse", e);
      }
    }
    return new Refusal(Code.forNumber(s.getCode()), s.getMessage(), List.copyOf(fields), reason);
  }
}
