package com.cps.dcs.bench.kernel;

import com.cps.dcs.kernel.clock.Hlc;
import com.cps.dcs.kernel.crdt.OrSet;
import com.cps.dcs.kernel.crdt.PnCounter;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Merging large CRDT states: a PN-counter with many replicas, an OR-set with many tags (half overlapping). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CrdtMergeBenchmark {
  @Param({"10000"})
  public int size;

  private PnCounter counterA;
  private PnCounter counterB;
  private OrSet setA;
  private OrSet setB;

  @Setup
  public void setup() {
    counterA = PnCounter.empty();
    counterB = PnCounter.empty();
    OrSet a = OrSet.empty();
    OrSet b = OrSet.empty();
    for (int i = 0; i < size; i++) {
      counterA = counterA.increment("node-" + i, i + 1).decrement("node-" + i, i / 2);
      counterB = counterB.increment("node-" + (i + size / 2), i + 2);
      Hlc at = new Hlc(1_000 + i, 0, "n", i);
      a = a.add("product-" + i, "a-" + i, at);
      b = b.add("product-" + (i + size / 2), "b-" + i, at);
      if (i % 3 == 0) {
        b = b.remove("product-" + (i + size / 2), new Hlc(100_000 + i, 0, "n", i));
      }
    }
    setA = a;
    setB = b;
  }

  @Benchmark
  public PnCounter mergePnCounters() {
    return counterA.merge(counterB);
  }

  @Benchmark
  public OrSet mergeOrSets() {
    return setA.merge(setB);
  }
}
