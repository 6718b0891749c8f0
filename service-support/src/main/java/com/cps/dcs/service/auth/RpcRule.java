package com.cps.dcs.service.auth;

import com.cps.dcs.kernel.auth.Role;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Who may call one RPC: an entry of the {@link RpcTable}.
 *
 * @param method the full gRPC method name ({@code package.Service/Method}), or {@code package.Service/*} for a
 *     service open as a whole (health, reflection)
 * @param check how the caller is checked
 * @param roles for {@link Check#BEARER}: the roles allowed (admin always among them); for
 *     {@link Check#SESSION_IN_BODY}: the roles the service itself requires of the session (documentation: the
 *     interceptor does not check them); empty for {@link Check#OPEN}
 * @param access whether the RPC writes (a read-only token may only read)
 * @param branches which branches a call touches, for the caller's branch scope
 * @param eventTypes which event types a call touches, for the caller's event type scope
 * @param note one line for the docs
 */
public record RpcRule(String method, Check check, Set<Role> roles, Access access, BranchRule branches,
    EventTypeRule eventTypes, String note) {

  /** How a call of an RPC is checked. */
  public enum Check {
    /** Anyone: no credential is read (health, reflection). */
    OPEN,
    /**
     * Open at the transport: the service checks a session token the request carries in its body (PosService: a
     * cashier signs in with staff id and PIN). An authorization header never replaces that session.
     */
    SESSION_IN_BODY,
    /** A bearer credential with one of {@code roles}, within its scope. */
    BEARER
  }

  public RpcRule {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(branches, "branches");
    Objects.requireNonNull(eventTypes, "eventTypes");
    roles = roles.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(roles));
    if (check == Check.BEARER && !roles.contains(Role.ADMIN)) {
      throw new IllegalArgumentException(method + ": an admin may call every RPC of the tenant");
    }
    if (check == Check.OPEN && !roles.isEmpty()) {
      throw new IllegalArgumentException(method + ": an open RPC has no roles");
    }
    if (method.endsWith("/*") && check != Check.OPEN) {
      throw new IllegalArgumentException(method + ": only an open service may be named as a whole");
    }
    note = note == null ? "" : note;
  }

  /** The service part of the method name. */
  public String service() {
    return method.substring(0, method.indexOf('/'));
  }

  public boolean allows(Role role) {
    return roles.contains(role);
  }
}
