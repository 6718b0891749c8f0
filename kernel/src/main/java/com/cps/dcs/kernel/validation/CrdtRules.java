package com.cps.dcs.kernel.validation;

import com.cps.dcs.proto.v4.CRDTStateBundle;
import com.cps.dcs.proto.v4.GCounter;
import com.cps.dcs.proto.v4.HybridLogicalClock;
import com.cps.dcs.proto.v4.LWWRegister;
import com.cps.dcs.proto.v4.ORSet;
import com.cps.dcs.proto.v4.PNCounter;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rules for a {@link CRDTStateBundle} that a peer or a client uploads, checked before anything is merged. A merge
 * keeps the larger of two values for ever, so a value that got in once could never be taken back: a price of "-5000",
 * an LWW timestamp in the year 2100 that nothing can override, a counter entry of 2^63-1. What is checked:
 * <ul>
 *   <li>the envelope: {@code crdt_id} a required id, {@code crdt_type} known, {@code serialized_state} at most
 *       {@value #MAX_STATE_BYTES} bytes and a parseable state of that type, {@code last_updated} not ahead of the
 *       receiver's clock by more than the bounds allow (state is as old as it is: no maximum age here);</li>
 *   <li>the state: node ids are ids, at most {@value #MAX_NODES} counter entries, each at most
 *       {@value #MAX_COUNTER_ENTRY}, at most {@value #MAX_ELEMENTS} set elements, every HLC within the bounds;</li>
 *   <li>the catalogue's typed ids: {@code price:<product>} is an LWW register holding a non-negative integer of minor
 *       units (at most {@link EventRules#MAX_AMOUNT_MINOR}); {@code stock:<product>} and {@code reserved:<product>}
 *       are PN-counters; {@code catalog:active} is an OR-set of product ids.</li>
 * </ul>
 */
public final class CrdtRules {
  public static final int MAX_STATE_BYTES = 256 * 1024;
  public static final int MAX_NODES = 1024;
  public static final int MAX_ELEMENTS = 10_000;
  /** The largest count one node may contribute to a counter (a trillion items: no shop moves more). */
  public static final long MAX_COUNTER_ENTRY = 1_000_000_000_000L;
  /** Bundles one upload call may carry; counted as they arrive, so a call never buffers more. */
  public static final int MAX_BUNDLES_PER_CALL = 10_000;

  private static final Map<String, String> TYPED_PREFIXES =
      Map.of("price:", "LWWRegister", "stock:", "PNCounter", "reserved:", "PNCounter");

  private CrdtRules() {}

  /** Every violation of {@code b} ({@code field} prefixes the paths, e.g. {@code bundles[3]}). */
  public static List<Violation> check(String field, CRDTStateBundle b, ClockBounds bounds, long nowMs) {
    String p = field.isEmpty() ? "" : field + ".";
    bounds = bounds.withoutAge();
    List<Violation> out = new ArrayList<>();
    Texts.collect(out, Texts.requiredId(p + "crdt_id", b.getCrdtId()));
    Texts.collect(out, Texts.id(p + "branch_id", b.getBranchId()));
    if (b.hasLastUpdated()) {
      hlc(out, p + "last_updated", b.getLastUpdated(), bounds, nowMs);
    }
    if (b.getSerializedState().size() > MAX_STATE_BYTES) {
      out.add(new Violation(p + "serialized_state", "larger than " + MAX_STATE_BYTES + " bytes"));
      return out;
    }
    String expected = expectedType(b.getCrdtId());
    if (expected != null && !expected.equals(b.getCrdtType())) {
      out.add(new Violation(p + "crdt_type", b.getCrdtId() + " is a " + expected + ", not '" + b.getCrdtType() + "'"));
      return out;
    }
    String s = p + "serialized_state";
    try {
      switch (b.getCrdtType()) {
        case "GCounter" -> counter(out, s + ".increments", GCounter.parseFrom(b.getSerializedState())
            .getIncrementsMap());
        case "PNCounter" -> {
          PNCounter c = PNCounter.parseFrom(b.getSerializedState());
          counter(out, s + ".increments", c.getIncrementsMap());
          counter(out, s + ".decrements", c.getDecrementsMap());
        }
        case "ORSet" -> orSet(out, s, ORSet.parseFrom(b.getSerializedState()), b.getCrdtId(), bounds, nowMs);
        case "LWWRegister" -> lww(out, s, LWWRegister.parseFrom(b.getSerializedState()), b.getCrdtId(), bounds,
            nowMs);
        default -> out.add(new Violation(p + "crdt_type",
            "unknown crdt_type '" + b.getCrdtType() + "' (GCounter, PNCounter, ORSet, LWWRegister)"));
      }
    } catch (InvalidProtocolBufferException e) {
      out.add(new Violation(s, "is not a valid " + b.getCrdtType()));
    }
    return out;
  }

  /** Throws {@link InputRefused} naming every violation of {@link #check}. */
  public static void require(String field, CRDTStateBundle b, ClockBounds bounds, long nowMs) {
    InputRefused.throwIfAny(check(field, b, bounds, nowMs));
  }

  /** The type the catalogue's naming gives {@code crdtId}, or null for an id of no known kind. */
  static String expectedType(String crdtId) {
    if ("catalog:active".equals(crdtId)) {
      return "ORSet";
    }
    for (var e : TYPED_PREFIXES.entrySet()) {
      if (crdtId.startsWith(e.getKey())) {
        return e.getValue();
      }
    }
    return null;
  }

  private static void counter(List<Violation> out, String field, Map<String, Long> entries) {
    if (entries.size() > MAX_NODES) {
      out.add(new Violation(field, "more than " + MAX_NODES + " nodes"));
      return;
    }
    for (var e : new TreeMap<>(entries).entrySet()) {
      Texts.collect(out, Texts.requiredId(field + "[" + e.getKey() + "]", e.getKey()));
      // uint64 on the wire: a Java long below zero is above 2^63
      if (e.getValue() < 0 || e.getValue() > MAX_COUNTER_ENTRY) {
        out.add(new Violation(field + "[" + e.getKey() + "]", "must be within 0.." + MAX_COUNTER_ENTRY));
      }
    }
  }

  private static void orSet(List<Violation> out, String field, ORSet set, String crdtId, ClockBounds bounds,
      long nowMs) {
    Texts.collect(out, Texts.id(field + ".node_id", set.getNodeId()));
    if (set.getElementsCount() > MAX_ELEMENTS) {
      out.add(new Violation(field + ".elements", "more than " + MAX_ELEMENTS + " elements"));
      return;
    }
    boolean productIds = "catalog:active".equals(crdtId);
    for (int i = 0; i < set.getElementsCount(); i++) {
      var el = set.getElements(i);
      String ep = field + ".elements[" + i + "]";
      Texts.collect(out, Texts.requiredId(ep + ".element_id", el.getElementId()));
      Texts.collect(out, productIds ? Texts.requiredId(ep + ".value", el.getValue())
          : Texts.text(ep + ".value", el.getValue(), Texts.MAX_TEXT));
      if (el.hasAddedAt()) {
        hlc(out, ep + ".added_at", el.getAddedAt(), bounds, nowMs);
      }
      if (el.hasRemovedAt()) {
        hlc(out, ep + ".removed_at", el.getRemovedAt(), bounds, nowMs);
      }
    }
  }

  private static void lww(List<Violation> out, String field, LWWRegister r, String crdtId, ClockBounds bounds,
      long nowMs) {
    Texts.collect(out, Texts.id(field + ".node_id", r.getNodeId()));
    if (r.hasTimestamp()) {
      hlc(out, field + ".timestamp", r.getTimestamp(), bounds, nowMs);
    }
    if (crdtId.startsWith("price:")) {
      String v = r.getValue();
      if (!v.matches("|0|[1-9][0-9]{0,15}") || Long.parseLong(v) > EventRules.MAX_AMOUNT_MINOR) {
        out.add(new Violation(field + ".value", "a price is a non-negative whole number of minor units (at most "
            + EventRules.MAX_AMOUNT_MINOR + "), got '" + abbreviate(v) + "'"));
      }
    } else {
      Texts.collect(out, Texts.text(field + ".value", r.getValue(), Texts.MAX_TEXT));
    }
  }

  private static void hlc(List<Violation> out, String field, HybridLogicalClock h, ClockBounds bounds, long nowMs) {
    out.addAll(bounds.checkHlc(field, h.getPhysicalMs(), h.getLogical(), nowMs));
    Texts.collect(out, Texts.id(field + ".node_id", h.getNodeId()));
  }

  private static String abbreviate(String v) {
    String shown = v.length() > 32 ? v.substring(0, 32) + "..." : v;
    return shown.replaceAll("\\p{Cntrl}", "?");
  }
}
