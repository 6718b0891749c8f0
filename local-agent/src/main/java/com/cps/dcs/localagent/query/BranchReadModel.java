package com.cps.dcs.localagent.query;

import com.cps.dcs.eventstore.sqlite.StoredEvent;
import com.cps.dcs.kernel.crdt.OrSet;
import com.cps.dcs.kernel.event.EventFactsCodec;
import com.cps.dcs.localagent.catalog.Catalog;
import com.cps.dcs.localagent.sale.Accounts;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.till.TillService;
import com.cps.dcs.proto.pos.v1.Product;
import com.cps.dcs.proto.v4.AlertLevel;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.swarm.query.Grouping;
import com.cps.dcs.swarm.query.ReadModel;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The branch's own figures for {@code QueryProtocol}, computed from the branch's events (their {@code EventFacts})
 * and CRDTs in its SQLite store, so managers see their branch while it is offline. It serves this branch alone: a
 * request for another is NOT_FOUND. Days are UTC.
 */
public final class BranchReadModel implements ReadModel {
  private static final Set<Integer> SALE_TYPES = Set.of(EventType.SALE_COMPLETED_VALUE, EventType.SALE_REVERSED_VALUE,
      EventType.SALE_PARTIALLY_REFUNDED_VALUE);

  private final LocalStore store;

  public BranchReadModel(LocalStore store) {
    this.store = store;
  }

  @Override
  public Optional<String> ownBranch() {
    return Optional.of(store.branchId());
  }

  /** Today's sales, completed sales, cash balance and open sessions up to {@code asOf}. */
  private record Figures(long salesMinor, long transactions, long cashMinor, int sessions) {}

  private Figures figures(long asOf) {
    long dayStart = Instant.ofEpochMilli(asOf).truncatedTo(ChronoUnit.DAYS).toEpochMilli();
    long sales = 0;
    int count = 0;
    for (StoredEvent s : events(dayStart, asOf + 1, SALE_TYPES)) {
      SovereignFinancialEvent e = s.event();
      if (e.getType() == EventType.SALE_COMPLETED) {
        sales += e.getAmountMinor();
        count++;
      } else {
        sales -= e.getAmountMinor();
      }
    }
    long[] cash = ledger(Accounts.CASH, asOf);
    int sessions = store.crdt(TillService.OPEN_SESSIONS).map(c -> ((OrSet) c).values().size()).orElse(0);
    return new Figures(sales, count, cash[0] - cash[1], sessions);
  }

  @Override
  public Summary summary(String branchId, long asOfMs) {
    checkBranch(branchId);
    Figures f = figures(asOfMs);
    List<Alert> alerts = new ArrayList<>();
    for (Product p : Catalog.all(store)) {
      if (p.getActive() && p.getStockOnHand() <= 0) {
        alerts.add(new Alert(AlertLevel.CRITICAL, p.getName() + " is out of stock", "inventory", null));
      } else if (p.getActive() && p.getStockAvailable() <= p.getReorderPoint()) {
        alerts.add(new Alert(AlertLevel.WARNING, p.getName() + " is low: " + p.getStockAvailable()
            + " left (reorder at " + p.getReorderPoint() + ")", "inventory", null));
      }
    }
    long dayStart = Instant.ofEpochMilli(asOfMs).truncatedTo(ChronoUnit.DAYS).toEpochMilli();
    for (StoredEvent s : events(dayStart, asOfMs + 1, Set.of(EventType.PAYMENT_FAILED_VALUE))) {
      alerts.add(new Alert(AlertLevel.WARNING, "payment failed: " + EventFactsCodec.of(s.event()).getReason(),
          "payments", null));
    }
    return new Summary(store.currency(), f.salesMinor(), f.transactions(), f.cashMinor(), f.sessions(),
        store.clock().last().toProto(), alerts);
  }

  @Override
  public Stock stock(String branchId, String productId) {
    checkBranch(branchId);
    Product p = Catalog.product(store, productId).orElseThrow(() -> new NotFound("Product", productId,
        "no product " + productId + " at branch " + store.branchId()));
    return new Stock(p.getStockOnHand(), p.getStockReserved(), p.getStockAvailable(), p.getReorderPoint(),
        store.crdtBundles(Catalog.stockId(p.getProductId())).stream().findFirst()
            .map(bundle -> bundle.getLastUpdated()).orElse(null));
  }

  @Override
  public Sales sales(String branchId, long fromMs, long toMs, Grouping grouping) {
    checkBranch(branchId);
    List<Total> totals = new ArrayList<>();
    List<CategoryTotal> categories = new ArrayList<>();
    for (StoredEvent s : events(fromMs, toMs + 1, SALE_TYPES)) {
      SovereignFinancialEvent e = s.event();
      Instant at = Instant.ofEpochMilli(LocalStore.tsMillis(e));
      boolean completed = e.getType() == EventType.SALE_COMPLETED;
      long sign = completed ? 1 : -1;
      totals.add(new Total(at, sign * e.getAmountMinor(), completed ? 1 : 0));
      for (EventFacts.Line l : EventFactsCodec.of(e).getLinesList()) {
        categories.add(new CategoryTotal(at, l.getCategory().isEmpty() ? ReadModel.UNCATEGORIZED : l.getCategory(),
            sign * l.getLineTotalMinor()));
      }
    }
    return new Sales(store.currency(), totals, categories);
  }

  @Override
  public Ledger ledger(String branchId, String accountCode, long asOfMs) {
    checkBranch(branchId);
    String name = Accounts.name(accountCode);
    if (name.startsWith("Account ")) {
      throw new NotFound("Account", accountCode, "no account " + accountCode
          + " in the branch's chart of accounts");
    }
    long[] dc = ledger(accountCode, asOfMs);
    return new Ledger(name, store.currency(), dc[0], dc[1], store.clock().last().toProto());
  }

  @Override
  public Dashboard dashboard(String branchId, long nowMs) {
    checkBranch(branchId);
    Figures f = figures(nowMs);
    long lowStock = Catalog.all(store).stream().filter(p -> p.getActive()
        && (p.getStockOnHand() <= 0 || p.getStockAvailable() <= p.getReorderPoint())).count();
    return new Dashboard(store.currency(), f.salesMinor(), f.transactions(), f.sessions(), lowStock, f.cashMinor());
  }

  @Override
  public void onChange(Runnable listener) {
    store.addAppendListener(e -> listener.run());
  }

  /** Debit and credit totals of an account up to {@code asOf}, from the ledger postings in the events. */
  private long[] ledger(String account, long asOf) {
    long[] dc = new long[2];
    for (StoredEvent s : events(0, asOf + 1, Set.of(EventType.LEDGER_ENTRY_POSTED_VALUE,
        EventType.LEDGER_REVERSAL_POSTED_VALUE))) {
      for (EventFacts.Posting p : EventFactsCodec.of(s.event()).getPostingsList()) {
        if (p.getAccountCode().equals(account)) {
          dc[0] += p.getDebitMinor();
          dc[1] += p.getCreditMinor();
        }
      }
    }
    return dc;
  }

  private List<StoredEvent> events(long from, long to, Set<Integer> types) {
    List<StoredEvent> out = new ArrayList<>();
    long after = 0;
    while (true) {
      long a = after;
      List<StoredEvent> page = store.rangeCounted(from, to, types, a, 2000);
      if (page.isEmpty()) {
        return out;
      }
      for (StoredEvent s : page) {
        if (s.event().getBranchId().equals(store.branchId())) {
          out.add(s);
        }
      }
      after = page.get(page.size() - 1).seq();
    }
  }

  private void checkBranch(String branchId) {
    if (!branchId.equals(store.branchId())) {
      throw new NotFound("Branch", branchId, "this agent serves branch " + store.branchId() + " only");
    }
  }
}
