package com.cps.dcs.localagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.proto.pos.v1.GetReceiptRequest;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.ReceiptLine;
import com.cps.dcs.proto.pos.v1.RefundReceipt;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Races against a real agent over real gRPC: a POS retrying one checkout id while its first call still runs (8 calls
 * at once, 50 rounds, other cashiers selling meanwhile) makes one sale; 8 refunds at once on one sale (each with its
 * own refund id, as two tills or a double click send) never return more than the sale.
 */
class PosRaceIT {
  static final int ROUNDS = 50;
  static final int RACERS = 8;
  static AgentFixture agent;
  static ExecutorService pool = Executors.newFixedThreadPool(RACERS + 2);
  static String cashier;
  static String other;
  static String manager;

  @BeforeAll
  static void start() {
    agent = new AgentFixture("branch-race").start("DCS_SAMPLE_DATA=true");
    cashier = PosTraffic.till(agent.channel, "1001", "1234", "till-1");
    other = PosTraffic.till(agent.channel, "1002", "2345", "till-2");
    manager = PosTraffic.till(agent.channel, "9001", "9999", "till-9");
    PosTraffic.stock(agent.channel, manager, "p-milk", 100_000, "DN-RACE");
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
    agent.close();
  }

  /** Another cashier selling all along; returns how many sales it made when stopped. */
  static Future<Integer> otherCashierSelling(AtomicBoolean stop, String prefix) {
    return pool.submit(() -> {
      int sold = 0;
      while (!stop.get()) {
        PosTraffic.pos(agent.channel).checkout(PosTraffic.milk(other, prefix + sold, 1, sold % 2 == 0));
        sold++;
      }
      return sold;
    });
  }

  @Test
  void eightCallsRacingOnOneCheckoutIdMakeOneSaleEveryRound() throws Exception {
    long salesBefore = PosTraffic.count(PosTraffic.events(agent.channel), EventType.SALE_COMPLETED);
    AtomicBoolean stop = new AtomicBoolean();
    Future<Integer> others = otherCashierSelling(stop, "race-other-");
    Set<String> receiptNumbers = new HashSet<>();
    for (int round = 0; round < ROUNDS; round++) {
      var request = PosTraffic.milk(cashier, "race-co-" + round, 1 + round % 3, round % 2 == 1);
      List<Callable<?>> calls = new ArrayList<>();
      for (int k = 0; k < RACERS; k++) {
        calls.add(() -> PosTraffic.pos(agent.channel).checkout(request));
      }
      List<Object> outcomes = PosTraffic.race(pool, calls);
      assertThat(outcomes).as("round " + round).allMatch(o -> o instanceof Receipt);
      List<Receipt> receipts = outcomes.stream().map(o -> (Receipt) o).toList();
      assertThat(receipts).extracting(Receipt::getSaleId).as("round " + round).containsOnly(receipts.get(0)
          .getSaleId());
      assertThat(receipts).extracting(Receipt::getReceiptNumber).containsOnly(receipts.get(0).getReceiptNumber());
      assertThat(receipts.stream().filter(r -> !r.getDuplicate()).count()).as("one call made the sale").isEqualTo(1);
      receiptNumbers.add(receipts.get(0).getReceiptNumber());
    }
    stop.set(true);
    int otherSales = others.get(60, TimeUnit.SECONDS);
    assertThat(receiptNumbers).hasSize(ROUNDS);
    long salesAfter = PosTraffic.count(PosTraffic.events(agent.channel), EventType.SALE_COMPLETED);
    assertThat(salesAfter - salesBefore).as("one sale per checkout id, and the other cashier's")
        .isEqualTo(ROUNDS + otherSales);
  }

  @Test
  void eightRefundsRacingOnOneSaleNeverReturnMoreThanTheSale() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    Future<Integer> others = otherCashierSelling(stop, "race-rf-other-");
    List<Receipt> sales = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      Receipt sale = PosTraffic.pos(agent.channel).checkout(PosTraffic.milk(cashier, "race-base-" + round, 3,
          round % 2 == 0));
      sales.add(sale);
      List<Callable<?>> calls = new ArrayList<>();
      for (int k = 0; k < RACERS; k++) {
        var r = PosTraffic.refund(manager, "race-rf-" + round + "-" + k, sale.getSaleId(), k + round);
        calls.add(() -> PosTraffic.pos(agent.channel).refund(r));
      }
      long refunded = 0;
      for (Object o : PosTraffic.race(pool, calls)) {
        if (o instanceof RefundReceipt r) {
          refunded += r.getRefundedMinor();
        } else {
          assertThat(o).isInstanceOf(StatusRuntimeException.class);
          assertThat(((StatusRuntimeException) o).getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        }
      }
      assertThat(refunded).as("round " + round).isLessThanOrEqualTo(sale.getTotalMinor());
      Receipt after = PosTraffic.pos(agent.channel).getReceipt(GetReceiptRequest.newBuilder()
          .setSessionToken(cashier).setSaleId(sale.getSaleId()).build());
      assertThat(after.getLinesList()).allMatch(l -> l.getRefundedQuantity() <= l.getQuantity());
      long units = after.getLinesList().stream().mapToLong(ReceiptLine::getRefundedQuantity).sum();
      assertThat(refunded).isEqualTo(units * 119);
    }
    stop.set(true);
    others.get(60, TimeUnit.SECONDS);
    List<SovereignFinancialEvent> events = PosTraffic.events(agent.channel);
    for (Receipt sale : sales) {
      assertThat(PosTraffic.refundedOn(events, sale.getSaleId())).isLessThanOrEqualTo(sale.getTotalMinor());
    }
  }
}
