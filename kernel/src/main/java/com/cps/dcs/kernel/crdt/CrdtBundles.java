package com.cps.dcs.kernel.crdt;

import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;

/** Conversion between CRDT values and the seed's {@code CRDTStateBundle} sync envelope. */
public final class CrdtBundles {
  private CrdtBundles() {}

  public static CRDTStateBundle toBundle(String branchId, String crdtId, Crdt crdt, Hlc lastUpdated, long version) {
    return CRDTStateBundle.newBuilder()
        .setBranchId(branchId)
        .setCrdtType(crdt.typeName())
        .setCrdtId(crdtId)
        .setSerializedState(crdt.toProto(branchId).toByteString())
        .setLastUpdated(lastUpdated.toProto())
        .setVersion(version)
        .build();
  }

  /**
   * The CRDT carried by {@code bundle}.
   *
   * @throws IllegalArgumentException for an unknown type or a state that does not parse
   */
  public static Crdt fromBundle(CRDTStateBundle bundle) {
    if (bundle.getCrdtId().isEmpty()) {
      throw new IllegalArgumentException("crdt_id is empty");
    }
    ByteString s = bundle.getSerializedState();
    try {
      return switch (bundle.getCrdtType()) {
        case "GCounter" -> GCounter.fromProto(com.cps.dcs.proto.v4.GCounter.parseFrom(s));
        case "PNCounter" -> PnCounter.fromProto(com.cps.dcs.proto.v4.PNCounter.parseFrom(s));
        case "ORSet" -> OrSet.fromProto(com.cps.dcs.proto.v4.ORSet.parseFrom(s));
        case "LWWRegister" -> LwwRegister.fromProto(com.cps.dcs.proto.v4.LWWRegister.parseFrom(s));
        default -> throw new IllegalArgumentException(
            "unknown crdt_type '" + bundle.getCrdtType() + "' (GCounter, PNCounter, ORSet, LWWRegister)");
      };
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "serialized_state of " + bundle.getCrdtId() + " is not a valid " + bundle.getCrdtType(), e);
    }
  }

  /** Merges two bundles of the same CRDT; the result is stamped with the later clock and the higher version. */
  public static CRDTStateBundle merge(CRDTStateBundle a, CRDTStateBundle b) {
    if (!a.getCrdtId().equals(b.getCrdtId())) {
      throw new IllegalArgumentException("different CRDTs: " + a.getCrdtId() + " and " + b.getCrdtId());
    }
    Crdt merged = fromBundle(a).merge(fromBundle(b));
    Hlc ha = Hlc.fromProto(a.getLastUpdated());
    Hlc hb = Hlc.fromProto(b.getLastUpdated());
    return toBundle(
        a.getBranchId(), a.getCrdtId(), merged, ha.compareTo(hb) >= 0 ? ha : hb, Math.max(a.getVersion(), b.getVersion()));
  }
}
