package com.cps.dcs.kernel.crdt;

import com.cps.dcs.kernel.clock.Hlc;
import java.util.Objects;

/**
 * Last-writer-wins register ordered by hybrid logical clock; the node id inside the clock breaks ties, and the value
 * breaks the (pathological) tie of two writes with identical clocks, so merge stays deterministic. Prices, settings.
 */
public record LwwRegister(String value, Hlc timestamp) implements Crdt {

  public LwwRegister {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(timestamp, "timestamp");
  }

  /** The register before any write. */
  public static LwwRegister empty() {
    return new LwwRegister("", Hlc.zero(""));
  }

  public boolean isSet() {
    return timestamp.physicalMs() > 0 || timestamp.logical() > 0 || !timestamp.nodeId().isEmpty();
  }

  /** Writes {@code newValue} at {@code at}; a write older than the current one loses. */
  public LwwRegister set(String newValue, Hlc at) {
    return merge(new LwwRegister(newValue, at));
  }

  @Override
  public LwwRegister merge(Crdt other) {
    if (!(other instanceof LwwRegister o)) {
      throw Crdt.typeMismatch(this, other);
    }
    int byClock = timestamp.compareTo(o.timestamp);
    if (byClock != 0) {
      return byClock > 0 ? this : o;
    }
    return value.compareTo(o.value) >= 0 ? this : o;
  }

  @Override
  public String typeName() {
    return "LWWRegister";
  }

  @Override
  public com.cps.dcs.proto.v4.LWWRegister toProto(String nodeId) {
    return com.cps.dcs.proto.v4.LWWRegister.newBuilder()
        .setValue(value)
        .setTimestamp(timestamp.toProto())
        .setNodeId(nodeId)
        .build();
  }

  public static LwwRegister fromProto(com.cps.dcs.proto.v4.LWWRegister p) {
    return new LwwRegister(p.getValue(), Hlc.fromProto(p.getTimestamp()));
  }
}
