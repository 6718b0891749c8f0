package com.cps.dcs.localagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.proto.pos.v1.CheckoutRequest;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.RefundReceipt;
import com.cps.dcs.proto.pos.v1.RefundRequest;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.testsupport.ChildJvm;
import com.cps.dcs.testsupport.FreePorts;
import com.cps.dcs.testsupport.TempDirs;
import com.cps.dcs.testsupport.TestCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The packaged agent in a child JVM, killed with SIGKILL while checkouts race on one checkout id and refunds race on
 * one sale (other cashiers selling meanwhile), then restarted on the same data and every call retried: one sale per
 * checkout id, no sale refunded beyond its total, and every card refund paid back once.
 */
class PosCrashIT {
  private static final Path JAR = Path.of("target/local-agent.jar");
  private static final int RACERS = 8;

  private static ChildJvm startAgent(Path data, int port, Path log) {
    ChildJvm agent = ChildJvm.builder().jar(JAR).jvmArg("-XX:TieredStopAtLevel=1")
        .env("DCS_DATA_DIR", data.toString()).env("DCS_GRPC_PORT", Integer.toString(port))
        .env("DCS_MANAGEMENT_PORT", Integer.toString(FreePorts.allocate())).env("DCS_BRANCH_ID", "branch-pos-crash")
        .env("DCS_TENANT_ID", "tenant-it").env("DCS_SAMPLE_DATA", "true").logTo(log).start();
    agent.awaitLogLine("serving gRPC and gRPC-Web on port", Duration.ofSeconds(90));
    return agent;
  }

  /** Everything the clients sent, to retry after the restart, and every answer they got. */
  private final Map<String, CheckoutRequest> checkoutsSent = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> salesOfCheckout = new ConcurrentHashMap<>();
  private final Map<String, RefundRequest> refundsSent = new ConcurrentHashMap<>();
  private final Map<String, Long> refundedBy = new ConcurrentHashMap<>();
  private final Map<String, Receipt> baseSales = new ConcurrentHashMap<>();

  private void answered(String checkoutId, Object outcome) {
    if (outcome instanceof Receipt r) {
      salesOfCheckout.computeIfAbsent(checkoutId, k -> ConcurrentHashMap.newKeySet()).add(r.getSaleId());
    }
  }

  private void refundAnswered(String refundId, Object outcome) {
    if (outcome instanceof RefundReceipt r) {
      Long before = refundedBy.putIfAbsent(refundId, r.getRefundedMinor());
      assertThat(before == null || before == r.getRefundedMinor()).as("one refund id, one amount").isTrue();
    }
  }

  @Test
  void killingTheAgentWhileCheckoutsAndRefundsRaceMakesOneSalePerCheckoutAndPaysNoRefundTwice() throws Exception {
    assertThat(JAR).as("the packaged agent (mvn package builds it before integration tests)").exists();
    Path data = TempDirs.create("pos-crash");
    int port = FreePorts.allocate();
    ChildJvm agent = startAgent(data, port, data.resolve("agent-1.log"));
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
        .intercept(TestCredentials.admin()).build();
    String cashier = PosTraffic.till(channel, "1001", "1234", "till-1");
    String other = PosTraffic.till(channel, "1002", "2345", "till-2");
    String manager = PosTraffic.till(channel, "9001", "9999", "till-9");
    PosTraffic.stock(channel, manager, "p-milk", 100_000, "DN-CRASH");

    ExecutorService pool = Executors.newFixedThreadPool(2 * RACERS + 4);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger checkoutRounds = new AtomicInteger();
    AtomicInteger refundRounds = new AtomicInteger();
    Future<?> checkouts = pool.submit(() -> {
      for (int round = 0; !stop.get(); round++) {
        CheckoutRequest request = PosTraffic.milk(cashier, "crash-co-" + round, 1 + round % 3, round % 2 == 1);
        checkoutsSent.put(request.getCheckoutId(), request);
        List<Callable<?>> calls = new ArrayList<>();
        for (int k = 0; k < RACERS; k++) {
          calls.add(() -> PosTraffic.pos(channel).withDeadlineAfter(10, TimeUnit.SECONDS).checkout(request));
        }
        for (Object o : PosTraffic.race(pool, calls)) {
          answered(request.getCheckoutId(), o);
        }
        checkoutRounds.incrementAndGet();
      }
      return null;
    });
    Future<?> refunds = pool.submit(() -> {
      for (int round = 0; !stop.get(); round++) {
        CheckoutRequest base = PosTraffic.milk(cashier, "crash-base-" + round, 3, true);
        checkoutsSent.put(base.getCheckoutId(), base);
        Receipt sale;
        try {
          sale = PosTraffic.pos(channel).withDeadlineAfter(10, TimeUnit.SECONDS).checkout(base);
        } catch (StatusRuntimeException gone) {
          continue;
        }
        answered(base.getCheckoutId(), sale);
        baseSales.put(sale.getSaleId(), sale);
        List<Callable<?>> calls = new ArrayList<>();
        for (int k = 0; k < RACERS; k++) {
          RefundRequest r = PosTraffic.refund(manager, "crash-rf-" + round + "-" + k, sale.getSaleId(), k + round);
          refundsSent.put(r.getRefundId(), r);
          calls.add(() -> {
            Object o;
            try {
              o = PosTraffic.pos(channel).withDeadlineAfter(10, TimeUnit.SECONDS).refund(r);
            } catch (StatusRuntimeException e) {
              o = e;
            }
            refundAnswered(r.getRefundId(), o);
            return o;
          });
        }
        PosTraffic.race(pool, calls);
        refundRounds.incrementAndGet();
      }
      return null;
    });
    Future<?> otherCashier = pool.submit(() -> {
      for (int n = 0; !stop.get(); n++) {
        CheckoutRequest request = PosTraffic.milk(other, "crash-other-" + n, 1, n % 2 == 0);
        checkoutsSent.put(request.getCheckoutId(), request);
        try {
          answered(request.getCheckoutId(), PosTraffic.pos(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
              .checkout(request));
        } catch (StatusRuntimeException gone) {
          // the agent is down; the id is retried after the restart
        }
      }
      return null;
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while ((checkoutRounds.get() < 10 || refundRounds.get() < 10) && System.nanoTime() < deadline) {
      Thread.sleep(20); // polling the traffic's progress, not timing an assertion
    }
    agent.killHard();
    stop.set(true);
    checkouts.get(120, TimeUnit.SECONDS);
    refunds.get(120, TimeUnit.SECONDS);
    otherCashier.get(120, TimeUnit.SECONDS);
    channel.shutdownNow();
    assertThat(checkoutRounds.get()).isGreaterThanOrEqualTo(10);
    assertThat(refundRounds.get()).isGreaterThanOrEqualTo(10);

    ChildJvm restarted = startAgent(data, port, data.resolve("agent-2.log"));
    ManagedChannel channel2 = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
        .intercept(TestCredentials.admin()).build();
    try {
      // every client retries what it sent (the sessions survive the restart)
      for (CheckoutRequest request : checkoutsSent.values()) {
        try {
          answered(request.getCheckoutId(), PosTraffic.pos(channel2).checkout(request));
        } catch (StatusRuntimeException e) {
          assertThat(e.getStatus().getCode()).as(e.getStatus().getDescription())
              .isEqualTo(Status.Code.FAILED_PRECONDITION);
        }
      }
      for (RefundRequest r : refundsSent.values()) {
        try {
          refundAnswered(r.getRefundId(), PosTraffic.pos(channel2).refund(r));
        } catch (StatusRuntimeException e) {
          assertThat(e.getStatus().getCode()).as("no refund left pending: " + e.getStatus().getDescription())
              .isEqualTo(Status.Code.FAILED_PRECONDITION);
        }
      }
      List<SovereignFinancialEvent> events = PosTraffic.events(channel2);
      assertThat(salesOfCheckout.values()).as("one sale per checkout id").allMatch(s -> s.size() == 1);
      long sales = PosTraffic.count(events, EventType.SALE_COMPLETED);
      assertThat(sales).as("no sale beyond one per checkout id").isEqualTo(salesOfCheckout.size());
      for (Receipt sale : baseSales.values()) {
        long paidBack = PosTraffic.refundedOn(events, sale.getSaleId());
        assertThat(paidBack).isLessThanOrEqualTo(sale.getTotalMinor());
      }
      long answeredTotal = refundedBy.values().stream().mapToLong(Long::longValue).sum();
      long paidTotal = baseSales.keySet().stream().mapToLong(id -> PosTraffic.refundedOn(events, id)).sum();
      assertThat(paidTotal).as("every refund paid back once: the events match the refunds answered")
          .isEqualTo(answeredTotal);
    } finally {
      channel2.shutdownNow();
      restarted.stop();
      pool.shutdownNow();
    }
  }
}
