package com.cps.dcs.kernel.clock;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * A hybrid logical clock (Kulkarni et al.): readings never go backwards, stay close to physical time, and a reading
 * taken after receiving a message is after the sender's reading.
 *
 * <p>Construct it with the last reading persisted before a restart and it stays monotonic across the restart even
 * if the wall clock went back. Remote readings further ahead of the local wall clock than {@code maxDrift} are
 * refused, so one node with a broken clock cannot drag every other clock into the future.
 */
public final class HlcClock {
  private final String nodeId;
  private final InstantSource source;
  private final long maxDriftMs;
  private Hlc last;

  public HlcClock(String nodeId, InstantSource source, Duration maxDrift, Hlc persistedHighWater) {
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    this.source = Objects.requireNonNull(source, "source");
    this.maxDriftMs = maxDrift.toMillis();
    Hlc start = persistedHighWater == null ? Hlc.zero(nodeId) : persistedHighWater;
    this.last = new Hlc(start.physicalMs(), start.logical(), nodeId, start.counter());
  }

  /** A reading for a local or send event. */
  public synchronized Hlc now() {
    long wall = source.millis();
    long physical = Math.max(last.physicalMs(), wall);
    int logical = physical == last.physicalMs() ? last.logical() + 1 : 0;
    return advance(physical, logical);
  }

  /**
   * A reading for the receipt of a message stamped {@code remote}: after both the remote reading and every earlier
   * local reading.
   *
   * @throws ClockDriftException when {@code remote} is ahead of the local wall clock by more than the bound
   */
  public synchronized Hlc receive(Hlc remote) {
    long wall = source.millis();
    long drift = remote.physicalMs() - wall;
    if (drift > maxDriftMs) {
      throw new ClockDriftException(
          "clock of " + remote.nodeId() + " is " + drift + " ms ahead (bound " + maxDriftMs + " ms)", drift);
    }
    long physical = Math.max(Math.max(last.physicalMs(), remote.physicalMs()), wall);
    int logical;
    if (physical == last.physicalMs() && physical == remote.physicalMs()) {
      logical = Math.max(last.logical(), remote.logical()) + 1;
    } else if (physical == last.physicalMs()) {
      logical = last.logical() + 1;
    } else if (physical == remote.physicalMs()) {
      logical = remote.logical() + 1;
    } else {
      logical = 0;
    }
    return advance(physical, logical);
  }

  /**
   * Records and returns the next reading. A logical counter at its limit moves to the next millisecond instead of
   * wrapping negative: readings stay ordered even after a peer sent the largest logical value a bound allows.
   */
  private Hlc advance(long physical, int logical) {
    if (logical < 0) {
      physical = Math.addExact(physical, 1);
      logical = 0;
    }
    last = new Hlc(physical, logical, nodeId, last.counter() + 1);
    return last;
  }

  /** The latest reading handed out; persist it to stay monotonic across a restart. */
  public synchronized Hlc last() {
    return last;
  }

  /** How far ahead of the wall clock a received reading may be. */
  public Duration maxDrift() {
    return Duration.ofMillis(maxDriftMs);
  }

  public String nodeId() {
    return nodeId;
  }
}
