package com.cps.dcs.swarm;

import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.proto.v4.AgentMessage;
import com.cps.dcs.proto.v4.AgentRegistration;
import java.util.Optional;

/** The agents a tier knows, with the public keys their events and messages must verify against. */
public interface AgentDirectory {
  Optional<AgentRegistration> find(String agentId);

  /**
   * Records a registration the core has verified (signed by the key it carries).
   *
   * @return false when the agent is known here with another key (the registration is refused)
   * @throws RefusedException {@code Unavailable} when the tier cannot record it now
   */
  boolean register(AgentRegistration registration, long atMs);

  /** Keeps a message from a registered agent whose signature verified (a tier may keep none). */
  default void deliver(AgentMessage message) {}
}
