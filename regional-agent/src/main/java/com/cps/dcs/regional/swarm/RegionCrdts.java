package com.cps.dcs.regional.swarm;

import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.proto.region.v1.MergeCrdt;
import com.cps.dcs.proto.region.v1.RegionCommand;
import com.cps.dcs.proto.region.v1.RegionReply;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.regional.raft.RegionNode;
import com.cps.dcs.swarm.Commits;
import com.cps.dcs.swarm.CrdtStore;
import java.util.List;
import java.util.Optional;

/** The region's CRDTs: merged in the replicated state (one Raft entry per upload), read from this node. */
public final class RegionCrdts implements CrdtStore {
  private final RegionNode node;

  public RegionCrdts(RegionNode node) {
    this.node = node;
  }

  @Override
  public List<CRDTStateBundle> merge(List<CRDTStateBundle> bundles, String fromAgent) {
    RegionReply reply = Commits.await(node.submit(RegionCommand.newBuilder().setMerge(MergeCrdt.newBuilder()
        .addAllBundles(bundles).setFromAgent(fromAgent)).build()));
    if (!reply.getReason().isEmpty()) {
      throw new RefusedException(Refusal.Invalid.of("bundles", reply.getReason()));
    }
    return reply.getMergedList();
  }

  @Override
  public List<CRDTStateBundle> all() {
    return node.stateMachine().read(s -> s.crdts());
  }

  @Override
  public Optional<CRDTStateBundle> snapshot(String branchId) {
    return all().stream().filter(c -> branchId.isEmpty() || c.getCrdtId().contains(branchId)).findFirst();
  }
}
