package com.cps.dcs.suite;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A schedule of sales and faults generated from a seed: the same seed always gives the same steps (what, where,
 * how many, how long), so a failing seed replays the same schedule. The generator keeps the world it describes
 * possible: it sells only at a running branch, restarts only what is down, and never takes down more than one of
 * the region's three nodes at a time (the region keeps its majority; a branch may still lose its leader).
 */
record FaultSchedule(long seed, List<Step> steps) {
  static final int BRANCHES = 2;
  static final int REGION_NODES = 3;

  /** One thing the runner does. {@code branch} is 0 or 1; {@code node} is 0..2 or -1 for "the current leader". */
  sealed interface Step {}

  /** {@code count} sales at a branch (BroadcastFinancialEvent), and {@code checkouts} cashier checkouts. */
  record Sell(int branch, int count, int checkouts) implements Step {}

  /** The branch's links to the region are reset and stay down. */
  record Disconnect(int branch) implements Step {}

  /** The links come back. */
  record Reconnect(int branch) implements Step {}

  /** The links hang (no byte moves) for {@code millis}, then flow on. */
  record Stall(int branch, int millis) implements Step {}

  /** Each link forwards {@code bytes} more of the branch's upload, then breaks until the next reconnect. */
  record CutMidStream(int branch, int bytes) implements Step {}

  /** kill -9 of the branch's agent. */
  record KillBranch(int branch) implements Step {}

  record RestartBranch(int branch) implements Step {}

  /** kill -9 of a regional node ({@code node} -1: whichever leads at that moment). */
  record KillRegionNode(int node) implements Step {}

  /** Restarts the regional node that is down. */
  record RestartRegionNode() implements Step {}

  /** Lets the sync loops run for {@code millis}. */
  record Pause(int millis) implements Step {}

  static FaultSchedule generate(long seed, int length) {
    SplittableRandom r = new SplittableRandom(seed);
    boolean[] up = {true, true};
    boolean[] linked = {true, true};
    boolean regionNodeDown = false;
    List<Step> steps = new ArrayList<>();
    while (steps.size() < length) {
      int b = r.nextInt(BRANCHES);
      int pick = r.nextInt(100);
      Step s;
      if (pick < 35) {
        if (!up[b]) {
          s = new RestartBranch(b);
          up[b] = true;
        } else {
          s = new Sell(b, 10 + r.nextInt(150), r.nextInt(4));
        }
      } else if (pick < 47) {
        s = linked[b] ? new Disconnect(b) : new Reconnect(b);
        linked[b] = !linked[b];
      } else if (pick < 55) {
        if (!linked[b]) {
          continue;
        }
        s = new Stall(b, 500 + r.nextInt(2500));
      } else if (pick < 63) {
        if (!linked[b]) {
          continue;
        }
        s = new CutMidStream(b, 20_000 + r.nextInt(400_000));
        linked[b] = false; // down after the cut until a Reconnect
      } else if (pick < 73) {
        s = up[b] ? new KillBranch(b) : new RestartBranch(b);
        up[b] = !up[b];
      } else if (pick < 83) {
        if (regionNodeDown) {
          s = new RestartRegionNode();
        } else {
          s = new KillRegionNode(r.nextInt(4) - 1);
        }
        regionNodeDown = !regionNodeDown;
      } else {
        s = new Pause(200 + r.nextInt(2800));
      }
      steps.add(s);
    }
    return new FaultSchedule(seed, List.copyOf(steps));
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("seed ").append(seed).append(':');
    for (Step s : steps) {
      out.append("\n  ").append(s);
    }
    return out.toString();
  }
}
