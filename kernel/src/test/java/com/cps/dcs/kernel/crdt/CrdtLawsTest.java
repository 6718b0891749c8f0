package com.cps.dcs.kernel.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import com.cps.dcs.kernel.clock.Hlc;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** The laws that make replicas converge: merge is commutative, associative and idempotent, for every CRDT. */
class CrdtLawsTest {
  private static final String[] NODES = {"branch-1", "branch-2", "region"};
  private static final String[] VALUES = {"apple", "bread", "milk"};

  /** One operation: which replica, what, on which value, how much. Encoded as ints to keep generators simple. */
  record Op(int replica, int kind, int value, int amount) {}

  static Gen<List<Op>> ops() {
    Gen<Op> op =
        integers().between(0, 2).zip(integers().between(0, 1), integers().between(0, 2), integers().between(0, 50),
            Op::new);
    return lists().of(op).ofSizeBetween(0, 25);
  }

  static GCounter gcounter(List<Op> ops) {
    GCounter g = GCounter.empty();
    for (Op o : ops) {
      g = g.increment(NODES[o.replica()], o.amount());
    }
    return g;
  }

  static PnCounter pncounter(List<Op> ops) {
    PnCounter p = PnCounter.empty();
    for (Op o : ops) {
      p = o.kind() == 0 ? p.increment(NODES[o.replica()], o.amount()) : p.decrement(NODES[o.replica()], o.amount());
    }
    return p;
  }

  private static final java.util.concurrent.atomic.AtomicLong TAGS = new java.util.concurrent.atomic.AtomicLong();

  static OrSet orset(List<Op> ops) {
    OrSet s = OrSet.empty();
    int t = 1;
    for (Op o : ops) {
      Hlc at = new Hlc(1000 + t, 0, NODES[o.replica()], t);
      s = o.kind() == 0
          ? s.add(VALUES[o.value()], NODES[o.replica()] + "#" + TAGS.incrementAndGet(), at) // unique per add
          : s.remove(VALUES[o.value()], at);
      t++;
    }
    return s;
  }

  static LwwRegister lww(List<Op> ops) {
    LwwRegister r = LwwRegister.empty();
    for (Op o : ops) {
      r = r.set(VALUES[o.value()] + o.amount(), new Hlc(1000 + o.amount(), o.kind(), NODES[o.replica()], 1));
    }
    return r;
  }

  static List<Function<List<Op>, Crdt>> builders() {
    return List.of(CrdtLawsTest::gcounter, CrdtLawsTest::pncounter, CrdtLawsTest::orset, CrdtLawsTest::lww);
  }

  @Test
  void mergeIsCommutative() {
    for (var build : builders()) {
      qt().forAll(ops(), ops()).checkAssert((a, b) -> {
        Crdt x = build.apply(a);
        Crdt y = build.apply(b);
        assertThat(x.merge(y)).isEqualTo(y.merge(x));
      });
    }
  }

  @Test
  void mergeIsAssociative() {
    for (var build : builders()) {
      qt().forAll(ops(), ops(), ops()).checkAssert((a, b, c) -> {
        Crdt x = build.apply(a);
        Crdt y = build.apply(b);
        Crdt z = build.apply(c);
        assertThat(x.merge(y).merge(z)).isEqualTo(x.merge(y.merge(z)));
      });
    }
  }

  @Test
  void mergeIsIdempotent() {
    for (var build : builders()) {
      qt().forAll(ops()).checkAssert(a -> {
        Crdt x = build.apply(a);
        assertThat(x.merge(x)).isEqualTo(x);
      });
    }
  }

  @Test
  void replicasConvergeWhateverTheOrderAndDuplicationOfDeliveries() {
    for (var build : builders()) {
      qt().forAll(ops(), integers().between(0, Integer.MAX_VALUE)).checkAssert((all, seed) -> {
        // Each replica applies its own operations; then states are delivered in two different random orders,
        // some of them several times.
        List<Crdt> states = new ArrayList<>();
        for (int r = 0; r < NODES.length; r++) {
          final int replica = r;
          states.add(build.apply(all.stream().filter(o -> o.replica() == replica).toList()));
        }
        Crdt first = deliver(states, new Random(seed));
        Crdt second = deliver(states, new Random(seed + 1L));
        assertThat(first).isEqualTo(second);
      });
    }
  }

  private static Crdt deliver(List<Crdt> states, Random random) {
    List<Crdt> deliveries = new ArrayList<>(states);
    for (Crdt s : states) {
      if (random.nextBoolean()) {
        deliveries.add(s); // duplicate delivery
      }
    }
    Collections.shuffle(deliveries, random);
    Crdt acc = deliveries.get(0);
    for (Crdt s : deliveries.subList(1, deliveries.size())) {
      acc = acc.merge(s);
    }
    return acc;
  }

  @Test
  void bundlesRoundTripEveryType() {
    for (var build : builders()) {
      qt().forAll(ops()).checkAssert(a -> {
        Crdt x = build.apply(a);
        var bundle = CrdtBundles.toBundle("branch-1", "id-1", x, new Hlc(5, 1, "branch-1", 2), 7);
        assertThat(CrdtBundles.fromBundle(bundle)).isEqualTo(x);
        assertThat(bundle.getCrdtType()).isEqualTo(x.typeName());
      });
    }
  }

  @Test
  void counterValuesAreTheSumsOfTheirOperations() {
    qt().forAll(ops()).checkAssert(a -> {
      long inc = a.stream().filter(o -> o.kind() == 0).mapToLong(Op::amount).sum();
      long dec = a.stream().filter(o -> o.kind() == 1).mapToLong(Op::amount).sum();
      assertThat(pncounter(a).value()).isEqualTo(inc - dec);
      assertThat(gcounter(a).value()).isEqualTo(inc + dec);
    });
  }
}
