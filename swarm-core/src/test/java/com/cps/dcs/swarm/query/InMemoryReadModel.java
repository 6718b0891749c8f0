package com.cps.dcs.swarm.query;

import com.cps.dcs.proto.v4.HybridLogicalClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A {@link ReadModel} held in memory: branches a test fills and changes, and a count of the reads it served. */
final class InMemoryReadModel implements ReadModel {
  /** One branch's figures; change them through {@link #change}. */
  static final class Branch {
    String currency = "USD";
    long salesMinor;
    long transactions;
    long cashMinor;
    int sessions;
    long lowStock;
    HybridLogicalClock lastUpdated = HybridLogicalClock.newBuilder().setPhysicalMs(1).setNodeId("n1").build();
    final List<Alert> alerts = new ArrayList<>();
    final Map<String, Stock> stock = new ConcurrentHashMap<>();
    final List<Total> totals = new ArrayList<>();
    final List<CategoryTotal> categories = new ArrayList<>();
    final Map<String, Ledger> accounts = new ConcurrentHashMap<>();
  }

  private final Optional<String> own;
  private final Map<String, Branch> branches = new ConcurrentHashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  final AtomicInteger reads = new AtomicInteger();
  final AtomicInteger dashboardReads = new AtomicInteger();
  /** Thrown by every read while set. */
  volatile RuntimeException failure;
  /** The arguments of the latest sales read: branch, from, to, grouping. */
  volatile List<Object> lastSales;

  /** A model of many branches (requests name theirs). */
  InMemoryReadModel() {
    this.own = Optional.empty();
  }

  /** A model of {@code own} alone. */
  InMemoryReadModel(String own) {
    this.own = Optional.of(own);
    branches.put(own, new Branch());
  }

  Branch add(String branchId) {
    return branches.computeIfAbsent(branchId, k -> new Branch());
  }

  /** Edits a branch, then tells the listeners, as a commit would. */
  void change(String branchId, Consumer<Branch> edit) {
    synchronized (this) {
      edit.accept(branches.get(branchId));
    }
    listeners.forEach(Runnable::run);
  }

  private synchronized Branch branch(String branchId) {
    reads.incrementAndGet();
    if (failure != null) {
      throw failure;
    }
    Branch b = branches.get(branchId);
    if (b == null) {
      throw new NotFound("Branch", branchId, "no branch " + branchId);
    }
    return b;
  }

  @Override
  public Optional<String> ownBranch() {
    return own;
  }

  @Override
  public synchronized Summary summary(String branchId, long asOfMs) {
    Branch b = branch(branchId);
    return new Summary(b.currency, b.salesMinor, b.transactions, b.cashMinor, b.sessions, b.lastUpdated, b.alerts);
  }

  @Override
  public synchronized Stock stock(String branchId, String productId) {
    Stock s = branch(branchId).stock.get(productId);
    if (s == null) {
      throw new NotFound("Product", productId, "no product " + productId);
    }
    return s;
  }

  @Override
  public synchronized Sales sales(String branchId, long fromMs, long toMs, Grouping grouping) {
    Branch b = branch(branchId);
    lastSales = List.of(branchId, fromMs, toMs, grouping);
    return new Sales(b.currency,
        b.totals.stream().filter(t -> t.at().toEpochMilli() >= fromMs && t.at().toEpochMilli() <= toMs).toList(),
        b.categories.stream().filter(c -> c.at().toEpochMilli() >= fromMs && c.at().toEpochMilli() <= toMs)
            .toList());
  }

  @Override
  public synchronized Ledger ledger(String branchId, String accountCode, long asOfMs) {
    Ledger l = branch(branchId).accounts.get(accountCode);
    if (l == null) {
      throw new NotFound("Account", accountCode, "no account " + accountCode);
    }
    return l;
  }

  @Override
  public synchronized Dashboard dashboard(String branchId, long nowMs) {
    Branch b = branch(branchId);
    dashboardReads.incrementAndGet();
    return new Dashboard(b.currency, b.salesMinor, b.transactions, b.sessions, b.lowStock, b.cashMinor);
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }
}
