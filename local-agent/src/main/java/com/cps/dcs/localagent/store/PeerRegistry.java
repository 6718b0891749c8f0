package com.cps.dcs.localagent.store;

import com.cps.dcs.eventstore.sqlite.SqliteEventLog;
import com.cps.dcs.eventstore.sqlite.SqliteEventLog.PeerRow;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.proto.v4.AgentMessage;
import com.cps.dcs.proto.v4.AgentRegistration;
import com.cps.dcs.swarm.AgentDirectory;
import com.google.protobuf.InvalidProtocolBufferException;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Optional;

/**
 * The agents this branch knows, with their public keys, in its SQLite file: learnt from registrations over
 * {@code AgentCommunication} (a later registration with another key for the same agent is refused). The swarm core
 * checks events and messages against them (the branch's {@link AgentDirectory}: a storage adapter, so it lives with
 * the store).
 */
public final class PeerRegistry implements AgentDirectory {
  private final LocalStore store;

  public PeerRegistry(LocalStore store) {
    this.store = store;
  }

  @Override
  public boolean register(AgentRegistration r, long atMs) {
    return store.transaction(tx -> {
      try {
        Optional<PeerRow> known = SqliteEventLog.peer(tx.connection(), r.getAgentId());
        if (known.isPresent() && !Arrays.equals(known.get().publicKey(), r.getPublicKey().toByteArray())) {
          return false;
        }
        SqliteEventLog.putPeer(tx.connection(),
            new PeerRow(r.getAgentId(), r.getPublicKey().toByteArray(), r.toByteArray(), atMs));
        return true;
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Override
  public Optional<AgentRegistration> find(String agentId) {
    return store.read(c -> SqliteEventLog.peer(c, agentId)).map(PeerRegistry::registration);
  }

  /** Keeps the message in the branch's documents, where it survives a restart. */
  @Override
  public void deliver(AgentMessage m) {
    store.transaction(tx -> {
      tx.putDocument("agent-messages", m.getMessageId().isEmpty() ? UuidV7.next().toString() : m.getMessageId(),
          m.toByteArray());
      return null;
    });
  }

  private static AgentRegistration registration(PeerRow p) {
    try {
      // The key is the one recorded, whatever the stored registration says.
      return AgentRegistration.parseFrom(p.registration()).toBuilder()
          .setPublicKey(com.google.protobuf.ByteString.copyFrom(p.publicKey())).build();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("the stored registration of " + p.agentId() + " does not parse", e);
    }
  }
}
