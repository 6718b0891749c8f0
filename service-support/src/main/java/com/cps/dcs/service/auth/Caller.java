package com.cps.dcs.service.auth;

import com.cps.dcs.kernel.auth.Role;
import com.cps.dcs.kernel.auth.TokenClaims;
import com.cps.dcs.kernel.auth.TokenScope;
import com.cps.dcs.service.grpc.GrpcErrors;
import io.grpc.Context;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Who calls, as the {@link CallerInterceptor} authenticated it and put in the call's gRPC {@link Context}: services
 * read it with {@link #current()} (for {@code created_by}, {@code approved_by}, the tenant of the call).
 *
 * @param tenant the tenant the credential belongs to (the only source of the call's tenant)
 * @param subject who: a staff id, a user, an integrator's name, an agent id, or {@value #BOOTSTRAP_SUBJECT}
 * @param tokenId the token's id (what a revocation names), or {@value #BOOTSTRAP_TOKEN_ID}
 */
public record Caller(String tenant, String subject, Set<Role> roles, TokenScope scope, String tokenId) {
  /** The subject of the bootstrap admin ({@code DCS_ADMIN_TOKEN}). */
  public static final String BOOTSTRAP_SUBJECT = "bootstrap-admin";
  /** The token id of the bootstrap admin: not a minted token, so not revocable (unset the variable instead). */
  public static final String BOOTSTRAP_TOKEN_ID = "bootstrap";

  static final Context.Key<Caller> KEY = Context.key("dcs-caller");

  public Caller {
    roles = roles.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(roles));
  }

  static Caller of(TokenClaims claims) {
    return new Caller(claims.tenant(), claims.subject(), claims.roles(), claims.scope(), claims.tokenId());
  }

  static Caller bootstrapAdmin(String tenant) {
    return new Caller(tenant, BOOTSTRAP_SUBJECT, EnumSet.of(Role.ADMIN), TokenScope.everything(), BOOTSTRAP_TOKEN_ID);
  }

  /** The caller of the current call; empty outside a call or on an RPC open to all (health, POS commands). */
  public static Optional<Caller> current() {
    return Optional.ofNullable(KEY.get());
  }

  /** The caller of the current call, or UNAUTHENTICATED when the call has none. */
  public static Caller require() {
    Caller c = KEY.get();
    if (c == null) {
      throw GrpcErrors.unauthenticated("CREDENTIAL_MISSING", "this call needs a credential");
    }
    return c;
  }

  public boolean hasRole(Role role) {
    return roles.contains(role);
  }

  /** This caller in the context given, for code that runs a call's work on another thread. */
  public Context attachTo(Context context) {
    return context.withValue(KEY, this);
  }
}
