package com.cps.dcs.swarm.query;

import com.cps.dcs.proto.v4.AlertLevel;
import com.cps.dcs.proto.v4.HybridLogicalClock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The port {@link QueryProtocolService} reads from: one tier's figures of a branch (the branch's own, from its local
 * store, or every branch of a tenant, from the query service's projections). The service validates every request
 * before it calls the port, so the arguments are plain and checked: ids pass {@code Texts}' id rules, times are Unix
 * milliseconds within 0 and year 9999 with "now" already resolved, a range covers at most five years.
 *
 * <p>Amounts are in the currency's minor units; the service turns them into the wire's doubles. A method throws
 * {@link NotFound} when the branch, the product or the account is unknown to this tier, and {@link Unavailable} when
 * its store cannot be read; nothing else is expected.
 */
public interface ReadModel {

  /** The branch this model serves alone, which a request without {@code branch_id} means; empty: it is required. */
  Optional<String> ownBranch();

  /** The branch's figures for the UTC day of {@code asOfMs}: sales of that day, balances up to it, its alerts. */
  Summary summary(String branchId, long asOfMs);

  /** The stock of one product of the branch. */
  Stock stock(String branchId, String productId);

  /**
   * The sales of the branch from {@code fromMs} to {@code toMs}, at the finest granularity {@code grouping} needs
   * (hours for {@link Grouping#HOUR}, days or finer otherwise); the service groups them into periods.
   */
  Sales sales(String branchId, long fromMs, long toMs, Grouping grouping);

  /** The debit and credit totals of an account of the branch up to {@code asOfMs}. */
  Ledger ledger(String branchId, String accountCode, long asOfMs);

  /** The figures a dashboard shows, read fresh (no answer kept from before the latest change) at {@code nowMs}. */
  Dashboard dashboard(String branchId, long nowMs);

  /** Registers {@code listener}, run after every change of the figures (from any thread; it must not block). */
  void onChange(Runnable listener);

  /** A branch's summary; {@code lastUpdated} is the latest clock reading the figures include. */
  record Summary(String currency, long todaySalesMinor, long todayTransactions, long currentBalanceMinor,
      int activeSessions, HybridLogicalClock lastUpdated, List<Alert> alerts) {
    public Summary {
      Objects.requireNonNull(currency, "currency");
      Objects.requireNonNull(lastUpdated, "lastUpdated");
      alerts = List.copyOf(alerts);
    }
  }

  /** An alert of a branch; {@code createdAt} is null when the tier computes the alert rather than records it. */
  record Alert(AlertLevel level, String message, String source, Instant createdAt) {}

  /** A product's stock; {@code lastMovement} is null when the tier does not know it. */
  record Stock(long onHand, long reserved, long available, long reorderPoint, HybridLogicalClock lastMovement) {}

  /**
   * Sales rows: {@code totals} (net amount and completed sales) and {@code categories} (net amount of each product
   * category), each at an instant of its row. A period of the report exists when some total falls in it.
   */
  record Sales(String currency, List<Total> totals, List<CategoryTotal> categories) {
    public Sales {
      Objects.requireNonNull(currency, "currency");
      totals = List.copyOf(totals);
      categories = List.copyOf(categories);
    }
  }

  /** Net sales ({@code amountMinor}, refunds negative) and completed sales counted at {@code at}. */
  record Total(Instant at, long amountMinor, long transactions) {}

  /** Net sales of a product category at {@code at}. */
  /** The category of a sale line that names none, the same at every tier. */
  String UNCATEGORIZED = "UNCATEGORIZED";

  record CategoryTotal(Instant at, String category, long amountMinor) {}

  /** An account's totals; {@code lastUpdated} is the latest clock reading they include. */
  record Ledger(String accountName, String currency, long debitMinor, long creditMinor,
      HybridLogicalClock lastUpdated) {}

  /** What a dashboard shows of a branch now. */
  record Dashboard(String currency, long todaySalesMinor, long todayTransactions, long activeSessions,
      long lowStockItems, long currentBalanceMinor) {}

  /** The branch, product or account asked about is unknown to this tier. */
  final class NotFound extends RuntimeException {
    private final String resourceType;
    private final String resourceName;

    /**
     * @param resourceType "Branch", "Product", "Account"
     * @param resourceName the id asked about
     * @param description for the caller: what is unknown where
     */
    public NotFound(String resourceType, String resourceName, String description) {
      super(description);
      this.resourceType = resourceType;
      this.resourceName = resourceName;
    }

    public String resourceType() {
      return resourceType;
    }

    public String resourceName() {
      return resourceName;
    }
  }

  /** The tier's store cannot be read now; the caller may retry. The message is for the caller. */
  final class Unavailable extends RuntimeException {
    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
