package com.cps.dcs.kernel.crdt;

import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.proto.v4.ORSetElement;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Observed-remove set with add-wins semantics. Every add carries a unique tag (element id); a remove tombstones only
 * the tags it has observed, so an add concurrent with a remove survives. Tombstones keep removes from being undone
 * by a late merge; {@link #compact} drops those that every replica has seen.
 */
public record OrSet(Map<String, Tag> tags) implements Crdt {

  /** One add of {@code value} under a unique tag, possibly tombstoned. */
  public record Tag(String value, Hlc addedAt, Hlc removedAt) {
    public Tag {
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(addedAt, "addedAt");
    }

    public boolean removed() {
      return removedAt != null;
    }

    Tag mergedWith(Tag other) {
      Hlc removal = removedAt;
      if (other.removedAt != null && (removal == null || other.removedAt.isAfter(removal))) {
        removal = other.removedAt;
      }
      Hlc added = other.addedAt.isAfter(addedAt) ? other.addedAt : addedAt;
      // Tags are unique per add, so values agree; if a faulty peer reused a tag, pick deterministically.
      String v = value.compareTo(other.value) <= 0 ? value : other.value;
      return new Tag(v, added, removal);
    }
  }

  public OrSet {
    tags = Collections.unmodifiableMap(new TreeMap<>(tags));
  }

  public static OrSet empty() {
    return new OrSet(Map.of());
  }

  /** Adds {@code value} under the unique tag {@code elementId}. */
  public OrSet add(String value, String elementId, Hlc at) {
    TreeMap<String, Tag> next = new TreeMap<>(tags);
    next.merge(elementId, new Tag(value, at, null), Tag::mergedWith);
    return new OrSet(next);
  }

  /** Removes {@code value}: tombstones every tag of it this replica has observed. */
  public OrSet remove(String value, Hlc at) {
    TreeMap<String, Tag> next = new TreeMap<>(tags);
    next.replaceAll((id, t) -> t.value.equals(value) && !t.removed() ? new Tag(t.value, t.addedAt, at) : t);
    return new OrSet(next);
  }

  public boolean contains(String value) {
    return tags.values().stream().anyMatch(t -> !t.removed() && t.value.equals(value));
  }

  public SortedSet<String> values() {
    TreeSet<String> out = new TreeSet<>();
    tags.values().stream().filter(t -> !t.removed()).forEach(t -> out.add(t.value));
    return Collections.unmodifiableSortedSet(out);
  }

  /**
   * Drops tombstones removed before {@code stableBefore}. Safe only when every replica has already received every
   * operation stamped before {@code stableBefore} (causal stability, e.g. the minimum of the replicas' acknowledged
   * clocks): a replica that had not yet seen the removed tag could otherwise bring it back.
   */
  public OrSet compact(Hlc stableBefore) {
    TreeMap<String, Tag> next = new TreeMap<>(tags);
    next.values().removeIf(t -> t.removed() && stableBefore.isAfter(t.removedAt));
    return new OrSet(next);
  }

  @Override
  public OrSet merge(Crdt other) {
    if (!(other instanceof OrSet o)) {
      throw Crdt.typeMismatch(this, other);
    }
    TreeMap<String, Tag> next = new TreeMap<>(tags);
    o.tags.forEach((id, t) -> next.merge(id, t, Tag::mergedWith));
    return new OrSet(next);
  }

  @Override
  public String typeName() {
    return "ORSet";
  }

  @Override
  public com.cps.dcs.proto.v4.ORSet toProto(String nodeId) {
    var b = com.cps.dcs.proto.v4.ORSet.newBuilder().setNodeId(nodeId);
    tags.forEach(
        (id, t) -> {
          var e = ORSetElement.newBuilder().setElementId(id).setValue(t.value).setAddedAt(t.addedAt.toProto());
          if (t.removed()) {
            e.setIsRemoved(true).setRemovedAt(t.removedAt.toProto());
          }
          b.addElements(e);
        });
    return b.build();
  }

  public static OrSet fromProto(com.cps.dcs.proto.v4.ORSet p) {
    TreeMap<String, Tag> tags = new TreeMap<>();
    for (ORSetElement e : p.getElementsList()) {
      if (e.getElementId().isEmpty()) {
        throw new IllegalArgumentException("ORSet element without element_id");
      }
      Hlc removed = e.getIsRemoved() ? Hlc.fromProto(e.getRemovedAt()) : null;
      tags.merge(e.getElementId(), new Tag(e.getValue(), Hlc.fromProto(e.getAddedAt()), removed), Tag::mergedWith);
    }
    return new OrSet(tags);
  }
}
