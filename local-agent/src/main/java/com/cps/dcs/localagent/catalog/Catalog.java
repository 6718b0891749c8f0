package com.cps.dcs.localagent.catalog;

import com.cps.dcs.kernel.crdt.Crdt;
import com.cps.dcs.kernel.crdt.LwwRegister;
import com.cps.dcs.kernel.crdt.OrSet;
import com.cps.dcs.kernel.crdt.PnCounter;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.localagent.store.LocalTx;
import com.cps.dcs.localagent.store.StateView;
import com.cps.dcs.proto.pos.v1.Product;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The branch catalogue. A product's descriptive data is a document; what replicates and converges across the region
 * is in CRDTs: the active set ({@code catalog:active}, an OR-set of product ids), the price
 * ({@code price:<id>}, a last-writer-wins register of minor units), the stock on hand ({@code stock:<id>}, a
 * PN-counter) and the quantity reserved by sales in progress ({@code reserved:<id>}, a PN-counter).
 *
 * <p>Every branch of a region adds its movements to the same {@code stock:<id>} and {@code reserved:<id>} counters
 * under its own node id, so the region's merged counter is the product's stock across the region. A branch's shelf
 * is only its own part: after a sync brings the other branches' entries down, the branch still counts only the
 * entries under its own node id ({@link #ownPart}).
 */
public final class Catalog {
  public static final String ACTIVE = "catalog:active";
  static final String PRODUCTS = "products";

  private Catalog() {}

  public static String priceId(String productId) {
    return "price:" + productId;
  }

  /**
   * The event stream of a product's stock movements at one branch. Streams are named per branch so the events of
   * two branches about the same product never compete for the same stream versions, here or at the region.
   */
  public static String stockStream(String branchId, String productId) {
    return "stock-" + branchId + "-" + productId;
  }

  public static String stockId(String productId) {
    return "stock:" + productId;
  }

  public static String reservedId(String productId) {
    return "reserved:" + productId;
  }

  /** The product with its current price, stock and state, or empty when unknown. */
  public static Optional<Product> product(StateView s, String productId) {
    return s.document(PRODUCTS, productId).map(b -> withLiveState(s, parse(b)));
  }

  public static List<Product> all(StateView s) {
    List<Product> out = new ArrayList<>();
    for (byte[] b : s.documents(PRODUCTS)) {
      out.add(withLiveState(s, parse(b)));
    }
    return out;
  }

  private static Product withLiveState(StateView s, Product p) {
    long onHand = counter(s, stockId(p.getProductId()));
    long reserved = counter(s, reservedId(p.getProductId()));
    long price = s.crdt(priceId(p.getProductId())).map(c -> (LwwRegister) c).filter(LwwRegister::isSet)
        .map(r -> Long.parseLong(r.value())).orElse(p.getPriceMinor());
    boolean active = s.crdt(ACTIVE).map(c -> ((OrSet) c).contains(p.getProductId())).orElse(false);
    long available = onHand - reserved;
    return p.toBuilder().setPriceMinor(price).setStockOnHand(onHand).setStockReserved(reserved)
        .setStockAvailable(available).setActive(active).setOutOfStock(available <= 0).build();
  }

  private static long counter(StateView s, String id) {
    return s.crdt(id).map(c -> ownPart((PnCounter) c, s.branchId())).orElse(0L);
  }

  /** The part of a region-wide counter that one branch (node) added: its increments less its decrements. */
  static long ownPart(PnCounter c, String node) {
    return c.increments().counts().getOrDefault(node, 0L) - c.decrements().counts().getOrDefault(node, 0L);
  }

  /** Creates or updates a product: its document, its price register and its membership of the active set. */
  public static Product upsert(LocalTx tx, Product p) {
    Product stored = p.toBuilder().clearStockOnHand().clearStockReserved().clearStockAvailable().clearOutOfStock()
        .build();
    tx.putDocument(PRODUCTS, p.getProductId(), stored.toByteArray());
    LwwRegister price = tx.crdt(priceId(p.getProductId())).map(c -> (LwwRegister) c).orElse(LwwRegister.empty());
    if (!price.isSet() || Long.parseLong(price.value()) != p.getPriceMinor()) {
      tx.putCrdt(priceId(p.getProductId()), price.set(Long.toString(p.getPriceMinor()), tx.now()));
    }
    OrSet active = tx.crdt(ACTIVE).map(c -> (OrSet) c).orElse(OrSet.empty());
    if (p.getActive() && !active.contains(p.getProductId())) {
      tx.putCrdt(ACTIVE, active.add(p.getProductId(), UuidV7.next().toString(), tx.now()));
    } else if (!p.getActive() && active.contains(p.getProductId())) {
      tx.putCrdt(ACTIVE, active.remove(p.getProductId(), tx.now()));
    }
    return withLiveState(tx, stored);
  }

  /** Adds {@code quantity} (negative removes) to a PN-counter on behalf of this branch. */
  public static void adjust(LocalTx tx, String counterId, String node, long quantity) {
    PnCounter c = tx.crdt(counterId).map(x -> (PnCounter) x).orElse(PnCounter.empty());
    tx.putCrdt(counterId, quantity >= 0 ? c.increment(node, quantity) : c.decrement(node, -quantity));
  }

  static Product parse(byte[] b) {
    try {
      return Product.parseFrom(b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a stored product does not parse", e);
    }
  }

  /** For callers outside this package that check a CRDT's type. */
  public static boolean isCounter(Crdt c) {
    return c instanceof PnCounter;
  }
}
