package com.cps.dcs.localagent.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Group commit for appends: callers queue their drafts; one committer thread takes everything waiting (up to a few
 * thousand drafts), appends it in a single SQLite transaction and completes every caller after the commit. The
 * expensive fsync is paid once per group instead of once per event, and no caller is acknowledged before its event
 * is durable. Inside the group the sealing and the signatures are spread over the sealing pool
 * ({@link LocalTx#appendAll}); the checks, the chain links and the inserts stay in order on this thread.
 */
final class GroupCommit {
  private static final int MAX_GROUP = 4096;

  private final LocalStore store;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();

  GroupCommit(LocalStore store) {
    this.store = store;
    Thread t = new Thread(this::run, "append-group-commit");
    t.setDaemon(true);
    t.start();
  }

  /** Drafts waiting for a commit, and the place their results go. */
  static final class Pending {
    final List<LocalTx.Keyed> drafts;
    final CompletableFuture<List<LocalStore.Result>> done = new CompletableFuture<>();

    Pending(List<LocalTx.Keyed> drafts) {
      this.drafts = drafts;
    }
  }

  void submit(Pending p) {
    queue.add(p);
  }

  private void run() {
    while (true) {
      List<Pending> group = new ArrayList<>();
      try {
        group.add(queue.take());
      } catch (InterruptedException e) {
        return;
      }
      int size = group.get(0).drafts.size();
      Pending next;
      while (size < MAX_GROUP && (next = queue.poll()) != null) {
        group.add(next);
        size += next.drafts.size();
      }
      try {
        List<LocalTx.Keyed> all = new ArrayList<>(size);
        group.forEach(p -> all.addAll(p.drafts));
        List<LocalStore.Result> results = store.transaction(tx -> tx.appendAll(all, store.sealingPool()));
        int from = 0;
        for (Pending p : group) {
          p.done.complete(new ArrayList<>(results.subList(from, from + p.drafts.size())));
          from += p.drafts.size();
        }
      } catch (RuntimeException e) {
        group.forEach(p -> p.done.completeExceptionally(e));
      }
    }
  }
}
