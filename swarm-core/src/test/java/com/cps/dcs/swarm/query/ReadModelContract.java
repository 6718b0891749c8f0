package com.cps.dcs.swarm.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ReadModel} does, whatever its store: a tier runs it by extending it with a fixture of its own (a
 * branch it knows, a product of it, and a way to record a sale). {@link InMemoryReadModelContractTest} runs it
 * against the tests' in-memory model, so that the double the service's tests use behaves as the port says; the
 * branch's {@code BranchReadModel} (local-agent, over a SQLite file) and the query service's
 * {@code ProjectionReadModel} (over PostgreSQL fed from Kafka) run it from swarm-core's test jar.
 */
public abstract class ReadModelContract {
  /** How long a listener may take to hear of a change: the port runs it after the change, from any thread. */
  private static final Duration ANNOUNCED_WITHIN = Duration.ofSeconds(10);

  /** The model under test. */
  protected abstract ReadModel model();

  /** A branch the model knows. */
  protected abstract String branch();

  /** A product of {@link #branch()} the model knows. */
  protected abstract String product();

  /** Now, for the model: its "today". */
  protected abstract long now();

  /**
   * Records, now, one completed sale of {@code amountMinor} in a new {@code category}, the way the tier's figures
   * come to include one; returns once the model reads it.
   */
  protected abstract void recordSale(long amountMinor, String category);

  /** The start of the UTC day of {@link #now()}. */
  protected long dayStart() {
    return Instant.ofEpochMilli(now()).truncatedTo(ChronoUnit.DAYS).toEpochMilli();
  }

  static void notFound(Runnable read, String type, String name) {
    assertThatThrownBy(read::run).isInstanceOfSatisfying(ReadModel.NotFound.class, e -> {
      assertThat(e.resourceType()).isEqualTo(type);
      assertThat(e.resourceName()).isEqualTo(name);
      assertThat(e.getMessage()).isNotBlank();
    });
  }

  @Test
  void everyReadOfAnUnknownBranchIsNotFound() {
    String other = "no-such-branch";
    assertThat(model().ownBranch().orElse("")).isNotEqualTo(other);
    notFound(() -> model().summary(other, now()), "Branch", other);
    notFound(() -> model().stock(other, product()), "Branch", other);
    notFound(() -> model().sales(other, dayStart(), now(), Grouping.DAY), "Branch", other);
    notFound(() -> model().ledger(other, "1000", now()), "Branch", other);
    notFound(() -> model().dashboard(other, now()), "Branch", other);
  }

  @Test
  void anUnknownProductIsNotFoundAndAKnownOneHasItsStock() {
    notFound(() -> model().stock(branch(), "no-such-product"), "Product", "no-such-product");
    ReadModel.Stock s = model().stock(branch(), product());
    assertThat(s.reserved()).isNotNegative();
    assertThat(s.available()).isLessThanOrEqualTo(s.onHand());
  }

  @Test
  void aSaleShowsInTheSummaryTheDashboardAndTheReportAndIsAnnounced() {
    AtomicInteger changes = new AtomicInteger();
    model().onChange(changes::incrementAndGet);
    ReadModel.Summary before = model().summary(branch(), now());
    long[] reportBefore = sums(model().sales(branch(), dayStart(), now(), Grouping.DAY));

    recordSale(250, "contract-category");

    ReadModel.Summary after = model().summary(branch(), now());
    assertThat(after.todaySalesMinor()).isEqualTo(before.todaySalesMinor() + 250);
    assertThat(after.todayTransactions()).isEqualTo(before.todayTransactions() + 1);
    ReadModel.Dashboard d = model().dashboard(branch(), now());
    assertThat(List.of(d.todaySalesMinor(), d.todayTransactions(), d.currentBalanceMinor(), d.activeSessions()))
        .containsExactly(after.todaySalesMinor(), after.todayTransactions(), after.currentBalanceMinor(),
            (long) after.activeSessions());
    ReadModel.Sales report = model().sales(branch(), dayStart(), now(), Grouping.DAY);
    assertThat(sums(report)).containsExactly(reportBefore[0] + 250, reportBefore[1] + 1);
    assertThat(report.categories()).filteredOn(c -> c.category().equals("contract-category"))
        .extracting(ReadModel.CategoryTotal::amountMinor).containsExactly(250L);
    awaitAnnounced(changes);
  }

  /** The listeners may hear of a change on another thread, after a reader can see it: waits a bounded time. */
  private static void awaitAnnounced(AtomicInteger changes) {
    long deadline = System.nanoTime() + ANNOUNCED_WITHIN.toNanos();
    while (changes.get() == 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    assertThat(changes.get()).as("listeners told of the sale within %s", ANNOUNCED_WITHIN).isPositive();
  }

  @Test
  void theFiguresOfABranchShareOneCurrency() {
    String currency = model().summary(branch(), now()).currency();
    assertThat(currency).isNotEmpty();
    assertThat(model().sales(branch(), dayStart(), now(), Grouping.HOUR).currency()).isEqualTo(currency);
    assertThat(model().dashboard(branch(), now()).currency()).isEqualTo(currency);
  }

  /** {amount, transactions} of a report's totals. */
  static long[] sums(ReadModel.Sales s) {
    long[] out = new long[2];
    for (ReadModel.Total t : s.totals()) {
      out[0] += t.amountMinor();
      out[1] += t.transactions();
    }
    return out;
  }
}
