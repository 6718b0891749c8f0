package com.cps.dcs.kernel.clock;

import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** A vector clock: one tick count per node. Immutable. */
public record VectorClock(Map<String, Long> ticks) {

  /** How two vector clocks relate. */
  public enum Causality {
    BEFORE,
    AFTER,
    EQUAL,
    CONCURRENT
  }

  public VectorClock {
    TreeMap<String, Long> copy = new TreeMap<>();
    ticks.forEach(
        (node, t) -> {
          if (t < 0) {
            throw new IllegalArgumentException("negative tick for " + node);
          }
          if (t > 0) {
            copy.put(node, t);
          }
        });
    ticks = Collections.unmodifiableMap(copy);
  }

  public static VectorClock empty() {
    return new VectorClock(Map.of());
  }

  public long tick(String node) {
    return ticks.getOrDefault(node, 0L);
  }

  public VectorClock increment(String node) {
    TreeMap<String, Long> next = new TreeMap<>(ticks);
    next.merge(node, 1L, Long::sum);
    return new VectorClock(next);
  }

  /** The pointwise maximum: the clock of an event that has seen both. */
  public VectorClock merge(VectorClock other) {
    TreeMap<String, Long> next = new TreeMap<>(ticks);
    other.ticks.forEach((node, t) -> next.merge(node, t, Math::max));
    return new VectorClock(next);
  }

  /** Whether this clock happened before, after, equal to, or concurrently with {@code other}. */
  public Causality compare(VectorClock other) {
    boolean less = false;
    boolean greater = false;
    Set<String> nodes = new HashSet<>(ticks.keySet());
    nodes.addAll(other.ticks.keySet());
    for (String node : nodes) {
      long a = tick(node);
      long b = other.tick(node);
      if (a < b) {
        less = true;
      } else if (a > b) {
        greater = true;
      }
    }
    if (less && greater) {
      return Causality.CONCURRENT;
    }
    if (less) {
      return Causality.BEFORE;
    }
    return greater ? Causality.AFTER : Causality.EQUAL;
  }

  public com.cps.dcs.proto.v4.VectorClock toProto() {
    return com.cps.dcs.proto.v4.VectorClock.newBuilder().putAllNodeTicks(ticks).build();
  }

  public static VectorClock fromProto(com.cps.dcs.proto.v4.VectorClock p) {
    return new VectorClock(p.getNodeTicksMap());
  }
}
