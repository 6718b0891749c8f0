package com.cps.dcs.localagent.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.eventstore.sqlite.SqliteDatabase;
import com.cps.dcs.kernel.crypto.AgentKeys;
import com.cps.dcs.kernel.crypto.LocalFileKekProvider;
import com.cps.dcs.kernel.crypto.MetadataMac;
import com.cps.dcs.kernel.event.EventSealer;
import com.cps.dcs.localagent.catalog.Catalog;
import com.cps.dcs.localagent.catalog.SampleData;
import com.cps.dcs.localagent.payment.SimulatedCardGateway;
import com.cps.dcs.localagent.sale.SaleSecrets;
import com.cps.dcs.localagent.sale.SaleService;
import com.cps.dcs.localagent.store.EventDraft;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.till.TillService;
import com.cps.dcs.proto.pos.v1.CartLine;
import com.cps.dcs.proto.pos.v1.CheckoutRequest;
import com.cps.dcs.proto.pos.v1.Product;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.SignInSession;
import com.cps.dcs.proto.pos.v1.Tender;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.swarm.query.ReadModel;
import com.cps.dcs.swarm.query.ReadModelContract;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The port's contract against the branch's own figures: {@link BranchReadModel} over a real SQLite branch file with
 * the sample catalogue, staff and an open till, on a fixed clock (the branch's "today"). A sale is a cash checkout
 * through {@link SaleService}, so the figures come from the events a real sale appends.
 */
class BranchReadModelContractTest extends ReadModelContract {
  static final Instant NOW = Instant.parse("2026-11-22T15:00:00Z");
  /** The product the contract's sales sell: stocked before the test begins, given each sale's category and price. */
  static final String SOLD = "p-contract";

  @TempDir Path dir;
  LocalStore store;
  SaleService sales;
  SignInSession cashier;
  BranchReadModel model;
  int checkouts;

  @BeforeEach
  void open() {
    InstantSource clock = InstantSource.fixed(NOW);
    MetadataMac mac = new MetadataMac(new byte[64]);
    LocalFileKekProvider kek = new LocalFileKekProvider(dir.resolve("kek.key"), "local:t1");
    store = new LocalStore(SqliteDatabase.open(dir.resolve("local.db")),
        new LocalStore.Identity("t1", "b1", "agent-b1", "EUR"),
        new EventSealer(kek, mac, AgentKeys.loadOrCreate(dir, "agent-b1")), clock, Duration.ofMinutes(5));
    TillService tills = new TillService(store, clock);
    sales = new SaleService(store, tills, new SimulatedCardGateway(), new SaleSecrets(kek, mac), 1000, clock);
    SampleData.loadIfEmpty(store, tills);
    cashier = tills.signIn("1001", "1234", "till-1").session();
    tills.openTill(cashier, "till-1", 10_000);
    store.transaction(tx -> { // as a manager's ReceiveStock does
      Catalog.upsert(tx, product("Unassigned", 100));
      tx.append(EventDraft.of(Catalog.stockStream(store.branchId(), SOLD), EventType.INVENTORY_RECEIVED, 0, "",
          EventFacts.newBuilder().addLines(EventFacts.Line.newBuilder().setProductId(SOLD)
              .setCategory("Unassigned").setQuantity(10)).setReason("delivery-1").setReorderPoint(1).build(),
          new byte[0], "9001", "receive:delivery-1:" + SOLD));
      Catalog.adjust(tx, Catalog.stockId(SOLD), store.branchId(), 10);
      return null;
    });
    model = new BranchReadModel(store);
  }

  @AfterEach
  void close() {
    sales.close();
    store.close();
  }

  static Product product(String category, long priceMinor) {
    return Product.newBuilder().setProductId(SOLD).setSku("P-CONTRACT").setName("Contract item")
        .setCategory(category).setPriceMinor(priceMinor).setTaxRateBp(700).setReorderPoint(1).setActive(true)
        .build();
  }

  @Override
  protected ReadModel model() {
    return model;
  }

  @Override
  protected String branch() {
    return "b1";
  }

  @Override
  protected String product() {
    return "p-milk";
  }

  @Override
  protected long now() {
    return NOW.toEpochMilli();
  }

  /**
   * The stocked product moves to {@code category} at a price of {@code amountMinor} (a catalogue change, which
   * appends no event), then one is sold for cash: the sale's events are the only ones appended.
   */
  @Override
  protected void recordSale(long amountMinor, String category) {
    store.transaction(tx -> Catalog.upsert(tx, product(category, amountMinor)));
    Receipt r = sales.checkout(cashier, CheckoutRequest.newBuilder().setCheckoutId("contract-" + ++checkouts)
        .addLines(CartLine.newBuilder().setProductId(SOLD).setQuantity(1))
        .addTenders(Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH).setAmountMinor(amountMinor))
        .build());
    assertThat(r.getTotalMinor()).isEqualTo(amountMinor);
  }
}
