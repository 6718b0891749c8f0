package com.cps.dcs.localagent.swarm;

import com.cps.dcs.eventstore.sqlite.SqliteEventLog;
import com.cps.dcs.eventstore.sqlite.SqliteEventLog.PeerRow;
import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.IntegrityException;
import com.cps.dcs.kernel.event.EventVerifier;
import com.cps.dcs.localagent.store.AppendRefused;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.proto.v4.AgentRegistration;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Optional;

/**
 * Agents this branch trusts, with their public keys, learnt from registrations over {@code AgentCommunication}
 * (trust on first registration: a later registration with another key for the same agent is refused). Events
 * signed by an agent not in the registry are refused.
 */
public final class PeerRegistry {
  private final LocalStore store;
  private final EventVerifier verifier;

  public PeerRegistry(LocalStore store, EventVerifier verifier) {
    this.store = store;
    this.verifier = verifier;
  }

  /**
   * Registers or refreshes a peer.
   *
   * @return false when the agent is already known with another key (the registration is refused)
   */
  public boolean register(AgentRegistration r, long nowMs) {
    if (r.getAgentId().isEmpty() || r.getPublicKey().isEmpty()) {
      throw new AppendRefused.Invalid("payload", "a registration needs agent_id and public_key");
    }
    AgentKeys.publicKeyFromX509(r.getPublicKey().toByteArray()); // refuses a key that does not parse
    return store.transaction(tx -> {
      try {
        Optional<PeerRow> known = SqliteEventLog.peer(tx.connection(), r.getAgentId());
        if (known.isPresent() && !Arrays.equals(known.get().publicKey(), r.getPublicKey().toByteArray())) {
          return false;
        }
        SqliteEventLog.putPeer(tx.connection(),
            new PeerRow(r.getAgentId(), r.getPublicKey().toByteArray(), r.toByteArray(), nowMs));
        return true;
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  public Optional<PublicKey> keyOf(String agentId) {
    return store.read(c -> SqliteEventLog.peer(c, agentId))
        .map(p -> AgentKeys.publicKeyFromX509(p.publicKey()));
  }

  /**
   * Verifies a peer's sealed event: known agent, same tenant, HMAC, hash and signature.
   *
   * @throws AppendRefused.Untrusted naming what failed
   */
  public void verify(SovereignFinancialEvent e) {
    if (!e.getTenantId().equals(store.tenantId())) {
      throw new AppendRefused.Untrusted("event " + e.getEventId() + " belongs to tenant " + e.getTenantId());
    }
    PublicKey key = keyOf(e.getAgentId()).orElseThrow(() -> new AppendRefused.Untrusted(
        "agent " + e.getAgentId() + " is not registered with this agent; its events are refused"));
    try {
      verifier.verify(e, key);
    } catch (IntegrityException ex) {
      throw new AppendRefused.Untrusted("event " + e.getEventId() + " does not verify: " + ex.getMessage());
    }
  }
}
