package com.cps.dcs.kernel.clock;

import com.cps.dcs.proto.v4.HybridLogicalClock;
import java.util.Comparator;
import java.util.Objects;

/**
 * One reading of a hybrid logical clock: physical milliseconds, a logical counter for events within the same
 * millisecond, the node that produced it, and a per-node monotonic event counter.
 *
 * <p>Order: physical time, then logical, then node id (a deterministic tie-break between nodes). The per-node
 * {@code counter} is diagnostic and does not take part in the order.
 */
public record Hlc(long physicalMs, int logical, String nodeId, int counter) implements Comparable<Hlc> {

  private static final Comparator<Hlc> ORDER =
      Comparator.comparingLong(Hlc::physicalMs).thenComparingInt(Hlc::logical).thenComparing(Hlc::nodeId);

  public Hlc {
    Objects.requireNonNull(nodeId, "nodeId");
    if (physicalMs < 0 || logical < 0) {
      throw new IllegalArgumentException("negative HLC component: " + physicalMs + "/" + logical);
    }
  }

  /** The clock before any event of {@code nodeId}. */
  public static Hlc zero(String nodeId) {
    return new Hlc(0, 0, nodeId, 0);
  }

  @Override
  public int compareTo(Hlc other) {
    return ORDER.compare(this, other);
  }

  /** True when this reading is strictly after {@code other}. */
  public boolean isAfter(Hlc other) {
    return compareTo(other) > 0;
  }

  public HybridLogicalClock toProto() {
    return HybridLogicalClock.newBuilder()
        .setPhysicalMs(physicalMs)
        .setLogical(logical)
        .setNodeId(nodeId)
        .setCounter(counter)
        .build();
  }

  public static Hlc fromProto(HybridLogicalClock p) {
    return new Hlc(p.getPhysicalMs(), p.getLogical(), p.getNodeId(), p.getCounter());
  }

  /** Compact, sortable text form ({@code physical.logical@node}), for logs and cursors. */
  @Override
  public String toString() {
    return physicalMs + "." + logical + "@" + nodeId;
  }
}
