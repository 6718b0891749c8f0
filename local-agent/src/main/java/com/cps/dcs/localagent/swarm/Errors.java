package com.cps.dcs.localagent.swarm;

import com.cps.dcs.kernel.validation.InputRefused;
import com.cps.dcs.localagent.store.AppendRefused;
import com.cps.dcs.service.grpc.GrpcErrors;
import io.grpc.StatusRuntimeException;

/** The local agent's one mapping from refusals to gRPC statuses. */
public final class Errors {
  private Errors() {}

  public static StatusRuntimeException of(AppendRefused r) {
    return switch (r) {
      case AppendRefused.Invalid i -> GrpcErrors.refused(new InputRefused(i.violations()));
      case AppendRefused.StaleVersion s -> GrpcErrors.aborted("STALE_STREAM_VERSION", s.getMessage(), s.metadata());
      case AppendRefused.KeyReused k -> GrpcErrors.alreadyExists("idempotency_key", k.key(), k.getMessage());
      case AppendRefused.Untrusted u -> GrpcErrors.permissionDenied("UNTRUSTED_EVENT", u.getMessage());
      default -> GrpcErrors.internal("refused: " + r.getMessage());
    };
  }
}
