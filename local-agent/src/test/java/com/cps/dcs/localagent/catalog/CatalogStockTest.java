package com.cps.dcs.localagent.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.crdt.Crdt;
import com.cps.dcs.kernel.crdt.PnCounter;
import com.cps.dcs.localagent.store.StateView;
import com.cps.dcs.proto.pos.v1.Product;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A branch's shelf is its own part of the region-wide stock counters, whatever a sync brought down. */
class CatalogStockTest {
  /** Plain state for the pure catalogue functions: one product document and the given CRDTs. */
  record State(String branchId, Map<String, Crdt> crdts) implements StateView {
    static final Product MILK = Product.newBuilder().setProductId("p-milk").setName("Milk").setPriceMinor(129)
        .setReorderPoint(5).build();

    @Override
    public Optional<Crdt> crdt(String crdtId) {
      return Optional.ofNullable(crdts.get(crdtId));
    }

    @Override
    public Optional<byte[]> document(String collection, String id) {
      return collection.equals(Catalog.PRODUCTS) && id.equals(MILK.getProductId())
          ? Optional.of(MILK.toByteArray()) : Optional.empty();
    }

    @Override
    public List<byte[]> documents(String collection) {
      return collection.equals(Catalog.PRODUCTS) ? List.of(MILK.toByteArray()) : List.of();
    }
  }

  @Test
  void aBranchCountsOnlyItsOwnEntriesOfTheMergedStockAndReservations() {
    PnCounter branch1 = PnCounter.empty().increment("branch-1", 60).decrement("branch-1", 7);
    PnCounter branch2 = PnCounter.empty().increment("branch-2", 60).decrement("branch-2", 20);
    PnCounter merged = branch1.merge(branch2);
    assertThat(merged.value()).isEqualTo(93); // the region's view: the product across both branches
    PnCounter reserved = PnCounter.empty().increment("branch-1", 3).merge(PnCounter.empty().increment("branch-2", 9));
    Map<String, Crdt> synced = Map.of(Catalog.stockId("p-milk"), merged, Catalog.reservedId("p-milk"), reserved);

    Product at1 = Catalog.product(new State("branch-1", synced), "p-milk").orElseThrow();
    Product at2 = Catalog.product(new State("branch-2", synced), "p-milk").orElseThrow();

    assertThat(at1.getStockOnHand()).isEqualTo(53);
    assertThat(at1.getStockReserved()).isEqualTo(3);
    assertThat(at1.getStockAvailable()).isEqualTo(50);
    assertThat(at2.getStockOnHand()).isEqualTo(40);
    assertThat(at2.getStockReserved()).isEqualTo(9);
    assertThat(at2.getStockAvailable()).isEqualTo(31);
  }

  @Test
  void aBranchWithNoEntriesOfItsOwnHasNothingOnItsShelf() {
    Map<String, Crdt> synced = Map.of(Catalog.stockId("p-milk"), PnCounter.empty().increment("branch-2", 60));
    Product at1 = Catalog.product(new State("branch-1", synced), "p-milk").orElseThrow();
    assertThat(at1.getStockOnHand()).isZero();
    assertThat(at1.getOutOfStock()).isTrue();
  }
}
