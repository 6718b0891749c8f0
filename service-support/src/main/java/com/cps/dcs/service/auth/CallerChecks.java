package com.cps.dcs.service.auth;

import com.cps.dcs.kernel.auth.Role;
import com.cps.dcs.kernel.auth.TokenScope;
import com.cps.dcs.kernel.validation.Texts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.service.grpc.GrpcErrors;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The decisions of the {@link CallerInterceptor}, without gRPC plumbing: whether an authenticated caller may call an
 * RPC (its role, read or write), and whether a request message is within the caller's scope (its branches, its event
 * types). A refusal is a {@link Denial}: PERMISSION_DENIED naming what is missing.
 */
final class CallerChecks {
  static final String ROLE_REQUIRED = "ROLE_REQUIRED";
  static final String WRITE_NOT_IN_SCOPE = "WRITE_NOT_IN_SCOPE";
  static final String BRANCH_NOT_IN_SCOPE = "BRANCH_NOT_IN_SCOPE";
  static final String EVENT_TYPE_NOT_IN_SCOPE = "EVENT_TYPE_NOT_IN_SCOPE";
  static final String RPC_NOT_ALLOWED = "RPC_NOT_ALLOWED";
  /** What a denial names for "every branch" or "every event type". */
  static final String EVERY = "*";

  private CallerChecks() {}

  /** Why a caller may not make a call: PERMISSION_DENIED with an ErrorInfo reason and what is missing. */
  record Denial(String reason, String description, Map<String, String> metadata) {
    StatusRuntimeException toStatus() {
      return GrpcErrors.permissionDenied(reason, description, metadata);
    }
  }

  /** An RPC missing from the table: nobody may call it. */
  static Denial notInTable(String method) {
    return new Denial(RPC_NOT_ALLOWED, method + " is not in the table of roles: no caller may call it",
        Map.of("method", method));
  }

  /** What the headers decide: the caller's roles, read or write, and RPCs that cover every branch or type. */
  static Optional<Denial> call(RpcRule rule, Caller caller) {
    if (caller.roles().stream().noneMatch(rule::allows)) {
      String required = rule.roles().stream().map(Role::wireName).collect(Collectors.joining(","));
      return Optional.of(new Denial(ROLE_REQUIRED, bare(rule) + " needs the role " + required.replace(",", " or ")
          + "; this credential has " + names(caller.roles()),
          Map.of("method", rule.method(), "required_roles", required)));
    }
    TokenScope scope = caller.scope();
    if (rule.access() == Access.WRITE && !scope.write()) {
      return Optional.of(new Denial(WRITE_NOT_IN_SCOPE, bare(rule) + " writes; this credential may only read",
          Map.of("method", rule.method(), "scope", "write")));
    }
    if (rule.branches().kind() == BranchRule.Kind.EVERY_BRANCH && !scope.allBranches()) {
      return Optional.of(branchDenied(rule, EVERY));
    }
    if (rule.eventTypes().kind() == EventTypeRule.Kind.EVERY_TYPE && !scope.allEventTypes()) {
      return Optional.of(typeDenied(rule, EVERY));
    }
    return Optional.empty();
  }

  /** Whether the request messages must be read to decide (a branch or type field and a scope that is not all). */
  static boolean needsMessages(RpcRule rule, Caller caller) {
    return rule.branches().kind() == BranchRule.Kind.FIELD && !caller.scope().allBranches()
        || rule.eventTypes().kind() == EventTypeRule.Kind.FIELD && !caller.scope().allEventTypes();
  }

  /**
   * Whether one request message is within the caller's scope.
   *
   * @param servedBranch the branch this server serves, which an empty branch field means; empty on a server of
   *     several branches, where an empty field means every branch
   */
  static Optional<Denial> message(RpcRule rule, Caller caller, Object message, Optional<String> servedBranch) {
    TokenScope scope = caller.scope();
    if (!scope.allBranches()) {
      for (String named : rule.branches().branchesOf(message)) {
        String branch = named.isEmpty() ? servedBranch.orElse(EVERY) : named;
        if (branch.equals(EVERY) ? !scope.allBranches() : !scope.coversBranch(branch)) {
          return Optional.of(branchDenied(rule, named.isEmpty() ? branch : shown(named)));
        }
      }
    }
    if (!scope.allEventTypes()) {
      Optional<Set<EventType>> types = rule.eventTypes().typesOf(message);
      if (types.isEmpty()) {
        return Optional.of(typeDenied(rule, EVERY));
      }
      for (EventType t : types.get()) {
        if (!scope.coversEventType(t)) {
          return Optional.of(typeDenied(rule, t.name()));
        }
      }
    }
    return Optional.empty();
  }

  private static Denial branchDenied(RpcRule rule, String branch) {
    String what = branch.equals(EVERY) ? "every branch" : "branch " + branch;
    String field = rule.branches().field();
    return new Denial(BRANCH_NOT_IN_SCOPE, bare(rule) + " for " + what
        + (field.isEmpty() ? "" : " (" + field + ")") + " is outside this credential's branches",
        Map.of("method", rule.method(), "scope", "branch", "branch", branch, "field", field));
  }

  private static Denial typeDenied(RpcRule rule, String type) {
    String what = type.equals(EVERY) ? "every event type" : "event type " + type;
    String field = rule.eventTypes().field();
    return new Denial(EVENT_TYPE_NOT_IN_SCOPE, bare(rule) + " for " + what
        + (field.isEmpty() ? "" : " (" + field + ")") + " is outside this credential's event types",
        Map.of("method", rule.method(), "scope", "event_type", "event_type", type, "field", field));
  }

  /** A branch id as the caller sent it, when it is a valid id; a bad one is not echoed back. */
  private static String shown(String id) {
    return Texts.id("branch", id) == null ? id : "(not a valid id)";
  }

  private static String bare(RpcRule rule) {
    return rule.method().substring(rule.method().indexOf('/') + 1);
  }

  private static String names(Set<Role> roles) {
    return roles.stream().map(Role::wireName).collect(Collectors.joining(" and "));
  }
}
