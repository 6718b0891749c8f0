package com.cps.dcs.localagent.sale;

import static com.cps.dcs.localagent.sale.BranchOnDisk.milk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.cps.dcs.localagent.catalog.Catalog;
import com.cps.dcs.proto.pos.v1.CheckoutRequest;
import com.cps.dcs.proto.pos.v1.PendingRefund;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.ReceiptLine;
import com.cps.dcs.proto.pos.v1.RefundReceipt;
import com.cps.dcs.proto.pos.v1.RefundRequest;
import com.cps.dcs.proto.pos.v1.SagaStatus;
import com.cps.dcs.proto.pos.v1.SaleSagaRecord;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.pos.v1.TenderResult;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SagaState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Given a branch file an earlier version wrote (sale sagas as documents, a refund pending), when the agent starts
 * with the saga engine, then retries of old checkout ids answer as before, and what was unfinished is finished once.
 */
class LegacySagasTest {
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

  /** An old sale saga of {@code request}, as an earlier version kept it, with its checkout id bound to it. */
  SaleSagaRecord old(CheckoutRequest request, SagaStatus status, String failureCode, String failureMessage,
      String... completedSteps) {
    String sagaId = "old-saga-" + request.getCheckoutId();
    long total = request.getTenders(0).getAmountMinor();
    Receipt receipt = Receipt.newBuilder().setSaleId("old-sale-" + request.getCheckoutId())
        .setReceiptNumber("OLD-" + request.getCheckoutId()).setBranchId("b1").setCashierId("1001")
        .addLines(ReceiptLine.newBuilder().setProductId("p-milk").setName("Whole milk 1 l").setCategory("Dairy")
            .setQuantity(request.getLines(0).getQuantity()).setUnitPriceMinor(119).setTaxRateBp(700)
            .setTaxMinor(total * 700 / 10_700).setLineTotalMinor(total))
        .setSubtotalMinor(total).setTaxMinor(total * 700 / 10_700).setTotalMinor(total).setCurrency("EUR")
        .addTenders(TenderResult.newBuilder().setMethod(request.getTenders(0).getMethod()).setAmountMinor(total)
            .setTenderedMinor(total))
        .setSagaId(sagaId).setTillSessionId(branch.tills.openTill(branch.store, "1001").orElseThrow()
            .getTillSessionId()).build();
    SaleSagaRecord saga = SaleSagaRecord.newBuilder().setSagaId(sagaId).setCheckoutId(request.getCheckoutId())
        .setSaleId(receipt.getSaleId()).setStatus(status).addAllCompletedSteps(List.of(completedSteps))
        .setFailureCode(failureCode).setFailureMessage(failureMessage)
        .setRequest(request.toBuilder().clearTenders()).setReceipt(receipt).setCashierId("1001")
        .setTillSessionId(receipt.getTillSessionId())
        .setSealedSecrets(branch.secrets.seal(SaleSecrets.Open.of(request), sagaId)).build();
    branch.store.transaction(tx -> {
      tx.putDocument(SaleRecords.SAGAS, sagaId, saga.toByteArray());
      tx.putDocument(SaleRecords.CHECKOUTS, request.getCheckoutId(), sagaId.getBytes(StandardCharsets.UTF_8));
      if (status == SagaStatus.SAGA_STATUS_COMPLETED) {
        tx.putDocument(SaleRecords.RECEIPTS, receipt.getSaleId(), receipt.toByteArray());
      }
      if (status == SagaStatus.SAGA_STATUS_RUNNING) { // its reserve step had reserved the stock
        Catalog.adjust(tx, Catalog.reservedId("p-milk"), branch.store.branchId(), receipt.getLines(0).getQuantity());
      }
      return null;
    });
    return saga;
  }

  @Test
  void aRetryOfACheckoutCompletedBeforeTheUpgradeGetsItsReceiptAgainAndSellsNothing() {
    CheckoutRequest request = milk("co-old-1", 1, "");
    SaleSagaRecord old = old(request, SagaStatus.SAGA_STATUS_COMPLETED, "", "", "reserve", "pay:0", "complete");
    long onHand = branch.milkOnHand();

    branch.sales.recover();
    Receipt again = branch.sales.checkout(branch.cashier, request);

    assertThat(again.getDuplicate()).isTrue();
    assertThat(again.getSaleId()).isEqualTo(old.getSaleId());
    assertThat(branch.milkOnHand()).isEqualTo(onHand);
    assertThat(branch.store.sagas().find(old.getSagaId()).orElseThrow().state())
        .isEqualTo(SagaState.SAGA_COMPLETED);
  }

  @Test
  void aRetryOfACheckoutWhosePaymentFailedBeforeTheUpgradeIsStillRefused() {
    CheckoutRequest request = milk("co-old-2", 1, "4000000000000002");
    old(request, SagaStatus.SAGA_STATUS_COMPENSATED, "INSUFFICIENT_FUNDS", "card declined: insufficient funds",
        "reserve");

    branch.sales.recover();
    SaleFailure refused = catchThrowableOfType(SaleFailure.class, () -> branch.sales.checkout(branch.cashier,
        request));

    assertThat(refused.kind()).isEqualTo(SaleFailure.Kind.PRECONDITION);
    assertThat(refused.getMessage()).isEqualTo("this checkout failed earlier (INSUFFICIENT_FUNDS: card declined:"
        + " insufficient funds); start a new checkout");
  }

  @Test
  void aSaleAnEarlierVersionLeftReservedIsPaidAndCompletedOnceAtStart() {
    CheckoutRequest request = milk("co-old-3", 2, "4111111111111111");
    SaleSagaRecord old = old(request, SagaStatus.SAGA_STATUS_RUNNING, "", "", "reserve");
    long onHand = branch.milkOnHand();

    int resumed = branch.sales.recover();
    int again = branch.sales.recover();

    assertThat(resumed).isEqualTo(1);
    assertThat(again).isZero();
    Receipt done = branch.sales.checkout(branch.cashier, request);
    assertThat(done.getSaleId()).isEqualTo(old.getSaleId());
    assertThat(done.getTenders(0).getAuthorizationCode()).startsWith("SIM-");
    assertThat(branch.milkReserved()).isZero();
    assertThat(branch.milkOnHand()).isEqualTo(onHand - 2);
    assertThat(branch.eventsOf(old.getSaleId())).containsOnlyOnce(EventType.PAYMENT_CAPTURED,
        EventType.SALE_COMPLETED, EventType.LEDGER_ENTRY_POSTED);
  }

  @Test
  void aCardRefundAnEarlierVersionLeftPendingIsPaidBackOnceAtStart() {
    Receipt sale = branch.sales.checkout(branch.cashier, milk("co-new", 2, "4111111111111111"));
    RefundPlan plan = RefundPlan.of(sale, List.of());
    PendingRefund pending = PendingRefund.newBuilder().setRefundId("rf-old").setSaleId(sale.getSaleId())
        .setDraft(RefundReceipt.newBuilder().setRefundId("rf-old").setSaleId(sale.getSaleId())
            .addAllLines(plan.lines()).setRefundedMinor(plan.totalMinor()).setMethod(TenderMethod.TENDER_CARD)
            .setFullRefund(true))
        .setTaxMinor(plan.taxMinor()).setTillSessionId(sale.getTillSessionId()).setCashierId("9001")
        .setApprovedBy("9001").setReason("refund").setAuthorizationCode(sale.getTenders(0).getAuthorizationCode())
        .build();
    branch.store.transaction(tx -> {
      tx.putDocument(SaleRecords.RECEIPTS, sale.getSaleId(), plan.updated().toByteArray());
      tx.putDocument(SaleRecords.PENDING_REFUNDS, "rf-old", pending.toByteArray());
      return null;
    });

    int settled = branch.refunds.recover();
    branch.refunds.recover();

    assertThat(settled).isEqualTo(1);
    assertThat(branch.gateway.refunds).containsExactly("rf-old 238");
    RefundReceipt again = branch.refunds.refund(branch.manager, RefundRequest.newBuilder().setRefundId("rf-old")
        .setSaleId(sale.getSaleId()).build());
    assertThat(again.getDuplicate()).isTrue();
    assertThat(again.getRefundedMinor()).isEqualTo(238);
    assertThat(branch.eventsOf(sale.getSaleId())).containsOnlyOnce(EventType.PAYMENT_REFUNDED,
        EventType.SALE_REVERSED);
  }
}
