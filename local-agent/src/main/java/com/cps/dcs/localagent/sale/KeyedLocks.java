package com.cps.dcs.localagent.sale;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One lock per key (a checkout id, a sale id), held only while someone uses it: a key's entry is removed when its
 * last user leaves, so the table holds no more entries than there are calls in flight, whatever ids clients send.
 * Work under one key is serialized; different keys run in parallel.
 */
final class KeyedLocks {
  private static final class Entry {
    final ReentrantLock lock = new ReentrantLock();
    int users; // guarded by the map's compute on this key
  }

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

  <T> T with(String key, Supplier<T> work) {
    Entry e = entries.compute(key, (k, v) -> {
      Entry entry = v == null ? new Entry() : v;
      entry.users++;
      return entry;
    });
    e.lock.lock();
    try {
      return work.get();
    } finally {
      e.lock.unlock();
      entries.computeIfPresent(key, (k, v) -> --v.users == 0 ? null : v);
    }
  }

  /** Keys in use now (for tests: the table does not grow with the ids seen). */
  int size() {
    return entries.size();
  }
}
