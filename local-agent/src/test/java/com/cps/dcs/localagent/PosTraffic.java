package com.cps.dcs.localagent;

import com.cps.dcs.proto.pos.v1.CartLine;
import com.cps.dcs.proto.pos.v1.CheckoutRequest;
import com.cps.dcs.proto.pos.v1.ManagerApproval;
import com.cps.dcs.proto.pos.v1.OpenTillRequest;
import com.cps.dcs.proto.pos.v1.PosServiceGrpc;
import com.cps.dcs.proto.pos.v1.ReceiveStockRequest;
import com.cps.dcs.proto.pos.v1.RefundLine;
import com.cps.dcs.proto.pos.v1.RefundRequest;
import com.cps.dcs.proto.pos.v1.SignInRequest;
import com.cps.dcs.proto.pos.v1.Tender;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.EventBatch;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.GetEventsRangeRequest;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Cashiers' traffic for the race tests: signed-in tills, racing calls, and the branch's events to check them. */
final class PosTraffic {
  static final ManagerApproval MANAGER = ManagerApproval.newBuilder().setManagerId("9001").setPin("9999").build();

  private PosTraffic() {}

  static PosServiceGrpc.PosServiceBlockingStub pos(ManagedChannel channel) {
    return PosServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  /** Signs in and opens a till (when none is open for that cashier yet). */
  static String till(ManagedChannel channel, String cashier, String pin, String till) {
    String token = pos(channel).signIn(SignInRequest.newBuilder().setCashierId(cashier).setPin(pin).setTillId(till)
        .build()).getSessionToken();
    try {
      pos(channel).openTill(OpenTillRequest.newBuilder().setSessionToken(token).setOpeningCashMinor(0).build());
    } catch (io.grpc.StatusRuntimeException alreadyOpen) {
      // the till of this cashier is open from before a restart
    }
    return token;
  }

  static void stock(ManagedChannel channel, String managerToken, String productId, long quantity, String note) {
    pos(channel).receiveStock(ReceiveStockRequest.newBuilder().setSessionToken(managerToken).setProductId(productId)
        .setQuantity(quantity).setReference(note).build());
  }

  static CheckoutRequest milk(String token, String checkoutId, int quantity, boolean card) {
    Tender tender = card
        ? Tender.newBuilder().setMethod(TenderMethod.TENDER_CARD).setAmountMinor(119L * quantity)
            .setCardToken("tok_4111111111111111").build()
        : Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH).setAmountMinor(119L * quantity).build();
    return CheckoutRequest.newBuilder().setSessionToken(token).setCheckoutId(checkoutId)
        .addLines(CartLine.newBuilder().setProductId("p-milk").setQuantity(quantity)).addTenders(tender).build();
  }

  /** Refund {@code k} of a racing set: the whole rest, one unit, or the same product listed twice. */
  static RefundRequest refund(String token, String refundId, String saleId, int k) {
    RefundRequest.Builder r = RefundRequest.newBuilder().setSessionToken(token).setRefundId(refundId)
        .setSaleId(saleId).setApproval(MANAGER);
    RefundLine one = RefundLine.newBuilder().setProductId("p-milk").setQuantity(1).build();
    return switch (k % 3) {
      case 0 -> r.build();
      case 1 -> r.addLines(one).build();
      default -> r.addLines(one).addLines(one).build();
    };
  }

  /** Runs the calls at once (released together) and returns each one's outcome: a value or the exception. */
  static List<Object> race(ExecutorService pool, List<Callable<?>> calls) throws InterruptedException {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Object>> futures = new ArrayList<>();
    for (Callable<?> c : calls) {
      futures.add(pool.submit(() -> {
        go.await();
        try {
          return c.call();
        } catch (Exception e) {
          return e;
        }
      }));
    }
    go.countDown();
    List<Object> out = new ArrayList<>();
    for (Future<Object> f : futures) {
      try {
        out.add(f.get(120, TimeUnit.SECONDS));
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        out.add(e);
      }
    }
    return out;
  }

  static List<SovereignFinancialEvent> events(ManagedChannel channel) {
    var swarm = AccountingSwarmProtocolGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    List<SovereignFinancialEvent> all = new ArrayList<>();
    GetEventsRangeRequest.Builder q = GetEventsRangeRequest.newBuilder().setLimit(1000);
    EventBatch page;
    do {
      page = swarm.getEventsByRange(q.build());
      all.addAll(page.getEventsList());
      q.setCursor(page.getNextCursor());
    } while (page.getHasMore());
    return all;
  }

  /** The amounts paid back on {@code saleId}: its PAYMENT_REFUNDED events. */
  static long refundedOn(List<SovereignFinancialEvent> events, String saleId) {
    return events.stream().filter(e -> e.getCorrelationId().equals(saleId)
        && e.getType() == EventType.PAYMENT_REFUNDED).mapToLong(SovereignFinancialEvent::getAmountMinor).sum();
  }

  static long count(List<SovereignFinancialEvent> events, EventType type) {
    return events.stream().filter(e -> e.getType() == type).count();
  }
}
