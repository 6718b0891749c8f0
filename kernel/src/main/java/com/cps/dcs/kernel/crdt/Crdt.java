package com.cps.dcs.kernel.crdt;

/**
 * A state-based CRDT: {@link #merge} is commutative, associative and idempotent, so replicas that have seen the same
 * updates in any order, any number of times, hold the same value.
 */
public sealed interface Crdt permits GCounter, PnCounter, OrSet, LwwRegister {

  /** The least upper bound of this state and {@code other}, which must be of the same type. */
  Crdt merge(Crdt other);

  /** The seed's type name: "GCounter", "PNCounter", "ORSet" or "LWWRegister". */
  String typeName();

  /** The state as the seed's protobuf message, stamped with the replica id {@code nodeId}. */
  com.google.protobuf.Message toProto(String nodeId);

  static IllegalArgumentException typeMismatch(Crdt a, Crdt b) {
    return new IllegalArgumentException("cannot merge " + a.typeName() + " with " + b.typeName());
  }
}
