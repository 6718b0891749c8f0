package com.cps.dcs.swarm;

import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A tier's event log, as the swarm core uses it: the branch's SQLite log, the region's Raft log and PostgreSQL, the
 * master's own. Reads answer in commit order; a tier that cannot answer throws {@link RefusedException} with an
 * {@code Unavailable} refusal (nothing was written, the caller may retry).
 */
public interface SwarmLog {
  /**
   * Appends events the core has checked, keeping their order. Returns once they are queued; the future completes when
   * they are committed, with one result per event: a refused event does not stop the others, and a retry of a stored
   * event answers its first ack as a duplicate.
   */
  CompletableFuture<List<Written>> append(List<Incoming> events);

  Optional<SovereignFinancialEvent> find(String eventId);

  /** At most {@code limit} events of {@code slice} committed after {@code after}, in commit order. */
  List<Logged> read(Slice slice, Position after, int limit);

  int count(Slice slice);

  /** The position of the last committed event ({@link Position#START} for none). */
  Position end();

  /** Rung after every commit. */
  LogSignal signal();

  /** The first event where the tier's hash chain breaks, for a tier that keeps one (a branch). */
  default Optional<String> firstChainBreak() {
    return Optional.empty();
  }
}
