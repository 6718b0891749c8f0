package com.cps.dcs.localagent.pos;

import com.cps.dcs.kernel.validation.EventRules;
import com.cps.dcs.kernel.validation.InputRefused;
import com.cps.dcs.kernel.validation.Texts;
import com.cps.dcs.kernel.validation.Violation;
import com.cps.dcs.proto.pos.v1.CartLine;
import com.cps.dcs.proto.pos.v1.CheckoutRequest;
import com.cps.dcs.proto.pos.v1.ManagerApproval;
import com.cps.dcs.proto.pos.v1.Product;
import com.cps.dcs.proto.pos.v1.RefundLine;
import com.cps.dcs.proto.pos.v1.RefundRequest;
import com.cps.dcs.proto.pos.v1.Tender;
import java.util.ArrayList;
import java.util.List;

/**
 * The bounds of every POS input, checked at the edge before anything is read or written: ids are bounded printable
 * {@link Texts} ids, quantities and amounts lie within ranges no till ever needs, so no later sum or product can
 * overflow unnoticed (the services still add with {@code ExactSums}). Each check throws {@link InputRefused} naming
 * every bad field.
 */
public final class PosInputs {
  /** The most units of one product on one cart or refund line. */
  public static final long MAX_LINE_QUANTITY = 10_000;
  /** The most lines on one cart or refund. */
  public static final int MAX_LINES = 200;
  /** The most tenders on one checkout. */
  public static final int MAX_TENDERS = 10;
  /** The longest PIN accepted as input (PINs are 4 to 8 digits; anything longer is refused unhashed). */
  public static final int MAX_PIN = 16;

  private PosInputs() {}

  public static void signIn(String cashierId, String pin, String tillId) {
    List<Violation> out = new ArrayList<>();
    Texts.collect(out, Texts.requiredId("cashier_id", cashierId));
    pin(out, "pin", pin);
    Texts.collect(out, Texts.id("till_id", tillId));
    InputRefused.throwIfAny(out);
  }

  /** Every call but SignIn carries a token: bounded, so a hostile client cannot make the agent hash megabytes. */
  public static void token(String token) {
    Texts.checkId("session_token", token);
  }

  public static void openTill(String token, String tillId, long openingCashMinor) {
    List<Violation> out = new ArrayList<>();
    Texts.collect(out, Texts.id("session_token", token));
    Texts.collect(out, Texts.id("till_id", tillId));
    amount(out, "opening_cash_minor", openingCashMinor);
    InputRefused.throwIfAny(out);
  }

  public static void closeTill(String token, long countedCashMinor) {
    List<Violation> out = new ArrayList<>();
    Texts.collect(out, Texts.id("session_token", token));
    amount(out, "counted_cash_minor", countedCashMinor);
    InputRefused.throwIfAny(out);
  }

  public static void catalog(String token, String category, String search) {
    List<Violation> out = new ArrayList<>();
    Texts.collect(out, Texts.id("session_token", token));
    Texts.collect(out, Texts.text("category", category, Texts.MAX_ID));
    Texts.collect(out, Texts.text("search", search, Texts.MAX_ID));
    InputRefused.throwIfAny(out);
  }

  public static void barcode(String token, String barcode) {
    List<Violation> out = new ArrayList<>();
    Texts.collect(out, Texts.id("session_token", token));
    Texts.collect(out, Texts.requiredId("barcode", barcode));
    InputRefused.throwIfAny(out);
  }

  public static void receipt(String token, String saleId, String receiptNumber) {
    List<Violation> out = new ArrayList<>();
    Texts.collect(out, Texts.id("session_token", token));
    Texts.collect(out, Texts.id("sale_id", saleId));
    Texts.collect(out, Texts.id("receipt_number", receiptNumber));
    if (saleId.isEmpty() && receiptNumber.isEmpty()) {
      out.add(new Violation("sale_id", "give sale_id or receipt_number"));
    }
    InputRefused.throwIfAny(out);
  }

  public static void checkout(CheckoutRequest r) {
    List<Violation> out = new ArrayList<>();
    Texts.collect(out, Texts.id("session_token", r.getSessionToken()));
    Texts.collect(out, Texts.requiredId("checkout_id", r.getCheckoutId()));
    Texts.collect(out, Texts.id("customer_ref", r.getCustomerRef()));
    if (r.getLinesCount() > MAX_LINES) {
      out.add(new Violation("lines", "more than " + MAX_LINES + " lines"));
    } else {
      for (int i = 0; i < r.getLinesCount(); i++) {
        CartLine l = r.getLines(i);
        String p = "lines[" + i + "].";
        Texts.collect(out, Texts.requiredId(p + "product_id", l.getProductId()));
        quantity(out, p + "quantity", l.getQuantity());
        amount(out, p + "line_discount_minor", l.getLineDiscountMinor());
      }
    }
    amount(out, "cart_discount_minor", r.getCartDiscountMinor());
    if (r.getTendersCount() > MAX_TENDERS) {
      out.add(new Violation("tenders", "more than " + MAX_TENDERS + " tenders"));
    } else {
      for (int i = 0; i < r.getTendersCount(); i++) {
        Tender t = r.getTenders(i);
        amount(out, "tenders[" + i + "].amount_minor", t.getAmountMinor());
        Texts.collect(out, Texts.id("tenders[" + i + "].card_token", t.getCardToken()));
      }
    }
    if (r.hasApproval()) {
      approval(out, r.getApproval());
    }
    InputRefused.throwIfAny(out);
  }

  public static void refund(RefundRequest r) {
    List<Violation> out = new ArrayList<>();
    Texts.collect(out, Texts.id("session_token", r.getSessionToken()));
    Texts.collect(out, Texts.requiredId("refund_id", r.getRefundId()));
    Texts.collect(out, Texts.id("sale_id", r.getSaleId()));
    Texts.collect(out, Texts.id("receipt_number", r.getReceiptNumber()));
    if (r.getSaleId().isEmpty() && r.getReceiptNumber().isEmpty()) {
      out.add(new Violation("sale_id", "give sale_id or receipt_number"));
    }
    Texts.collect(out, Texts.text("reason", r.getReason(), Texts.MAX_TEXT));
    if (r.getLinesCount() > MAX_LINES) {
      out.add(new Violation("lines", "more than " + MAX_LINES + " lines"));
    } else {
      for (int i = 0; i < r.getLinesCount(); i++) {
        RefundLine l = r.getLines(i);
        Texts.collect(out, Texts.requiredId("lines[" + i + "].product_id", l.getProductId()));
        quantity(out, "lines[" + i + "].quantity", l.getQuantity());
      }
    }
    if (r.hasApproval()) {
      approval(out, r.getApproval());
    }
    InputRefused.throwIfAny(out);
  }

  public static void product(String token, Product p) {
    List<Violation> out = new ArrayList<>();
    Texts.collect(out, Texts.id("session_token", token));
    Texts.collect(out, Texts.requiredId("product.product_id", p.getProductId()));
    if (p.getName().isBlank()) {
      out.add(new Violation("product.name", "is required"));
    }
    Texts.collect(out, Texts.text("product.name", p.getName(), Texts.MAX_ID));
    Texts.collect(out, Texts.text("product.category", p.getCategory(), Texts.MAX_ID));
    Texts.collect(out, Texts.id("product.sku", p.getSku()));
    Texts.collect(out, Texts.id("product.barcode", p.getBarcode()));
    amount(out, "product.price_minor", p.getPriceMinor());
    if (p.getTaxRateBp() < 0 || p.getTaxRateBp() > 10_000) {
      out.add(new Violation("product.tax_rate_bp", "must be between 0 and 10000"));
    }
    if (p.getReorderPoint() < 0 || p.getReorderPoint() > EventRules.MAX_QUANTITY) {
      out.add(new Violation("product.reorder_point", "must be within 0.." + EventRules.MAX_QUANTITY));
    }
    InputRefused.throwIfAny(out);
  }

  public static void receiveStock(String token, String productId, long quantity, String reference) {
    List<Violation> out = new ArrayList<>();
    Texts.collect(out, Texts.id("session_token", token));
    Texts.collect(out, Texts.requiredId("product_id", productId));
    if (quantity < 1 || quantity > EventRules.MAX_QUANTITY) {
      out.add(new Violation("quantity", "must be within 1.." + EventRules.MAX_QUANTITY));
    }
    Texts.collect(out, Texts.requiredId("reference", reference));
    InputRefused.throwIfAny(out);
  }

  private static void approval(List<Violation> out, ManagerApproval a) {
    Texts.collect(out, Texts.requiredId("approval.manager_id", a.getManagerId()));
    pin(out, "approval.pin", a.getPin());
  }

  private static void pin(List<Violation> out, String field, String pin) {
    if (pin.isEmpty()) {
      out.add(new Violation(field, "is required"));
    } else if (pin.length() > MAX_PIN) {
      out.add(new Violation(field, "longer than " + MAX_PIN + " characters"));
    } else {
      Texts.collect(out, Texts.id(field, pin));
    }
  }

  private static void quantity(List<Violation> out, String field, long q) {
    if (q < 1 || q > MAX_LINE_QUANTITY) {
      out.add(new Violation(field, "must be within 1.." + MAX_LINE_QUANTITY));
    }
  }

  private static void amount(List<Violation> out, String field, long minor) {
    if (minor < 0 || minor > EventRules.MAX_AMOUNT_MINOR) {
      out.add(new Violation(field, "must be within 0.." + EventRules.MAX_AMOUNT_MINOR));
    }
  }
}
