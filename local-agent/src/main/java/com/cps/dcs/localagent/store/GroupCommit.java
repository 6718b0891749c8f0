package com.cps.dcs.localagent.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Group commit for appends: callers queue their drafts; one committer thread takes everything waiting (up to a few
 * thousand drafts), appends it in a single SQLite transaction and completes every caller after the commit. The
 * expensive fsync is paid once per group instead of once per event, and no caller is acknowledged before its event
 * is durable.
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
    final List<EventDraft> drafts;
    final CompletableFuture<List<LocalStore.Result>> done = new CompletableFuture<>();

    Pending(List<EventDraft> drafts) {
      this.drafts = drafts;
    }

    List<LocalStore.Result> await() {
      try {
        return done.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the commit", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException(e.getCause());
      }
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
        List<List<LocalStore.Result>> results = store.transaction(tx -> {
          List<List<LocalStore.Result>> all = new ArrayList<>();
          for (Pending p : group) {
            List<LocalStore.Result> rs = new ArrayList<>();
            for (EventDraft d : p.drafts) {
              try {
                rs.add(new LocalStore.Result(tx.append(d), null));
              } catch (AppendRefused r) {
                rs.add(new LocalStore.Result(null, r));
              }
            }
            all.add(rs);
          }
          return all;
        });
        for (int i = 0; i < group.size(); i++) {
          group.get(i).done.complete(results.get(i));
        }
      } catch (RuntimeException e) {
        group.forEach(p -> p.done.completeExceptionally(e));
      }
    }
  }
}
