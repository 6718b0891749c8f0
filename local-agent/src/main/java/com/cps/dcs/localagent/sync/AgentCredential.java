package com.cps.dcs.localagent.sync;

import com.cps.dcs.kernel.auth.Role;
import com.cps.dcs.kernel.auth.TokenScope;
import com.cps.dcs.service.auth.TokenMinter;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the branch's sync client shows itself to its region: as role {@code agent} for its own branch, with
 * {@code authorization: Bearer <token>} on every call.
 *
 * <ul>
 *   <li>When the key folder holds the tenant's token key pair (or no token key yet: the pair is then created, as
 *       the agent's own server does), the agent mints its own short-lived token ({@link #LIFE}) and mints the next
 *       one {@link #RENEW_BEFORE} before it expires.
 *   <li>When the folder holds only the public token key (a branch that verifies but cannot mint), it presents
 *       {@code DCS_AGENT_TOKEN} when set; otherwise it presents nothing and says at start that the region will
 *       refuse it.
 * </ul>
 */
public final class AgentCredential {
  private static final Logger log = LoggerFactory.getLogger(AgentCredential.class);
  /** The life of a self-minted agent token. */
  static final Duration LIFE = Duration.ofHours(1);
  /** How long before its expiry a self-minted token is replaced. */
  static final Duration RENEW_BEFORE = Duration.ofMinutes(10);
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final TokenMinter minter;
  private final String agentId;
  private final String branchId;
  private final String fixedToken;
  private final InstantSource clock;
  private TokenMinter.Minted current;

  private AgentCredential(TokenMinter minter, String agentId, String branchId, String fixedToken,
      InstantSource clock) {
    this.minter = minter;
    this.agentId = agentId;
    this.branchId = branchId;
    this.fixedToken = fixedToken;
    this.clock = clock;
  }

  /**
   * The credential of agent {@code agentId} of {@code branchId}.
   *
   * @param agentTokenOrNull {@code DCS_AGENT_TOKEN}: used only when the key folder cannot mint
   */
  public static AgentCredential of(Path keyDir, String tenantId, String branchId, String agentId,
      String agentTokenOrNull, InstantSource clock) {
    boolean verifyOnly = Files.exists(keyDir.resolve("token-" + tenantId + ".pub"))
        && !Files.exists(keyDir.resolve("token-" + tenantId + ".key"));
    if (!verifyOnly) {
      return new AgentCredential(TokenMinter.fromKeyDir(keyDir, tenantId, clock), agentId, branchId, null, clock);
    }
    String fixed = agentTokenOrNull == null || agentTokenOrNull.isBlank() ? null : agentTokenOrNull.strip();
    if (fixed == null) {
      log.warn("the key folder {} holds only the public token key of tenant {} and DCS_AGENT_TOKEN is unset: this"
          + " agent cannot show the region who it is, and the region will refuse its sync (UNAUTHENTICATED)", keyDir,
          tenantId);
    } else {
      log.info("the key folder holds only the public token key: syncing with DCS_AGENT_TOKEN");
    }
    return new AgentCredential(null, agentId, branchId, fixed, clock);
  }

  /** The token to present now, minting a fresh one when the current is missing or about to expire. */
  public synchronized Optional<String> token() {
    if (minter == null) {
      return Optional.ofNullable(fixedToken);
    }
    if (current == null || !clock.instant().isBefore(current.claims().expiresAt().minus(RENEW_BEFORE))) {
      current = minter.mint(agentId, EnumSet.of(Role.AGENT), TokenScope.branches(List.of(branchId)), LIFE);
    }
    return Optional.of(current.token());
  }

  /** Attaches the current token to every call of a channel (nothing when there is none). */
  public ClientInterceptor interceptor() {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            token().ifPresent(t -> headers.put(AUTHORIZATION, "Bearer " + t));
            super.start(listener, headers);
          }
        };
      }
    };
  }

  @Override
  public String toString() {
    return "AgentCredential[" + agentId + " of " + branchId + (minter != null ? ", self-minted"
        : fixedToken != null ? ", DCS_AGENT_TOKEN" : ", none") + "]"; // never the token
  }
}
