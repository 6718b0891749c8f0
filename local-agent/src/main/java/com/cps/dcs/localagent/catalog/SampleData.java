package com.cps.dcs.localagent.catalog;

import com.cps.dcs.localagent.store.EventDraft;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.till.Staff;
import com.cps.dcs.localagent.till.TillService;
import com.cps.dcs.proto.pos.v1.Product;
import com.cps.dcs.proto.pos.v1.Role;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;

/**
 * A sample grocery catalogue with stock, and sample staff, for a new branch (DCS_SAMPLE_DATA=true). Loaded only when
 * the branch has no products yet, so a restart never loads it twice. Staff: cashiers 1001 (PIN 1234) and 1002
 * (PIN 2345), manager 9001 (PIN 9999).
 */
public final class SampleData {
  private SampleData() {}

  private record Row(String id, String name, String category, long priceMinor, int taxBp, long stock, long reorder,
      String barcode) {}

  private static final Row[] ROWS = {
    new Row("p-milk", "Whole milk 1 l", "Dairy", 119, 700, 60, 12, "4000001000016"),
    new Row("p-yogurt", "Greek yogurt 500 g", "Dairy", 249, 700, 40, 8, "4000001000023"),
    new Row("p-butter", "Butter 250 g", "Dairy", 279, 700, 30, 6, "4000001000030"),
    new Row("p-cheddar", "Mature cheddar 200 g", "Dairy", 329, 700, 25, 5, "4000001000047"),
    new Row("p-eggs", "Free-range eggs x10", "Dairy", 359, 700, 36, 8, "4000001000054"),
    new Row("p-bread", "Sourdough loaf", "Bakery", 349, 700, 20, 5, "4000002000015"),
    new Row("p-croissant", "Butter croissant", "Bakery", 129, 700, 48, 10, "4000002000022"),
    new Row("p-baguette", "Baguette", "Bakery", 159, 700, 30, 6, "4000002000039"),
    new Row("p-rye", "Rye bread 500 g", "Bakery", 289, 700, 15, 4, "4000002000046"),
    new Row("p-apple", "Apples 1 kg", "Produce", 299, 700, 50, 10, "4000003000014"),
    new Row("p-banana", "Bananas 1 kg", "Produce", 189, 700, 45, 10, "4000003000021"),
    new Row("p-tomato", "Vine tomatoes 500 g", "Produce", 249, 700, 30, 6, "4000003000038"),
    new Row("p-potato", "Potatoes 2.5 kg", "Produce", 399, 700, 25, 5, "4000003000045"),
    new Row("p-onion", "Onions 1 kg", "Produce", 149, 700, 30, 6, "4000003000052"),
    new Row("p-salad", "Mixed salad 200 g", "Produce", 199, 700, 20, 5, "4000003000069"),
    new Row("p-coffee", "Ground coffee 500 g", "Pantry", 799, 700, 24, 5, "4000004000013"),
    new Row("p-tea", "Black tea x40", "Pantry", 349, 700, 24, 5, "4000004000020"),
    new Row("p-pasta", "Spaghetti 500 g", "Pantry", 139, 700, 60, 12, "4000004000037"),
    new Row("p-rice", "Basmati rice 1 kg", "Pantry", 299, 700, 40, 8, "4000004000044"),
    new Row("p-olive-oil", "Olive oil 750 ml", "Pantry", 899, 700, 18, 4, "4000004000051"),
    new Row("p-sauce", "Tomato sauce 400 g", "Pantry", 189, 700, 36, 8, "4000004000068"),
    new Row("p-water", "Still water 1.5 l", "Drinks", 69, 1900, 96, 24, "4000005000012"),
    new Row("p-juice", "Orange juice 1 l", "Drinks", 279, 1900, 30, 6, "4000005000029"),
    new Row("p-cola", "Cola 1.5 l", "Drinks", 199, 1900, 48, 12, "4000005000036"),
    new Row("p-beer", "Lager 6 x 330 ml", "Drinks", 649, 1900, 24, 6, "4000005000043"),
    new Row("p-wine", "Red wine 750 ml", "Drinks", 899, 1900, 12, 4, "4000005000050"),
    new Row("p-soap", "Hand soap 250 ml", "Household", 229, 1900, 20, 4, "4000006000011"),
    new Row("p-detergent", "Laundry detergent 1.5 l", "Household", 849, 1900, 12, 3, "4000006000028"),
    new Row("p-paper", "Kitchen roll x2", "Household", 299, 1900, 24, 5, "4000006000035"),
    new Row("p-batteries", "AA batteries x4", "Household", 499, 1900, 15, 3, "4000006000042"),
  };

  /** Loads the sample once; returns true when it did. */
  public static boolean loadIfEmpty(LocalStore store, TillService tills) {
    if (!Catalog.all(store).isEmpty()) {
      return false;
    }
    store.transaction(tx -> {
      if (tills.staff("9001").isEmpty()) {
        tills.putStaff(tx, Staff.create("1001", "Alice Martin", Role.ROLE_CASHIER, "1234"));
        tills.putStaff(tx, Staff.create("1002", "Bruno Costa", Role.ROLE_CASHIER, "2345"));
        tills.putStaff(tx, Staff.create("9001", "Maria Keller", Role.ROLE_MANAGER, "9999"));
      }
      for (Row r : ROWS) {
        Catalog.upsert(tx, Product.newBuilder().setProductId(r.id()).setSku(r.id().toUpperCase())
            .setName(r.name()).setCategory(r.category()).setBarcode(r.barcode()).setPriceMinor(r.priceMinor())
            .setTaxRateBp(r.taxBp()).setReorderPoint(r.reorder()).setActive(true).build());
        tx.append(EventDraft.of(Catalog.stockStream(store.branchId(), r.id()), EventType.INVENTORY_RECEIVED, 0, "", EventFacts.newBuilder()
            .addLines(EventFacts.Line.newBuilder().setProductId(r.id()).setCategory(r.category())
                .setQuantity(r.stock())).setReason("opening stock").setReorderPoint(r.reorder()).build(),
            new byte[0], "sample-data", "sample:" + r.id()));
        Catalog.adjust(tx, Catalog.stockId(r.id()), store.branchId(), r.stock());
      }
      return null;
    });
    return true;
  }
}
