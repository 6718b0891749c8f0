package com.cps.dcs.query;

import com.cps.dcs.query.store.ProjectionReads;
import com.cps.dcs.query.store.ReadModels;
import com.cps.dcs.query.store.SummaryCache;
import com.cps.dcs.swarm.query.Grouping;
import com.cps.dcs.swarm.query.ReadModel;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The projections' figures for {@code QueryProtocol}: every branch of the service's tenant ({@code DCS_TENANT_ID}),
 * each read under RLS as {@code dcs_app} by {@link ProjectionReads}. Summaries are kept between projection commits
 * ({@link SummaryCache}). A branch with no events seen is NOT_FOUND; a database that cannot be read is UNAVAILABLE.
 */
public final class ProjectionReadModel implements ReadModel {
  /** The cash account (local agent chart of accounts): the branch's current balance. */
  public static final String CASH_ACCOUNT = ProjectionReads.CASH_ACCOUNT;

  private final ProjectionReads reads;
  private final SummaryCache summaries;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  public ProjectionReadModel(ReadModels db, String tenant, SummaryCache summaries) {
    this.reads = new ProjectionReads(db, tenant);
    this.summaries = summaries;
  }

  /** The projections changed (a commit of this instance's consumer): tells the listeners. */
  public void changed() {
    listeners.forEach(Runnable::run);
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  @Override
  public Optional<String> ownBranch() {
    return Optional.empty(); // every branch of the tenant: a request names its branch
  }

  private static LocalDate day(long ms) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(ms), ZoneOffset.UTC);
  }

  @Override
  public Summary summary(String branchId, long asOfMs) {
    LocalDate day = day(asOfMs);
    return summaries.get(branchId, day, () -> reads.summary(branchId, day));
  }

  @Override
  public Stock stock(String branchId, String productId) {
    return reads.stock(branchId, productId);
  }

  /** Hourly rows for {@link Grouping#HOUR} (cut at the hour), else daily rows (cut at the UTC days of the range). */
  @Override
  public Sales sales(String branchId, long fromMs, long toMs, Grouping grouping) {
    return reads.sales(branchId, fromMs, toMs, grouping == Grouping.HOUR);
  }

  /** The postings of the UTC days up to the day of {@code asOfMs}; an account with none is NOT_FOUND. */
  @Override
  public Ledger ledger(String branchId, String accountCode, long asOfMs) {
    return reads.ledger(branchId, accountCode, day(asOfMs));
  }

  /** The summary read fresh (not from the cache) and the products at or below their reorder point. */
  @Override
  public Dashboard dashboard(String branchId, long nowMs) {
    Summary s = reads.summary(branchId, day(nowMs));
    long low = reads.lowStock(branchId);
    return new Dashboard(s.currency(), s.todaySalesMinor(), s.todayTransactions(), s.activeSessions(), low,
        s.currentBalanceMinor());
  }
}
