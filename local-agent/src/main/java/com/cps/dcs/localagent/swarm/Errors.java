package com.cps.dcs.localagent.swarm;

import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.localagent.store.AppendRefused;
import com.cps.dcs.service.grpc.GrpcErrors;
import io.grpc.StatusRuntimeException;

/** The branch store's refusals as the typed {@link Refusal}s every tier answers alike. */
public final class Errors {
  private Errors() {}

  public static Refusal refusal(AppendRefused r) {
    return switch (r) {
      case AppendRefused.Invalid i -> new Refusal.Invalid(i.violations());
      case AppendRefused.StaleVersion s -> s.refusal();
      case AppendRefused.KeyReused k -> new Refusal.KeyReused(k.key());
      case AppendRefused.Untrusted u -> new Refusal.Untrusted(Refusal.Untrusted.FORGED_EVENT, u.getMessage());
      default -> new Refusal.Conflict("REFUSED", "event", r.getMessage());
    };
  }

  public static StatusRuntimeException of(AppendRefused r) {
    return GrpcErrors.of(refusal(r));
  }
}
