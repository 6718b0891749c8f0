package com.cps.dcs.localagent.store;

import com.cps.dcs.kernel.crdt.Crdt;
import java.util.List;
import java.util.Optional;

/** Read access to CRDTs and documents: inside a transaction ({@link LocalTx}) or outside ({@link LocalStore}). */
public interface StateView {
  /** The branch this state belongs to (the node id of its own CRDT entries). */
  String branchId();

  Optional<Crdt> crdt(String crdtId);

  Optional<byte[]> document(String collection, String id);

  List<byte[]> documents(String collection);
}
