package com.cps.dcs.kernel.crdt;

/** Positive-negative counter: two grow-only counters, value = increments - decrements. Stock per product. */
public record PnCounter(GCounter increments, GCounter decrements) implements Crdt {

  public static PnCounter empty() {
    return new PnCounter(GCounter.empty(), GCounter.empty());
  }

  public PnCounter increment(String node, long n) {
    return new PnCounter(increments.increment(node, n), decrements);
  }

  public PnCounter decrement(String node, long n) {
    return new PnCounter(increments, decrements.increment(node, n));
  }

  public long value() {
    return increments.value() - decrements.value();
  }

  @Override
  public PnCounter merge(Crdt other) {
    if (!(other instanceof PnCounter p)) {
      throw Crdt.typeMismatch(this, other);
    }
    return new PnCounter(increments.merge(p.increments), decrements.merge(p.decrements));
  }

  @Override
  public String typeName() {
    return "PNCounter";
  }

  @Override
  public com.cps.dcs.proto.v4.PNCounter toProto(String nodeId) {
    return com.cps.dcs.proto.v4.PNCounter.newBuilder()
        .setNodeId(nodeId)
        .putAllIncrements(increments.counts())
        .putAllDecrements(decrements.counts())
        .build();
  }

  public static PnCounter fromProto(com.cps.dcs.proto.v4.PNCounter p) {
    return new PnCounter(new GCounter(p.getIncrementsMap()), new GCounter(p.getDecrementsMap()));
  }
}
