package com.cps.dcs.localagent.sale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.cps.dcs.eventstore.sqlite.SqliteDatabase;
import com.cps.dcs.eventstore.sqlite.SqliteEventLog;
import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.LocalFileKekProvider;
import com.cps.dcs.kernel.crypto.MetadataMac;
import com.cps.dcs.kernel.event.EventSealer;
import com.cps.dcs.kernel.saga.SagaRecord;
import com.cps.dcs.localagent.catalog.Catalog;
import com.cps.dcs.localagent.catalog.SampleData;
import com.cps.dcs.localagent.payment.PaymentPort;
import com.cps.dcs.localagent.payment.SimulatedCardGateway;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.till.TillService;
import com.cps.dcs.proto.pos.v1.CartLine;
import com.cps.dcs.proto.pos.v1.CheckoutRequest;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.RefundReceipt;
import com.cps.dcs.proto.pos.v1.RefundRequest;
import com.cps.dcs.proto.pos.v1.SignInSession;
import com.cps.dcs.proto.pos.v1.Tender;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SagaState;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sale and refund sagas through their services on a real branch file (SQLite, keys, the sample catalogue) with a
 * card gateway the test scripts: what the simulator cannot do (stay silent on a refund, hang mid-sale) and a stop
 * followed by a start on the same file.
 */
class SaleSagasOnSqliteTest {
  @TempDir Path dir;

  /** The simulator, unless told to stay silent on refunds or to hold an authorization until released. */
  static final class ScriptedGateway implements PaymentPort {
    final SimulatedCardGateway simulator = new SimulatedCardGateway();
    final List<String> refunds = new CopyOnWriteArrayList<>();
    volatile boolean silentOnRefunds;
    volatile CountDownLatch holdAuthorizations = new CountDownLatch(0);
    final CountDownLatch authorizing = new CountDownLatch(1);

    @Override
    public Result authorize(TenderMethod method, String token, long amountMinor, String currency, String ref) {
      authorizing.countDown();
      try {
        holdAuthorizations.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Result.Unavailable("interrupted");
      }
      return simulator.authorize(method, token, amountMinor, currency, ref);
    }

    @Override
    public Result capture(String authorizationCode, long amountMinor, String reference) {
      return simulator.capture(authorizationCode, amountMinor, reference);
    }

    @Override
    public Result refund(String authorizationCode, long amountMinor, String reference) {
      if (silentOnRefunds) {
        return new Result.Unavailable("the card gateway did not answer");
      }
      refunds.add(reference + " " + amountMinor);
      return simulator.refund(authorizationCode, amountMinor, reference);
    }
  }

  final ScriptedGateway gateway = new ScriptedGateway();
  final List<AutoCloseable> open = new ArrayList<>();
  LocalStore store;
  TillService tills;
  SaleService sales;
  RefundService refunds;
  SignInSession cashier;
  SignInSession manager;

  @BeforeEach
  void start() {
    startAgent();
    SampleData.loadIfEmpty(store, tills);
    cashier = tills.signIn("1001", "1234", "till-1").session();
    tills.openTill(cashier, "till-1", 10_000);
    manager = tills.signIn("9001", "9999", "till-9").session(); // refunds by a manager need no approval PIN
    tills.openTill(manager, "till-9", 0);
  }

  /** The agent's store and services on the branch file; a second call is a restart on the same file. */
  void startAgent() {
    MetadataMac mac = new MetadataMac(new byte[64]);
    store = new LocalStore(SqliteDatabase.open(dir.resolve("local.db")),
        new LocalStore.Identity("t1", "b1", "agent-b1", "EUR"),
        new EventSealer(new LocalFileKekProvider(dir.resolve("kek.key"), "local:t1"), mac,
            AgentKeys.loadOrCreate(dir, "agent-b1")), InstantSource.system(), Duration.ofMinutes(5));
    tills = new TillService(store, InstantSource.system());
    SaleSecrets secrets = new SaleSecrets(new LocalFileKekProvider(dir.resolve("kek.key"), "local:t1"), mac);
    sales = new SaleService(store, tills, gateway, secrets, 1000, InstantSource.system());
    refunds = new RefundService(store, tills, gateway, InstantSource.system());
    open.addAll(List.of(sales, refunds, store));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  static CheckoutRequest milk(String checkoutId, long quantity, String cardToken) {
    CheckoutRequest.Builder b = CheckoutRequest.newBuilder().setCheckoutId(checkoutId)
        .addLines(CartLine.newBuilder().setProductId("p-milk").setQuantity(quantity));
    return (cardToken.isEmpty() ? b.addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH)
        .setAmountMinor(119 * quantity)) : b.addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CARD)
        .setAmountMinor(119 * quantity).setCardToken(cardToken))).build();
  }

  RefundRequest refundOf(Receipt sale, String refundId) {
    return RefundRequest.newBuilder().setRefundId(refundId).setSaleId(sale.getSaleId()).build();
  }

  List<EventType> eventsOf(String saleId) {
    List<SovereignFinancialEvent> all = new ArrayList<>();
    store.read(c -> {
      SqliteEventLog.forEachOwn(c, all::add);
      return null;
    });
    return all.stream().filter(e -> e.getCorrelationId().equals(saleId)).map(SovereignFinancialEvent::getType)
        .toList();
  }

  long milkReserved() {
    return Catalog.product(store, "p-milk").orElseThrow().getStockReserved();
  }

  @Test
  void givenTheGatewayIsSilentOnACardRefundThenItStaysPendingAndARetryOfItsIdPaysItOnce() {
    Receipt sale = sales.checkout(cashier, milk("co-1", 2, "4111111111111111"));
    gateway.silentOnRefunds = true;

    SaleFailure silent = catchThrowableOfType(SaleFailure.class, () -> refunds.refund(manager, refundOf(sale,
        "rf-1")));

    assertThat(silent.kind()).isEqualTo(SaleFailure.Kind.UNAVAILABLE);
    assertThat(silent.getMessage()).contains("stays pending");
    SaleFailure nothingLeft = catchThrowableOfType(SaleFailure.class, () -> refunds.refund(manager,
        refundOf(sale, "rf-2")));
    assertThat(nothingLeft.kind()).as("the pending refund holds the sale's quantities")
        .isEqualTo(SaleFailure.Kind.PRECONDITION);

    gateway.silentOnRefunds = false;
    SagaRecord pending = store.sagas().unfinished().get(0);
    RefundReceipt paid = refunds.refund(manager, refundOf(sale, "rf-1").toBuilder().addLines(
        com.cps.dcs.proto.pos.v1.RefundLine.newBuilder().setProductId("p-milk").setQuantity(1)).build());

    assertThat(paid.getRefundedMinor()).as("the pending refund as first asked, whole").isEqualTo(238);
    assertThat(gateway.refunds).containsExactly("rf-1 238");
    assertThat(store.sagas().find(pending.sagaId()).orElseThrow().state()).isEqualTo(SagaState.SAGA_COMPLETED);
    assertThat(refunds.refund(manager, refundOf(sale, "rf-1")).getDuplicate()).isTrue();
    assertThat(eventsOf(sale.getSaleId()).stream().filter(t -> t == EventType.PAYMENT_REFUNDED)).hasSize(1);
  }

  @Test
  void givenARefundLeftPendingWhenTheAgentRestartsThenItsRecoveryPaysItOnce() throws Exception {
    Receipt sale = sales.checkout(cashier, milk("co-2", 1, "4111111111111111"));
    gateway.silentOnRefunds = true;
    catchThrowableOfType(SaleFailure.class, () -> refunds.refund(manager, refundOf(sale, "rf-3")));
    stop();
    open.clear();
    gateway.silentOnRefunds = false;

    startAgent();
    int settled = refunds.recover();

    assertThat(settled).isEqualTo(1);
    assertThat(gateway.refunds).containsExactly("rf-3 119");
    assertThat(store.sagas().unfinished()).isEmpty();
    assertThat(refunds.refund(manager, refundOf(sale, "rf-3")).getDuplicate()).isTrue();
  }

  @Test
  void givenTheAgentStopsWhileAPaymentIsAtTheGatewayWhenItStartsAgainThenTheSaleIsCompletedOnce() throws Exception {
    gateway.holdAuthorizations = new CountDownLatch(1);
    Thread till = new Thread(() -> catchThrowableOfType(RuntimeException.class, () -> sales.checkout(cashier,
        milk("co-3", 3, "4111111111111111"))));
    till.start();
    assertThat(gateway.authorizing.await(10, TimeUnit.SECONDS)).isTrue();
    till.interrupt(); // the agent stops: the saga stays as persisted, its payment step executing
    till.join(10_000);
    stop();
    open.clear();
    assertThat(milkReservedAfterRestartWithoutRecovery()).as("the stop left the sale's stock reserved")
        .isEqualTo(3);
    gateway.holdAuthorizations = new CountDownLatch(0);

    int resumed = sales.recover();
    Receipt retried = sales.checkout(cashier, milk("co-3", 3, "4111111111111111"));

    assertThat(resumed).isEqualTo(1);
    assertThat(retried.getDuplicate()).isTrue();
    assertThat(retried.getTenders(0).getAuthorizationCode()).startsWith("SIM-");
    assertThat(milkReserved()).isZero();
    assertThat(eventsOf(retried.getSaleId())).containsOnlyOnce(EventType.SALE_INITIATED,
        EventType.PAYMENT_CAPTURED, EventType.SALE_COMPLETED, EventType.SAGA_SUCCEEDED);
  }

  long milkReservedAfterRestartWithoutRecovery() {
    startAgent();
    return milkReserved();
  }

  @Test
  void givenTheStockIsSoldElsewhereAfterTheCheckThenTheReservationRefusesAndTheCheckoutIdStaysFree() {
    AtomicBoolean soldElsewhere = new AtomicBoolean();
    store.addAppendListener(e -> {
      if (e.event().getType() == EventType.SAGA_INITIATED && soldElsewhere.compareAndSet(false, true)) {
        store.transaction(tx -> { // another till sells the whole shelf between the check and the reservation
          Catalog.adjust(tx, Catalog.stockId("p-milk"), store.branchId(), -60);
          return null;
        });
      }
    });

    SaleFailure refused = catchThrowableOfType(SaleFailure.class, () -> sales.checkout(cashier,
        milk("co-4", 2, "4111111111111111")));

    assertThat(refused.kind()).isEqualTo(SaleFailure.Kind.PRECONDITION);
    assertThat(refused.getMessage()).isEqualTo("not enough Whole milk 1 l in stock: 0 available, 2 asked");
    SagaRecord first = store.sagas().find(SaleRecords.sagaIdOfCheckout(store, "co-4").orElseThrow()).orElseThrow();
    assertThat(first.state()).isEqualTo(SagaState.SAGA_COMPENSATED);
    assertThat(gateway.authorizing.getCount()).as("no card was charged").isEqualTo(1);

    store.transaction(tx -> { // a delivery
      Catalog.adjust(tx, Catalog.stockId("p-milk"), store.branchId(), 24);
      return null;
    });
    Receipt sold = sales.checkout(cashier, milk("co-4", 2, "4111111111111111"));

    assertThat(sold.getDuplicate()).isFalse();
    assertThat(sold.getSagaId()).isNotEqualTo(first.sagaId());
    assertThat(eventsOf(sold.getSaleId())).containsOnlyOnce(EventType.SALE_INITIATED, EventType.SALE_COMPLETED);
    assertThat(milkReserved()).isZero();
  }
}
