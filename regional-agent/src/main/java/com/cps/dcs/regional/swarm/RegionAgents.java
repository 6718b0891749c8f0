package com.cps.dcs.regional.swarm;

import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.proto.region.v1.RegionCommand;
import com.cps.dcs.proto.region.v1.RegionReply;
import com.cps.dcs.proto.region.v1.RegisterAgent;
import com.cps.dcs.proto.v4.AgentRegistration;
import com.cps.dcs.regional.raft.RegionNode;
import com.cps.dcs.swarm.AgentDirectory;
import com.cps.dcs.swarm.Commits;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The region's agent registry: replicated through Raft, read from this node's applied state. */
public final class RegionAgents implements AgentDirectory {
  private static final Logger log = LoggerFactory.getLogger(RegionAgents.class);
  private final RegionNode node;

  public RegionAgents(RegionNode node) {
    this.node = node;
  }

  @Override
  public Optional<AgentRegistration> find(String agentId) {
    return node.stateMachine().read(s -> s.agent(agentId));
  }

  @Override
  public boolean register(AgentRegistration reg, long atMs) {
    Optional<AgentRegistration> known = find(reg.getAgentId());
    if (known.isPresent() && known.get().getPublicKey().equals(reg.getPublicKey())
        && known.get().getBranchId().equals(reg.getBranchId()) && known.get().getStatus() == reg.getStatus()) {
      return true; // nothing new: no log entry for every heartbeat
    }
    RegionReply reply = Commits.await(node.submit(RegionCommand.newBuilder().setRegister(RegisterAgent.newBuilder()
        .setRegistration(reg).setAtMs(atMs)).build()));
    if (!reply.getRegistered()) {
      return false;
    }
    // The caller's next call (its events) may come to this node: make sure it has applied the registration.
    try {
      if (!node.awaitApplied(reply.getRaftIndex(), Commits.TIMEOUT)) {
        throw new RefusedException(new Refusal.Unavailable("this node is behind the region's leader; retry"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RefusedException(new Refusal.Unavailable("interrupted"));
    }
    log.info("registered agent {} of branch {}", reg.getAgentId(), reg.getBranchId());
    return true;
  }
}
