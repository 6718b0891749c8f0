package com.cps.dcs.kernel.crdt;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** Grow-only counter: one count per node, merged by maximum. */
public record GCounter(Map<String, Long> counts) implements Crdt {

  public GCounter {
    TreeMap<String, Long> copy = new TreeMap<>();
    counts.forEach(
        (node, n) -> {
          if (n < 0) {
            throw new IllegalArgumentException("negative count for " + node);
          }
          if (n > 0) {
            copy.put(node, n);
          }
        });
    counts = Collections.unmodifiableMap(copy);
  }

  public static GCounter empty() {
    return new GCounter(Map.of());
  }

  public GCounter increment(String node, long n) {
    if (n < 0) {
      throw new IllegalArgumentException("a GCounter only grows: " + n);
    }
    TreeMap<String, Long> next = new TreeMap<>(counts);
    next.merge(node, n, Math::addExact);
    return new GCounter(next);
  }

  public long value() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  @Override
  public GCounter merge(Crdt other) {
    if (!(other instanceof GCounter g)) {
      throw Crdt.typeMismatch(this, other);
    }
    TreeMap<String, Long> next = new TreeMap<>(counts);
    g.counts.forEach((node, n) -> next.merge(node, n, Math::max));
    return new GCounter(next);
  }

  @Override
  public String typeName() {
    return "GCounter";
  }

  @Override
  public com.cps.dcs.proto.v4.GCounter toProto(String nodeId) {
    return com.cps.dcs.proto.v4.GCounter.newBuilder().setNodeId(nodeId).putAllIncrements(counts).build();
  }

  public static GCounter fromProto(com.cps.dcs.proto.v4.GCounter p) {
    return new GCounter(p.getIncrementsMap());
  }
}
