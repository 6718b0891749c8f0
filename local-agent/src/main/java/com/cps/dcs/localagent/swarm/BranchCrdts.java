package com.cps.dcs.localagent.swarm;

import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.localagent.store.AppendRefused;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.swarm.CrdtStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The branch's CRDTs in its SQLite file, merged in one transaction per upload. */
public final class BranchCrdts implements CrdtStore {
  private final LocalStore store;

  public BranchCrdts(LocalStore store) {
    this.store = store;
  }

  @Override
  public List<CRDTStateBundle> merge(List<CRDTStateBundle> bundles, String fromAgent) {
    try {
      return store.transaction(tx -> {
        List<CRDTStateBundle> merged = new ArrayList<>();
        for (CRDTStateBundle b : bundles) {
          merged.add(tx.mergeBundle(b));
        }
        return merged;
      });
    } catch (AppendRefused r) {
      throw new RefusedException(Errors.refusal(r));
    } catch (IllegalArgumentException e) {
      throw new RefusedException(Refusal.Invalid.of("serialized_state", e.getMessage()));
    }
  }

  @Override
  public List<CRDTStateBundle> all() {
    return store.crdtBundles("");
  }

  @Override
  public Optional<CRDTStateBundle> snapshot(String branchId) {
    return store.crdtBundles("tx-count").stream().findFirst();
  }
}
