package com.cps.dcs.service.auth;

import com.cps.dcs.kernel.auth.RevocationSet;
import com.cps.dcs.kernel.auth.TokenKeys;
import com.cps.dcs.kernel.auth.TokenVerifier;
import com.cps.dcs.service.keys.KeyMaterial;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;

/**
 * The one interceptor that checks every caller against the {@link RpcTable}:
 *
 * <ol>
 *   <li>an RPC open in the table (health, reflection, PosService with its session in the body) passes untouched;
 *   <li>otherwise the {@code authorization: Bearer} credential is authenticated ({@link CallerAuthenticator}):
 *       missing, malformed, expired, revoked, forged or another tenant's is UNAUTHENTICATED;
 *   <li>an RPC missing from the table is PERMISSION_DENIED to everyone;
 *   <li>a caller without one of the RPC's roles, or read-only on an RPC that writes, is PERMISSION_DENIED naming
 *       what is missing;
 *   <li>when the RPC names a branch or event types in its request and the caller's scope is not all of them, each
 *       request message is checked as it arrives ({@link ScopedListener}): the service does not start before the
 *       first message is found within scope, and a stream is ended at the first message outside it.
 * </ol>
 *
 * On success the {@link Caller} is in the call's {@link Context}: {@link Caller#current()}.
 */
public final class CallerInterceptor implements ServerInterceptor {
  private final RpcTable table;
  private final CallerAuthenticator authenticator;
  private final Optional<String> servedBranch;

  /**
   * @param servedBranch the branch this server serves (a local agent), which an empty branch field means; empty on
   *     a server of several branches (a region, the query service), where an empty field means every branch
   */
  public CallerInterceptor(RpcTable table, CallerAuthenticator authenticator, Optional<String> servedBranch) {
    this.table = table;
    this.authenticator = authenticator;
    this.servedBranch = servedBranch;
  }

  /**
   * The interceptor of a DCS service: {@link DcsRpcTable}, the tenant's token key from the key folder
   * ({@code DCS_KEY_DIR}; the public file alone is enough), and {@code DCS_ADMIN_TOKEN} when set.
   *
   * @throws IllegalArgumentException when {@code DCS_ADMIN_TOKEN} is set but too short: the service must not start
   */
  public static CallerInterceptor forService(Map<String, String> env, String tenantId, Optional<String> servedBranch,
      RevocationSet revocations, InstantSource clock) {
    TokenKeys keys = TokenKeys.loadForVerification(KeyMaterial.keyDir(env), tenantId);
    TokenVerifier verifier = new TokenVerifier(tenantId, keys, revocations, clock);
    return new CallerInterceptor(DcsRpcTable.TABLE,
        new CallerAuthenticator(verifier, BootstrapAdmin.fromEnvironment(env)), servedBranch);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Optional<RpcRule> rule = table.find(method);
    if (rule.isPresent() && rule.get().check() != RpcRule.Check.BEARER) {
      return next.startCall(call, headers);
    }
    Caller caller;
    try {
      caller = authenticator.authenticate(headers);
    } catch (StatusRuntimeException e) {
      return refuse(call, e);
    }
    if (rule.isEmpty()) {
      return refuse(call, CallerChecks.notInTable(method).toStatus());
    }
    Optional<CallerChecks.Denial> denied = CallerChecks.call(rule.get(), caller);
    if (denied.isPresent()) {
      return refuse(call, denied.get().toStatus());
    }
    Context context = caller.attachTo(Context.current());
    if (!CallerChecks.needsMessages(rule.get(), caller)) {
      return Contexts.interceptCall(context, call, headers, next);
    }
    return ScopedListener.start(call, headers, next, context, rule.get(), caller, servedBranch);
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, StatusRuntimeException e) {
    call.close(e.getStatus(), e.getTrailers() == null ? new Metadata() : e.getTrailers());
    return new ServerCall.Listener<>() {};
  }
}
