package com.cps.dcs.localagent.sale;

import com.cps.dcs.eventstore.sqlite.SqliteDatabase;
import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.LocalFileKekProvider;
import com.cps.dcs.kernel.crypto.MetadataMac;
import com.cps.dcs.kernel.event.EventSealer;
import com.cps.dcs.localagent.catalog.Catalog;
import com.cps.dcs.localagent.catalog.SampleData;
import com.cps.dcs.localagent.payment.PaymentPort;
import com.cps.dcs.localagent.payment.SimulatedCardGateway;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.till.TillService;
import com.cps.dcs.proto.pos.v1.CartLine;
import com.cps.dcs.proto.pos.v1.CheckoutRequest;
import com.cps.dcs.proto.pos.v1.SignInSession;
import com.cps.dcs.proto.pos.v1.Tender;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A branch agent's store and sale services on a real file (SQLite, keys, the sample catalogue, a cashier and a
 * manager with open tills) and a card gateway the test scripts; {@link #restart} is a stop and a start on the same
 * file, without the recovery the agent runs at start (the test calls it).
 */
final class BranchOnDisk implements AutoCloseable {
  /** The simulator, unless told to stay silent on refunds or to hold authorizations until released. */
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

  final Path dir;
  final ScriptedGateway gateway = new ScriptedGateway();
  final MetadataMac mac = new MetadataMac(new byte[64]);
  LocalStore store;
  TillService tills;
  SaleSecrets secrets;
  SaleService sales;
  RefundService refunds;
  SignInSession cashier;
  SignInSession manager;

  BranchOnDisk(Path dir) {
    this.dir = dir;
    open();
    SampleData.loadIfEmpty(store, tills);
    cashier = tills.signIn("1001", "1234", "till-1").session();
    tills.openTill(cashier, "till-1", 10_000);
    manager = tills.signIn("9001", "9999", "till-9").session(); // a manager's refunds need no approval PIN
    tills.openTill(manager, "till-9", 0);
  }

  private void open() {
    LocalFileKekProvider kek = new LocalFileKekProvider(dir.resolve("kek.key"), "local:t1");
    store = new LocalStore(SqliteDatabase.open(dir.resolve("local.db")),
        new LocalStore.Identity("t1", "b1", "agent-b1", "EUR"),
        new EventSealer(kek, mac, AgentKeys.loadOrCreate(dir, "agent-b1")), InstantSource.system(),
        Duration.ofMinutes(5));
    tills = new TillService(store, InstantSource.system());
    secrets = new SaleSecrets(kek, mac);
    sales = new SaleService(store, tills, gateway, secrets, 1000, InstantSource.system());
    refunds = new RefundService(store, tills, gateway, InstantSource.system());
  }

  /** The agent stops (its step threads too) and starts again on the same file. */
  void restart() {
    close();
    open();
  }

  static CheckoutRequest milk(String checkoutId, long quantity, String cardToken) {
    CheckoutRequest.Builder b = CheckoutRequest.newBuilder().setCheckoutId(checkoutId)
        .addLines(CartLine.newBuilder().setProductId("p-milk").setQuantity(quantity));
    return (cardToken.isEmpty() ? b.addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH)
        .setAmountMinor(119 * quantity)) : b.addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CARD)
        .setAmountMinor(119 * quantity).setCardToken(cardToken))).build();
  }

  /** The types of the events correlated with {@code saleId}, in the log's order. */
  List<EventType> eventsOf(String saleId) {
    List<SovereignFinancialEvent> all = new ArrayList<>();
    store.forEachOwn(all::add);
    return all.stream().filter(e -> e.getCorrelationId().equals(saleId)).map(SovereignFinancialEvent::getType)
        .toList();
  }

  long milkReserved() {
    return Catalog.product(store, "p-milk").orElseThrow().getStockReserved();
  }

  long milkOnHand() {
    return Catalog.product(store, "p-milk").orElseThrow().getStockOnHand();
  }

  @Override
  public void close() {
    sales.close();
    refunds.close();
    store.close();
  }
}
