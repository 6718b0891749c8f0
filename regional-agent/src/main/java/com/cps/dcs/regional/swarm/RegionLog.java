package com.cps.dcs.regional.swarm;

import com.cps.dcs.eventstore.pg.PgStoreException;
import com.cps.dcs.eventstore.pg.region.RegionStore;
import com.cps.dcs.kernel.event.ReceiptHash;
import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.proto.region.v1.EventOutcome;
import com.cps.dcs.proto.region.v1.TypedRefusal;
import com.cps.dcs.proto.v4.AckResponse;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.regional.grpc.IngestBatcher;
import com.cps.dcs.swarm.Incoming;
import com.cps.dcs.swarm.LogSignal;
import com.cps.dcs.swarm.Logged;
import com.cps.dcs.swarm.Position;
import com.cps.dcs.swarm.Slice;
import com.cps.dcs.swarm.SwarmLog;
import com.cps.dcs.swarm.Written;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The region's log as the swarm core's {@link SwarmLog}: events verified by the core are proposed through Raft (in
 * batches, {@link IngestBatcher}) and answered once a majority committed them; reads come from PostgreSQL in commit
 * order, positions being (Raft index, position in the entry). Entries reach PostgreSQL in log order, so following
 * positions never skips an event.
 */
public final class RegionLog implements SwarmLog {
  private final RegionStore store;
  private final IngestBatcher batcher;
  private final String nodeId;
  private final LogSignal signal;

  /** @param signal rung by the node after it applies events */
  public RegionLog(RegionStore store, IngestBatcher batcher, String nodeId, LogSignal signal) {
    this.store = store;
    this.batcher = batcher;
    this.nodeId = nodeId;
    this.signal = signal;
  }

  @Override
  public CompletableFuture<List<Written>> append(List<Incoming> events) {
    long started = System.nanoTime();
    List<SovereignFinancialEvent> sealed = events.stream().map(Incoming::event).toList();
    List<CompletableFuture<EventOutcome>> outcomes = batcher.submitAll(sealed);
    return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).thenApply(done -> {
      List<Written> out = new ArrayList<>(sealed.size());
      for (int k = 0; k < sealed.size(); k++) {
        out.add(written(sealed.get(k), outcomes.get(k).join(), started));
      }
      return out;
    });
  }

  private Written written(SovereignFinancialEvent e, EventOutcome o, long startedNanos) {
    return switch (o.getResult()) {
      case QUARANTINED -> Written.refused(new Refusal.Quarantined(o.getEventId(), o.getReason()));
      case REFUSED -> Written.refused(refusal(o));
      default -> Written.stored(ack(e, o, startedNanos));
    };
  }

  /** The typed refusal the state machine answered (an entry of an older node carries only its sentence). */
  static Refusal refusal(EventOutcome o) {
    TypedRefusal t = o.getRefusal();
    return switch (t.getKindCase()) {
      case STALE_VERSION -> new Refusal.StaleVersion(t.getStaleVersion().getStreamId(),
          t.getStaleVersion().getRequestedVersion(), t.getStaleVersion().getCurrentVersion(),
          t.getStaleVersion().getHeldByEventId());
      case CONFLICT -> new Refusal.Conflict(t.getConflict().getCode(), t.getConflict().getSubject(),
          t.getConflict().getMessage());
      case KIND_NOT_SET -> new Refusal.Conflict("REFUSED", "event " + o.getEventId(), o.getReason());
    };
  }

  private AckResponse ack(SovereignFinancialEvent e, EventOutcome o, long startedNanos) {
    boolean duplicate = o.getResult() == EventOutcome.Result.DUPLICATE;
    String storedId = duplicate && !o.getStoredEventId().isEmpty() ? o.getStoredEventId() : e.getEventId();
    return AckResponse.newBuilder().setSuccess(true).setIsDuplicate(duplicate).setEventId(storedId)
        .setReceiptHash(ReceiptHash.of(e.getEventId(), e.getStreamVersion())).setSagaId(e.getSagaId())
        .setCommittedClock(e.getCausalContext().getHlc()).setProcessingNode(nodeId)
        .setProcessingTimeMs(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos))
        .setMessage(duplicate ? "already committed at raft index " + o.getCommittedIndex()
            : "committed at raft index " + o.getCommittedIndex()).build();
  }

  @Override
  public Optional<SovereignFinancialEvent> find(String eventId) {
    return sql(() -> store.findEvent(eventId));
  }

  @Override
  public List<Logged> read(Slice slice, Position after, int limit) {
    return sql(() -> store.range(slice.branchId(), slice.fromMs(), slice.toMs(), slice.types(), after.index(),
        after.pos(), limit)).stream().map(s -> new Logged(s.event(), new Position(s.raftIndex(), s.raftPos())))
        .toList();
  }

  @Override
  public int count(Slice slice) {
    return sql(() -> store.count(slice.branchId(), slice.fromMs(), slice.toMs(), slice.types()));
  }

  @Override
  public Position end() {
    long[] last = sql(store::lastPosition);
    return new Position(last[0], (int) last[1]);
  }

  @Override
  public LogSignal signal() {
    return signal;
  }

  /** A store read, its failure a refusal: the region's database is unavailable. */
  static <T> T sql(Supplier<T> read) {
    try {
      return read.get();
    } catch (PgStoreException e) {
      throw new RefusedException(new Refusal.Unavailable("the region's database is unavailable: "
          + e.getMessage()));
    }
  }
}
