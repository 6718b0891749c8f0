package com.cps.dcs.swarm;

import java.util.List;

/**
 * Which events a read covers: one branch (empty: every branch the tier serves), timestamps in {@code [fromMs, toMs)},
 * and the event type numbers (empty: every type).
 */
public record Slice(String branchId, long fromMs, long toMs, List<Integer> types) {
  public Slice {
    types = List.copyOf(types);
  }
}
