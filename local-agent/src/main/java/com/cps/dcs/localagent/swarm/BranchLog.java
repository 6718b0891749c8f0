package com.cps.dcs.localagent.swarm;

import com.cps.dcs.eventstore.sqlite.StoredEvent;
import com.cps.dcs.kernel.chain.ChainVerification;
import com.cps.dcs.kernel.chain.HashChainVerifier;
import com.cps.dcs.kernel.validation.ClockBounds;
import com.cps.dcs.localagent.store.AppendRefused;
import com.cps.dcs.localagent.store.EventDraft;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.swarm.Incoming;
import com.cps.dcs.swarm.LogSignal;
import com.cps.dcs.swarm.Logged;
import com.cps.dcs.swarm.Position;
import com.cps.dcs.swarm.Slice;
import com.cps.dcs.swarm.SwarmLog;
import com.cps.dcs.swarm.Written;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The branch's SQLite log as the swarm core's {@link SwarmLog}: clients' drafts are sealed and chained by this agent
 * through the group committer; peers' sealed events, already verified by the core, are stored as they are. Positions
 * are the log's sequence numbers.
 */
public final class BranchLog implements SwarmLog {
  private final LocalStore store;
  private final ClockBounds bounds;
  private final InstantSource time;
  private final LogSignal signal = new LogSignal();

  public BranchLog(LocalStore store, ClockBounds bounds, InstantSource time) {
    this.store = store;
    this.bounds = bounds;
    this.time = time;
    store.addAppendListener(s -> signal.ring());
  }

  @Override
  public CompletableFuture<List<Written>> append(List<Incoming> events) {
    if (events.stream().allMatch(Incoming::draft)) {
      return appendDrafts(events);
    }
    // Peers' events are stored one by one, each after what came before it.
    List<Written> out = new ArrayList<>();
    for (Incoming in : events) {
      out.add(in.draft() ? appendDrafts(List.of(in)).join().get(0) : acceptPeerEvent(in.event()));
    }
    return CompletableFuture.completedFuture(out);
  }

  private CompletableFuture<List<Written>> appendDrafts(List<Incoming> events) {
    Written[] out = new Written[events.size()];
    List<Integer> index = new ArrayList<>();
    List<EventDraft> drafts = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      try {
        drafts.add(IncomingEvents.toDraft(events.get(i).event(), store.identity(), bounds, time.millis()));
        index.add(i);
      } catch (AppendRefused r) {
        out[i] = Written.refused(Errors.refusal(r));
      }
    }
    if (drafts.isEmpty()) {
      return CompletableFuture.completedFuture(List.of(out));
    }
    return store.submitAll(drafts).thenApply(results -> {
      for (int k = 0; k < results.size(); k++) {
        LocalStore.Result r = results.get(k);
        out[index.get(k)] = r.refusal() != null ? Written.refused(Errors.refusal(r.refusal()))
            : Written.stored(r.outcome().ack());
      }
      return List.of(out);
    });
  }

  private Written acceptPeerEvent(SovereignFinancialEvent e) {
    try {
      return Written.stored(store.transaction(tx -> tx.acceptPeerEvent(e, time.millis())).ack());
    } catch (AppendRefused r) {
      return Written.refused(Errors.refusal(r));
    }
  }

  @Override
  public Optional<SovereignFinancialEvent> find(String eventId) {
    return store.findEvent(eventId);
  }

  @Override
  public List<Logged> read(Slice slice, Position after, int limit) {
    List<StoredEvent> page = store.range(slice.fromMs(), slice.toMs(), slice.types(), Math.max(after.index(), 0),
        limit);
    return page.stream().map(s -> new Logged(s.event(), new Position(s.seq(), 0))).toList();
  }

  @Override
  public int count(Slice slice) {
    return store.count(slice.fromMs(), slice.toMs(), slice.types());
  }

  @Override
  public Position end() {
    return new Position(store.maxSeq(), 0);
  }

  @Override
  public LogSignal signal() {
    return signal;
  }

  @Override
  public Optional<String> firstChainBreak() {
    ChainVerification chain = verifyChain();
    return chain.intact() ? Optional.empty() : Optional.of(chain.firstBrokenEventId());
  }

  /** Walks this agent's hash chain. */
  public ChainVerification verifyChain() {
    List<SovereignFinancialEvent> own = new ArrayList<>();
    store.forEachOwn(own::add);
    return HashChainVerifier.verify(own);
  }
}
