package com.cps.dcs.kernel.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HlcClockTest {

  /** A wall clock the test moves by hand, forwards and backwards. */
  static final class Wall implements InstantSource {
    final AtomicLong ms = new AtomicLong();

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(ms.get());
    }
  }

  @Test
  void readingsNeverGoBackwardsWhateverTheWallClockDoes() {
    qt().forAll(lists().of(longs().between(0, 10_000)).ofSizeBetween(1, 60)).checkAssert(walls -> {
      Wall wall = new Wall();
      HlcClock clock = new HlcClock("n1", wall, Duration.ofSeconds(5), null);
      Hlc previous = Hlc.zero("n1");
      for (long w : walls) {
        wall.ms.set(w);
        Hlc now = clock.now();
        assertThat(now).isGreaterThan(previous);
        assertThat(now.physicalMs()).isGreaterThanOrEqualTo(w);
        previous = now;
      }
    });
  }

  @Test
  void aReceiveIsAfterBothTheRemoteAndEveryEarlierLocalReading() {
    qt().forAll(longs().between(0, 5_000), longs().between(0, 5_000), integers().between(0, 50)).checkAssert(
        (localWall, remoteMs, remoteLogical) -> {
          Wall wall = new Wall();
          wall.ms.set(localWall);
          HlcClock clock = new HlcClock("n1", wall, Duration.ofSeconds(10), null);
          Hlc before = clock.now();
          Hlc remote = new Hlc(remoteMs, remoteLogical, "n2", 1);
          Hlc received = clock.receive(remote);
          assertThat(received).isGreaterThan(before);
          assertThat(received.physicalMs()).isGreaterThanOrEqualTo(remote.physicalMs());
          assertThat(received.compareTo(remote)).isPositive();
        });
  }

  @Test
  void aLogicalCounterAtItsLimitMovesToTheNextMillisecondInsteadOfWrapping() {
    Wall wall = new Wall();
    wall.ms.set(1_000);
    HlcClock clock = new HlcClock("n1", wall, Duration.ofSeconds(5), null);
    Hlc got = clock.receive(new Hlc(1_000, Integer.MAX_VALUE, "n2", 1));
    assertThat(got.physicalMs()).isEqualTo(1_001);
    assertThat(got.logical()).isZero();
    assertThat(clock.now().isAfter(got)).isTrue();
  }

  @Test
  void aRemoteClockTooFarAheadIsRefused() {
    Wall wall = new Wall();
    wall.ms.set(1_000);
    HlcClock clock = new HlcClock("n1", wall, Duration.ofMillis(500), null);
    assertThatThrownBy(() -> clock.receive(new Hlc(2_000, 0, "n2", 1)))
        .isInstanceOf(ClockDriftException.class)
        .hasMessageContaining("n2");
    assertThat(clock.receive(new Hlc(1_400, 0, "n2", 1)).physicalMs()).isEqualTo(1_400);
  }

  @Test
  void staysMonotonicAcrossARestartWithTheWallClockBehind() {
    Wall wall = new Wall();
    wall.ms.set(10_000);
    HlcClock before = new HlcClock("n1", wall, Duration.ofSeconds(1), null);
    before.now();
    Hlc persisted = before.now();
    wall.ms.set(3_000); // the machine came back with its clock behind
    HlcClock after = new HlcClock("n1", wall, Duration.ofSeconds(1), persisted);
    assertThat(after.now()).isGreaterThan(persisted);
  }

  @Test
  void vectorClocksTellBeforeAfterAndConcurrent() {
    VectorClock a = VectorClock.empty().increment("x");
    VectorClock b = a.increment("y");
    VectorClock c = a.increment("x");
    assertThat(a.compare(b)).isEqualTo(VectorClock.Causality.BEFORE);
    assertThat(b.compare(a)).isEqualTo(VectorClock.Causality.AFTER);
    assertThat(b.compare(c)).isEqualTo(VectorClock.Causality.CONCURRENT);
    assertThat(b.merge(c).compare(b)).isEqualTo(VectorClock.Causality.AFTER);
    assertThat(VectorClock.fromProto(b.toProto())).isEqualTo(b);
  }

  @Test
  void vectorClockMergeIsALeastUpperBound() {
    qt().forAll(lists().of(integers().between(0, 3)).ofSizeBetween(0, 20),
            lists().of(integers().between(0, 3)).ofSizeBetween(0, 20))
        .checkAssert((xs, ys) -> {
          VectorClock a = build(xs);
          VectorClock b = build(ys);
          VectorClock m = a.merge(b);
          assertThat(m).isEqualTo(b.merge(a));
          assertThat(a.compare(m)).isIn(VectorClock.Causality.BEFORE, VectorClock.Causality.EQUAL);
          assertThat(b.compare(m)).isIn(VectorClock.Causality.BEFORE, VectorClock.Causality.EQUAL);
        });
  }

  private static VectorClock build(List<Integer> nodes) {
    VectorClock v = VectorClock.empty();
    for (int n : nodes) {
      v = v.increment("n" + n);
    }
    return v;
  }
}
