package com.cps.dcs.regional.state;

import com.cps.dcs.kernel.crdt.Crdt;
import com.cps.dcs.kernel.crdt.CrdtBundles;
import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.proto.region.v1.RegionSnapshot;
import com.cps.dcs.proto.v4.AgentRegistration;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The state every node of a region replicates through Raft, apart from the events themselves (those live in
 * PostgreSQL): the registered agents with their public keys, and the region's merged CRDTs. Deterministic: the same
 * commands in the same order give the same state on every node. Not thread-safe; the state machine serialises access.
 */
public final class RegionState {
  private final String regionId;
  private final TreeMap<String, AgentRegistration> agents = new TreeMap<>();
  private final TreeMap<String, CRDTStateBundle> crdts = new TreeMap<>();
  private long eventsStored;
  private long duplicates;

  public RegionState(String regionId) {
    this.regionId = regionId;
  }

  /**
   * Registers an agent or refreshes its registration (trust on first registration).
   *
   * @return false when the agent is registered with another public key; nothing changes then
   */
  public boolean register(AgentRegistration r) {
    AgentRegistration known = agents.get(r.getAgentId());
    if (known != null && !known.getPublicKey().equals(r.getPublicKey())) {
      return false;
    }
    agents.put(r.getAgentId(), r);
    return true;
  }

  public Optional<AgentRegistration> agent(String agentId) {
    return Optional.ofNullable(agents.get(agentId));
  }

  public List<AgentRegistration> agents() {
    return List.copyOf(agents.values());
  }

  /**
   * Merges incoming bundles into the region's state; a bundle whose merge changes the state gets the next version.
   *
   * @return the region's merged bundle for each incoming one, in order
   * @throws IllegalArgumentException for a bundle that does not parse or whose type differs from the region's
   */
  public List<CRDTStateBundle> merge(List<CRDTStateBundle> incoming) {
    // Check everything first: a command is applied whole or not at all.
    for (CRDTStateBundle b : incoming) {
      Crdt in = CrdtBundles.fromBundle(b);
      CRDTStateBundle known = crdts.get(b.getCrdtId());
      if (known != null && !known.getCrdtType().equals(in.typeName())) {
        throw new IllegalArgumentException(b.getCrdtId() + " is a " + known.getCrdtType() + " in this region, not a "
            + in.typeName());
      }
    }
    List<CRDTStateBundle> out = new ArrayList<>();
    for (CRDTStateBundle b : incoming) {
      CRDTStateBundle known = crdts.get(b.getCrdtId());
      Crdt in = CrdtBundles.fromBundle(b);
      Hlc stamp = Hlc.fromProto(b.getLastUpdated());
      CRDTStateBundle next;
      if (known == null) {
        next = CrdtBundles.toBundle(regionId, b.getCrdtId(), in, stamp, 1);
      } else {
        Crdt before = CrdtBundles.fromBundle(known);
        Crdt merged = before.merge(in);
        if (merged.equals(before)) {
          next = known;
        } else {
          Hlc was = Hlc.fromProto(known.getLastUpdated());
          next = CrdtBundles.toBundle(regionId, b.getCrdtId(), merged, was.compareTo(stamp) >= 0 ? was : stamp,
              known.getVersion() + 1);
        }
      }
      crdts.put(b.getCrdtId(), next);
      out.add(next);
    }
    return out;
  }

  public List<CRDTStateBundle> crdts() {
    return List.copyOf(crdts.values());
  }

  public Optional<CRDTStateBundle> crdt(String id) {
    return Optional.ofNullable(crdts.get(id));
  }

  public void countEvents(long stored, long duplicated) {
    eventsStored += stored;
    duplicates += duplicated;
  }

  public long eventsStored() {
    return eventsStored;
  }

  public long duplicates() {
    return duplicates;
  }

  public RegionSnapshot toSnapshot(long term, long index) {
    return RegionSnapshot.newBuilder().setTerm(term).setIndex(index).addAllAgents(agents.values())
        .addAllCrdts(crdts.values()).setEventsStored(eventsStored).setDuplicates(duplicates).build();
  }

  /** Replaces this state with a snapshot's. */
  public void restore(RegionSnapshot s) {
    agents.clear();
    crdts.clear();
    s.getAgentsList().forEach(a -> agents.put(a.getAgentId(), a));
    s.getCrdtsList().forEach(c -> crdts.put(c.getCrdtId(), c));
    eventsStored = s.getEventsStored();
    duplicates = s.getDuplicates();
  }
}
