package com.cps.dcs.regional.grpc;

import com.cps.dcs.proto.region.v1.AppendEvents;
import com.cps.dcs.proto.region.v1.EventOutcome;
import com.cps.dcs.proto.region.v1.RegionCommand;
import com.cps.dcs.proto.region.v1.RegionReply;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Group commit for ingest: verified events from all concurrent calls are gathered into one Raft entry
 * ({@link AppendEvents}) of up to {@code maxEvents}, so a region commits thousands of events per consensus round
 * instead of one. A few entries are in flight at once (pipelined by Ratis); each event's future completes with
 * its outcome when its entry has been committed and applied.
 */
public final class IngestBatcher implements AutoCloseable {
  private record Pending(SovereignFinancialEvent event, CompletableFuture<EventOutcome> outcome) {}

  /** Each call's events as one element, so a batch is never split across entries by a half-done enqueue. */
  private final BlockingQueue<List<Pending>> queue = new LinkedBlockingQueue<>();
  private final Function<RegionCommand, CompletableFuture<RegionReply>> submit;
  private final String nodeId;
  private final LongSupplier clock;
  private final int maxEvents;
  private final Semaphore inFlight;
  private final Thread thread;
  private volatile boolean running = true;

  public IngestBatcher(Function<RegionCommand, CompletableFuture<RegionReply>> submit, String nodeId,
      LongSupplier clock, int maxEvents, int maxInFlight) {
    this.submit = submit;
    this.nodeId = nodeId;
    this.clock = clock;
    this.maxEvents = maxEvents;
    this.inFlight = new Semaphore(maxInFlight);
    this.thread = Thread.ofPlatform().daemon().name("ingest-batcher").start(this::run);
  }

  /** Queues verified events; the futures complete in the order given, with one outcome each. */
  public List<CompletableFuture<EventOutcome>> submitAll(List<SovereignFinancialEvent> events) {
    if (!running) {
      throw new IllegalStateException("the node is stopping");
    }
    List<CompletableFuture<EventOutcome>> out = new ArrayList<>(events.size());
    List<Pending> items = new ArrayList<>(events.size());
    for (SovereignFinancialEvent e : events) {
      CompletableFuture<EventOutcome> f = new CompletableFuture<>();
      out.add(f);
      items.add(new Pending(e, f));
    }
    for (int from = 0; from < items.size(); from += maxEvents) {
      queue.add(items.subList(from, Math.min(items.size(), from + maxEvents)));
    }
    return out;
  }

  private void run() {
    while (running) {
      try {
        List<Pending> first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        inFlight.acquire();
        // While waiting for a slot more events arrived: take whole calls (up to the limit) into this entry.
        List<Pending> batch = new ArrayList<>(first);
        for (List<Pending> next = queue.peek(); next != null && batch.size() + next.size() <= maxEvents;
            next = queue.peek()) {
          batch.addAll(queue.poll());
        }
        propose(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void propose(List<Pending> batch) {
    AppendEvents.Builder append = AppendEvents.newBuilder().setIngestNode(nodeId).setReceivedAtMs(clock.getAsLong());
    batch.forEach(p -> append.addEvents(p.event()));
    CompletableFuture<RegionReply> reply;
    try {
      reply = submit.apply(RegionCommand.newBuilder().setAppend(append).build());
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    reply.whenComplete((r, err) -> {
      inFlight.release();
      for (int i = 0; i < batch.size(); i++) {
        CompletableFuture<EventOutcome> f = batch.get(i).outcome();
        if (err != null) {
          f.completeExceptionally(err);
        } else if (i < r.getOutcomesCount()) {
          f.complete(r.getOutcomes(i));
        } else {
          f.completeExceptionally(new IllegalStateException("the region answered " + r.getOutcomesCount()
              + " outcomes for " + batch.size() + " events" + (r.getReason().isEmpty() ? "" : ": " + r.getReason())));
        }
      }
    });
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    List<List<Pending>> left = new ArrayList<>();
    queue.drainTo(left);
    left.stream().flatMap(List::stream).forEach(p -> p.outcome().completeExceptionally(new IllegalStateException("the node is stopping")));
  }
}
