package com.cps.dcs.swarm;

import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import java.util.List;
import java.util.Optional;

/** A tier's CRDT state: merged from what branches send, and sent back. */
public interface CrdtStore {
  /**
   * Merges bundles the core has checked, all or none, and answers the merged state of each, in order.
   *
   * @param fromAgent the registered agent that signed the upload (empty where the tier takes unsigned uploads)
   * @throws RefusedException why the merge was refused (nothing was merged)
   */
  List<CRDTStateBundle> merge(List<CRDTStateBundle> bundles, String fromAgent);

  /** Every CRDT this tier holds. */
  List<CRDTStateBundle> all();

  /** The CRDT a reconciliation of {@code branchId} (empty: the whole tier) attaches when asked to. */
  Optional<CRDTStateBundle> snapshot(String branchId);
}
