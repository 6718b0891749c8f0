package com.cps.dcs.swarm.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.proto.v4.AlertLevel;
import com.cps.dcs.proto.v4.DashboardSubscription;
import com.cps.dcs.proto.v4.DashboardUpdate;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import com.cps.dcs.testsupport.Refusals;
import com.cps.dcs.testsupport.Refusals.Refusal;
import com.google.rpc.Code;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code SubscribeDashboard} of {@link QueryProtocolService} over real gRPC, against an in-memory read model. */
class DashboardStreamsTest {
  static final Instant NOW = Instant.parse("2026-11-22T15:00:00Z");

  InMemoryReadModel model;
  SimpleMeterRegistry registry;
  QueryProtocolService service;
  Served served;
  final List<Context.CancellableContext> subscriptions = new ArrayList<>();

  @BeforeEach
  void start() {
    model = new InMemoryReadModel();
    InMemoryReadModel.Branch b1 = model.add("b1");
    b1.salesMinor = 750;
    b1.transactions = 2;
    b1.sessions = 1;
    b1.lowStock = 3;
    b1.cashMinor = 1250;
    registry = new SimpleMeterRegistry();
    service = new QueryProtocolService(model, InstantSource.fixed(NOW), registry);
    served = new Served(service);
  }

  @AfterEach
  void stop() throws InterruptedException {
    subscriptions.forEach(c -> c.cancel(null));
    served.close();
  }

  /** What one subscriber received. */
  static final class Inbox implements StreamObserver<DashboardUpdate> {
    final BlockingQueue<DashboardUpdate> updates = new LinkedBlockingQueue<>();
    final CompletableFuture<Throwable> ended = new CompletableFuture<>();

    @Override
    public void onNext(DashboardUpdate u) {
      updates.add(u);
    }

    @Override
    public void onError(Throwable t) {
      ended.complete(t);
    }

    @Override
    public void onCompleted() {
      ended.complete(null);
    }

    DashboardUpdate next() throws InterruptedException {
      DashboardUpdate u = updates.poll(10, TimeUnit.SECONDS);
      assertThat(u).as("an update within 10 s").isNotNull();
      return u;
    }

    List<String> next(int n) throws InterruptedException {
      List<String> got = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        DashboardUpdate u = next();
        got.add(u.getMetricName() + "=" + u.getValue());
      }
      return got;
    }

    /** Nothing arrives for a while (several intervals). */
    void quiet() throws InterruptedException {
      assertThat(updates.poll(400, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  void untilNoStreamIsOpen() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (service.openDashboards() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20); // polling the service's count of open streams
    }
    assertThat(service.openDashboards()).isZero();
  }

  Inbox subscribe(String branch, String... metrics) {
    Inbox inbox = new Inbox();
    Context.CancellableContext ctx = Context.current().withCancellation();
    subscriptions.add(ctx);
    ctx.run(() -> QueryProtocolGrpc.newStub(served.channel).subscribeDashboard(DashboardSubscription.newBuilder()
        .setBranchId(branch).addAllMetrics(List.of(metrics)).setUpdateIntervalMs(100).build(), inbox));
    return inbox;
  }

  @Test
  void aSubscriberGetsEveryMetricFirstThenOnlyTheOnesThatChanged() throws Exception {
    Inbox inbox = subscribe("b1");
    assertThat(inbox.next(5)).containsExactly("today_sales=7.5", "today_transactions=2.0", "active_sessions=1.0",
        "low_stock_items=3.0", "current_balance=12.5");
    inbox.quiet();
    model.change("b1", b -> b.transactions = 3);
    assertThat(inbox.next(1)).containsExactly("today_transactions=3.0");
    inbox.quiet();
    model.change("b1", b -> {
      b.salesMinor = 900;
      b.sessions = 2;
    });
    assertThat(inbox.next(2)).containsExactly("today_sales=9.0", "active_sessions=2.0");
  }

  @Test
  void aSubscriberGetsOnlyTheMetricsItNamedWithTrendsAndDisplayValues() throws Exception {
    Inbox inbox = subscribe("b1", "current_balance", "today_transactions");
    DashboardUpdate balance = inbox.next();
    assertThat(balance.getMetricName()).isEqualTo("current_balance");
    assertThat(balance.getDisplayValue()).matches("12[.,]50 USD");
    assertThat(balance.getTrend()).isEqualTo(AlertLevel.INFO);
    assertThat(balance.getTimestamp().getSeconds()).isEqualTo(NOW.getEpochSecond());
    DashboardUpdate count = inbox.next();
    assertThat(count.getDisplayValue()).isEqualTo("2");
    model.change("b1", b -> {
      b.cashMinor = 1000;
      b.salesMinor = 0; // not subscribed
    });
    DashboardUpdate fell = inbox.next();
    assertThat(fell.getMetricName() + "=" + fell.getValue()).isEqualTo("current_balance=10.0");
    assertThat(fell.getTrend()).isEqualTo(AlertLevel.WARNING);
    model.change("b1", b -> b.cashMinor = 1100);
    assertThat(inbox.next().getTrend()).isEqualTo(AlertLevel.INFO);
    inbox.quiet();
  }

  @Test
  void subscribersOfABranchShareOneReadPerChange() throws Exception {
    Inbox first = subscribe("b1", "today_transactions");
    assertThat(first.next(1)).containsExactly("today_transactions=2.0");
    Inbox second = subscribe("b1", "today_transactions");
    assertThat(second.next(1)).containsExactly("today_transactions=2.0");
    assertThat(model.dashboardReads).hasValue(1);
    model.change("b1", b -> b.transactions = 5);
    assertThat(first.next(1)).containsExactly("today_transactions=5.0");
    assertThat(second.next(1)).containsExactly("today_transactions=5.0");
    assertThat(model.dashboardReads).hasValue(2);
  }

  @Test
  void anUnknownBranchIsNotFoundBeforeTheStreamOpens() {
    Refusal r = Refusals.of(() -> QueryProtocolGrpc.newBlockingStub(served.channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS).subscribeDashboard(DashboardSubscription.newBuilder()
            .setBranchId("b9").build()).hasNext());
    assertThat(r.code()).isEqualTo(Code.NOT_FOUND);
    assertThat(service.openDashboards()).isZero();
  }

  @Test
  void settingsOutOfBoundsAreInvalidNamingTheField() {
    var stub = QueryProtocolGrpc.newBlockingStub(served.channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    DashboardSubscription b1 = DashboardSubscription.newBuilder().setBranchId("b1").build();
    QueryProtocolServiceTest.invalid(() -> stub.subscribeDashboard(b1.toBuilder().setUpdateIntervalMs(-1).build())
        .hasNext(), "update_interval_ms");
    QueryProtocolServiceTest.invalid(() -> stub.subscribeDashboard(b1.toBuilder()
        .setUpdateIntervalMs(QueryRules.MAX_INTERVAL_MS + 1).build()).hasNext(), "update_interval_ms");
    QueryProtocolServiceTest.invalid(() -> stub.subscribeDashboard(b1.toBuilder().addMetrics("rm -rf").build())
        .hasNext(), "metrics");
    DashboardSubscription.Builder many = b1.toBuilder();
    for (int i = 0; i < 6; i++) {
      many.addMetrics("today_sales");
    }
    QueryProtocolServiceTest.invalid(() -> stub.subscribeDashboard(many.build()).hasNext(), "metrics");
    QueryProtocolServiceTest.invalid(() -> stub.subscribeDashboard(DashboardSubscription.getDefaultInstance())
        .hasNext(), "branch_id");
    assertThat(model.reads).hasValue(0);
  }

  @Test
  void aSubscriberThatLeavesIsForgotten() throws Exception {
    Inbox inbox = subscribe("b1", "today_sales");
    inbox.next();
    assertThat(registry.get("dcs.query.dashboard.streams").gauge().value()).isEqualTo(1.0);
    subscriptions.get(0).cancel(null);
    untilNoStreamIsOpen();
    int reads = model.dashboardReads.get();
    model.change("b1", b -> b.salesMinor = 1);
    Thread.sleep(300); // a stream still open would read within its interval
    assertThat(model.dashboardReads).hasValue(reads);
    assertThat(registry.get("dcs.query.dashboard.streams").gauge().value()).isZero();
  }

  @Test
  void aReadModelThatFailsEndsTheStreamWithItsStatus() throws Exception {
    Inbox unavailable = subscribe("b1", "today_sales");
    unavailable.next();
    model.failure = new ReadModel.Unavailable("the read models are not reachable: gone", null);
    model.change("b1", b -> b.salesMinor = 1);
    assertThat(Status.fromThrowable(unavailable.ended.get(10, TimeUnit.SECONDS)).getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);

    model.failure = null;
    Inbox broken = subscribe("b1", "today_sales");
    broken.next();
    model.failure = new IllegalStateException("a bug, with internals");
    model.change("b1", b -> b.salesMinor = 2);
    Status s = Status.fromThrowable(broken.ended.get(10, TimeUnit.SECONDS));
    assertThat(s.getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(s.getDescription()).isEqualTo("dashboard stream failed");
    untilNoStreamIsOpen();
  }
}
