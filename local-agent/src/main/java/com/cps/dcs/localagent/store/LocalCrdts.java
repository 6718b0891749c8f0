package com.cps.dcs.localagent.store;

import com.cps.dcs.eventstore.sqlite.SqliteEventLog.CrdtRow;
import com.cps.dcs.eventstore.sqlite.SqliteEventLog;
import com.cps.dcs.kernel.clock.ClockDriftException;
import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.clock.HlcClock;
import com.cps.dcs.kernel.crdt.Crdt;
import com.cps.dcs.kernel.crdt.CrdtBundles;
import com.cps.dcs.kernel.validation.ClockBounds;
import com.cps.dcs.kernel.validation.CrdtRules;
import com.cps.dcs.kernel.validation.Violation;
import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.HybridLogicalClock;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/** The branch's CRDTs inside one transaction: read, replace, and merge a peer's bundle after the shared rules. */
final class LocalCrdts {
  private final Connection c;
  private final String branchId;
  private final HlcClock clock;
  private final InstantSource time;

  LocalCrdts(Connection c, String branchId, HlcClock clock, InstantSource time) {
    this.c = c;
    this.branchId = branchId;
    this.clock = clock;
    this.time = time;
  }

  Optional<Crdt> find(String crdtId) {
    try {
      return SqliteEventLog.crdt(c, crdtId).map(LocalCrdts::toCrdt);
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  void put(String crdtId, Crdt value) {
    try {
      long version = SqliteEventLog.crdt(c, crdtId).map(CrdtRow::version).orElse(0L) + 1;
      Hlc at = clock.now();
      SqliteEventLog.putCrdt(c, new CrdtRow(crdtId, value.typeName(), value.toProto(branchId).toByteArray(),
          at.toProto().toByteArray(), version));
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  /**
   * Merges {@code incoming} into the local CRDT of the same id; returns the merged bundle.
   *
   * @throws AppendRefused.Invalid naming every field the CRDT rules refuse, or a type other than the local one's
   */
  CRDTStateBundle merge(CRDTStateBundle incoming) {
    List<Violation> bad = CrdtRules.check("", incoming, ClockBounds.withDrift(clock.maxDrift()), time.millis());
    if (!bad.isEmpty()) {
      throw new AppendRefused.Invalid(bad);
    }
    Crdt in = CrdtBundles.fromBundle(incoming);
    try {
      Optional<CrdtRow> row = SqliteEventLog.crdt(c, incoming.getCrdtId());
      Crdt merged = row.map(r -> {
        Crdt local = toCrdt(r);
        if (!local.typeName().equals(in.typeName())) {
          throw new AppendRefused.Invalid("crdt_type", incoming.getCrdtId() + " is a " + local.typeName()
              + " here, not a " + in.typeName());
        }
        return local.merge(in);
      }).orElse(in);
      if (incoming.hasLastUpdated()) {
        try {
          clock.receive(Hlc.fromProto(incoming.getLastUpdated()));
        } catch (ClockDriftException e) {
          throw new AppendRefused.Invalid("last_updated", e.getMessage());
        }
      }
      boolean changed = row.map(r -> !toCrdt(r).equals(merged)).orElse(true);
      if (changed) {
        put(incoming.getCrdtId(), merged);
      }
      CrdtRow now = SqliteEventLog.crdt(c, incoming.getCrdtId()).orElseThrow();
      return CrdtBundles.toBundle(branchId, now.crdtId(), merged, hlcOf(now), now.version());
    } catch (SQLException e) {
      throw LocalStore.sql(e);
    }
  }

  static Crdt toCrdt(CrdtRow r) {
    return CrdtBundles.fromBundle(CRDTStateBundle.newBuilder().setCrdtId(r.crdtId()).setCrdtType(r.crdtType())
        .setSerializedState(ByteString.copyFrom(r.state())).build());
  }

  static Hlc hlcOf(CrdtRow r) {
    try {
      return Hlc.fromProto(HybridLogicalClock.parseFrom(r.updatedAt()));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored CRDT clock of " + r.crdtId() + " is corrupt", e);
    }
  }
}
