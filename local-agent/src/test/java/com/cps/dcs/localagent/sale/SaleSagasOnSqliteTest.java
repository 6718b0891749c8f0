package com.cps.dcs.localagent.sale;

import static com.cps.dcs.localagent.sale.BranchOnDisk.milk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.cps.dcs.kernel.saga.SagaRecord;
import com.cps.dcs.localagent.catalog.Catalog;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.RefundLine;
import com.cps.dcs.proto.pos.v1.RefundReceipt;
import com.cps.dcs.proto.pos.v1.RefundRequest;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SagaState;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sale and refund sagas through their services on a real branch file, with a card gateway the test scripts: what
 * the simulator cannot do (stay silent on a refund, hang mid-sale), and a stop followed by a start on the same file.
 */
class SaleSagasOnSqliteTest {
  @TempDir Path dir;
  BranchOnDisk branch;

  @BeforeEach
  void start() {
    branch = new BranchOnDisk(dir);
  }

  @AfterEach
  void stop() {
    branch.close();
  }

  static RefundRequest refundOf(Receipt sale, String refundId) {
    return RefundRequest.newBuilder().setRefundId(refundId).setSaleId(sale.getSaleId()).build();
  }

  @Test
  void givenTheGatewayIsSilentOnACardRefundThenItStaysPendingAndARetryOfItsIdPaysItOnce() {
    Receipt sale = branch.sales.checkout(branch.cashier, milk("co-1", 2, "4111111111111111"));
    branch.gateway.silentOnRefunds = true;

    SaleFailure silent = catchThrowableOfType(SaleFailure.class, () -> branch.refunds.refund(branch.manager,
        refundOf(sale, "rf-1")));

    assertThat(silent.kind()).isEqualTo(SaleFailure.Kind.UNAVAILABLE);
    assertThat(silent.getMessage()).contains("stays pending");
    SaleFailure nothingLeft = catchThrowableOfType(SaleFailure.class, () -> branch.refunds.refund(branch.manager,
        refundOf(sale, "rf-2")));
    assertThat(nothingLeft.kind()).as("the pending refund holds the sale's quantities")
        .isEqualTo(SaleFailure.Kind.PRECONDITION);

    branch.gateway.silentOnRefunds = false;
    SagaRecord pending = branch.store.sagas().unfinished().get(0);
    RefundReceipt paid = branch.refunds.refund(branch.manager, refundOf(sale, "rf-1").toBuilder()
        .addLines(RefundLine.newBuilder().setProductId("p-milk").setQuantity(1)).build());

    assertThat(paid.getRefundedMinor()).as("the pending refund as first asked, whole").isEqualTo(238);
    assertThat(branch.gateway.refunds).containsExactly("rf-1 238");
    assertThat(branch.store.sagas().find(pending.sagaId()).orElseThrow().state())
        .isEqualTo(SagaState.SAGA_COMPLETED);
    assertThat(branch.refunds.refund(branch.manager, refundOf(sale, "rf-1")).getDuplicate()).isTrue();
    assertThat(branch.eventsOf(sale.getSaleId())).containsOnlyOnce(EventType.PAYMENT_REFUNDED);
  }

  @Test
  void givenARefundLeftPendingWhenTheAgentRestartsThenItsRecoveryPaysItOnce() {
    Receipt sale = branch.sales.checkout(branch.cashier, milk("co-2", 1, "4111111111111111"));
    branch.gateway.silentOnRefunds = true;
    catchThrowableOfType(SaleFailure.class, () -> branch.refunds.refund(branch.manager, refundOf(sale, "rf-3")));
    branch.gateway.silentOnRefunds = false;

    branch.restart();
    int settled = branch.refunds.recover();

    assertThat(settled).isEqualTo(1);
    assertThat(branch.gateway.refunds).containsExactly("rf-3 119");
    assertThat(branch.store.sagas().unfinished()).isEmpty();
    assertThat(branch.refunds.refund(branch.manager, refundOf(sale, "rf-3")).getDuplicate()).isTrue();
  }

  @Test
  void givenTheAgentStopsWhileAPaymentIsAtTheGatewayWhenItStartsAgainThenTheSaleIsCompletedOnce() throws Exception {
    branch.gateway.holdAuthorizations = new CountDownLatch(1);
    Thread till = new Thread(() -> catchThrowableOfType(RuntimeException.class, () -> branch.sales.checkout(
        branch.cashier, milk("co-3", 3, "4111111111111111"))));
    till.start();
    assertThat(branch.gateway.authorizing.await(10, TimeUnit.SECONDS)).isTrue();
    till.interrupt(); // the agent stops: the saga stays as persisted, its payment step executing
    till.join(10_000);
    long onHand = branch.milkOnHand();
    branch.restart();
    assertThat(branch.milkReserved()).as("the stop left the sale's stock reserved").isEqualTo(3);
    branch.gateway.holdAuthorizations = new CountDownLatch(0);

    int resumed = branch.sales.recover();
    Receipt retried = branch.sales.checkout(branch.cashier, milk("co-3", 3, "4111111111111111"));

    assertThat(resumed).isEqualTo(1);
    assertThat(retried.getDuplicate()).isTrue();
    assertThat(retried.getTenders(0).getAuthorizationCode()).startsWith("SIM-");
    assertThat(branch.milkReserved()).isZero();
    assertThat(branch.milkOnHand()).isEqualTo(onHand - 3);
    assertThat(branch.eventsOf(retried.getSaleId())).containsOnlyOnce(EventType.SALE_INITIATED,
        EventType.PAYMENT_CAPTURED, EventType.SALE_COMPLETED, EventType.SAGA_SUCCEEDED);
  }

  @Test
  void givenTheStockIsSoldElsewhereAfterTheCheckThenTheReservationRefusesAndTheCheckoutIdStaysFree() {
    AtomicBoolean soldElsewhere = new AtomicBoolean();
    branch.store.addAppendListener(e -> {
      if (e.event().getType() == EventType.SAGA_INITIATED && soldElsewhere.compareAndSet(false, true)) {
        branch.store.transaction(tx -> { // another till sells the whole shelf between the check and the reservation
          Catalog.adjust(tx, Catalog.stockId("p-milk"), branch.store.branchId(), -60);
          return null;
        });
      }
    });

    SaleFailure refused = catchThrowableOfType(SaleFailure.class, () -> branch.sales.checkout(branch.cashier,
        milk("co-4", 2, "4111111111111111")));

    assertThat(refused.kind()).isEqualTo(SaleFailure.Kind.PRECONDITION);
    assertThat(refused.getMessage()).isEqualTo("not enough Whole milk 1 l in stock: 0 available, 2 asked");
    SagaRecord first = branch.store.sagas().find(SaleRecords.sagaIdOfCheckout(branch.store, "co-4").orElseThrow())
        .orElseThrow();
    assertThat(first.state()).isEqualTo(SagaState.SAGA_COMPENSATED);
    assertThat(branch.gateway.authorizing.getCount()).as("no card was charged").isEqualTo(1);

    branch.store.transaction(tx -> { // a delivery
      Catalog.adjust(tx, Catalog.stockId("p-milk"), branch.store.branchId(), 24);
      return null;
    });
    Receipt sold = branch.sales.checkout(branch.cashier, milk("co-4", 2, "4111111111111111"));

    assertThat(sold.getDuplicate()).isFalse();
    assertThat(sold.getSagaId()).isNotEqualTo(first.sagaId());
    assertThat(branch.eventsOf(sold.getSaleId())).containsOnlyOnce(EventType.SALE_INITIATED,
        EventType.SALE_COMPLETED);
    assertThat(branch.milkReserved()).isZero();
  }
}
