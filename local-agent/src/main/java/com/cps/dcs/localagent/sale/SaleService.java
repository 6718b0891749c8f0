package com.cps.dcs.localagent.sale;

import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.kernel.saga.SagaDefinition;
import com.cps.dcs.kernel.saga.SagaEngine;
import com.cps.dcs.kernel.saga.SagaRecord;
import com.cps.dcs.localagent.catalog.Catalog;
import com.cps.dcs.localagent.payment.PaymentPort;
import com.cps.dcs.localagent.saga.SagaEventLog;
import com.cps.dcs.localagent.saga.StepEffects;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.till.TillService;
import com.cps.dcs.proto.pos.v1.CartLine;
import com.cps.dcs.proto.pos.v1.CheckoutRequest;
import com.cps.dcs.proto.pos.v1.Product;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.ReceiptLine;
import com.cps.dcs.proto.pos.v1.SaleSagaRecord;
import com.cps.dcs.proto.pos.v1.SignInSession;
import com.cps.dcs.proto.pos.v1.TenderResult;
import com.cps.dcs.proto.pos.v1.TillSession;
import com.cps.dcs.proto.v4.SagaType;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkout: prices and checks a cart, then runs it as a {@code STANDARD_SALE} saga ({@link StandardSale}) on the
 * kernel's saga engine, which persists the saga in the branch's SQLite file before every step; a retry with the same
 * checkout id (or the recovery at start) resumes it, and a failing payment compensates (captured tenders voided,
 * reserved stock released).
 *
 * <p>One checkout id makes one sale however many calls race: every call for a checkout id runs under that id's lock
 * (a POS retrying while its first call still pays waits, then gets the same receipt marked duplicate), and the
 * checkout id is bound to its saga inside a transaction that checks the binding it read. A checkout refused before
 * its sale began (not enough stock) leaves the id free, as if never sent. Card tokens and the customer reference are
 * kept sealed ({@link SaleSecrets}); the events' public metadata carries the customer's pseudonym only.
 */
public final class SaleService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SaleService.class);
  private static final String NOT_MADE = "; the sale was not made and its reservations were released";

  private final LocalStore store;
  private final TillService tills;
  private final SaleSecrets secrets;
  private final int approvalThresholdBp;
  private final KeyedLocks checkouts = new KeyedLocks();
  private final SaleSteps steps;
  private final ExecutorService stepThreads = Executors.newVirtualThreadPerTaskExecutor();
  private final SagaEngine engine;
  private final InstantSource time;

  public SaleService(LocalStore store, TillService tills, PaymentPort payments, SaleSecrets secrets,
      int approvalThresholdBp, InstantSource time) {
    this.store = store;
    this.tills = tills;
    this.secrets = secrets;
    this.approvalThresholdBp = approvalThresholdBp;
    this.time = time;
    this.steps = new SaleSteps(store, tills, payments, secrets);
    this.engine = new SagaEngine(store.sagas(), new SagaEventLog(store, store.sagas(), StandardSale::subject), time,
        Thread::sleep, stepThreads);
  }

  // --- checkout -------------------------------------------------------------------------------------------------

  /** Bounds are checked at the edge ({@code PosInputs}); everything here is a business check. */
  public Receipt checkout(SignInSession cashier, CheckoutRequest request) {
    return checkouts.with(request.getCheckoutId(), () -> checkoutAlone(cashier, request));
  }

  private Receipt checkoutAlone(SignInSession cashier, CheckoutRequest request) {
    Optional<String> bound = SaleRecords.sagaIdOfCheckout(store, request.getCheckoutId());
    Optional<SagaRecord> existing = bound.flatMap(id -> store.sagas().find(id));
    if (existing.isPresent() && !soldNothing(existing.get())) {
      return again(existing.get());
    }
    TillSession till = tills.openTill(store, cashier.getCashierId()).orElseThrow(() -> new SaleFailure(
        SaleFailure.Kind.PRECONDITION, "till", "open a till before selling"));
    Pricing.PricedCart cart = price(request);
    Tendering.Plan plan = Tendering.plan(cart.totalMinor(), request.getTendersList().stream()
        .map(t -> new Tendering.Offered(t.getMethod(), t.getAmountMinor(), t.getCardToken())).toList());
    String approvedBy = "";
    if (cart.discountBasisPoints() > approvalThresholdBp) {
      if (!request.hasApproval()) {
        throw new SaleFailure(SaleFailure.Kind.APPROVAL_REQUIRED, "approval", "a discount of "
            + cart.discountBasisPoints() / 100.0 + "% needs a manager's approval (above "
            + approvalThresholdBp / 100.0 + "%)");
      }
      // last: the PIN is checked only once everything else is known to be fine
      approvedBy = tills.approveAsManager(request.getApproval().getManagerId(), request.getApproval().getPin(),
          till.getTillId());
    }
    SaleSteps.requireStock(store, cart.lines().stream().map(l -> ReceiptLine.newBuilder()
        .setProductId(l.item().productId()).setQuantity(l.quantity()).build()).toList());
    String sagaId = UuidV7.next().toString();
    String saleId = UuidV7.next().toString();
    Receipt.Builder receipt = Receipt.newBuilder().setSaleId(saleId).setBranchId(store.branchId())
        .setCashierId(cashier.getCashierId()).setSubtotalMinor(cart.subtotalMinor())
        .setDiscountMinor(cart.discountMinor()).setTaxMinor(cart.taxMinor()).setTotalMinor(cart.totalMinor())
        .setChangeMinor(plan.changeMinor()).setCurrency(store.currency()).setSagaId(sagaId)
        .setTillSessionId(till.getTillSessionId());
    for (Pricing.PricedLine l : cart.lines()) {
      receipt.addLines(ReceiptLine.newBuilder().setProductId(l.item().productId()).setName(l.item().name())
          .setCategory(l.item().category()).setQuantity(l.quantity()).setUnitPriceMinor(l.item().unitPriceMinor())
          .setDiscountMinor(l.discountMinor()).setTaxRateBp(l.item().taxRateBp()).setTaxMinor(l.taxMinor())
          .setLineTotalMinor(l.totalMinor()));
    }
    for (Tendering.Applied t : plan.tenders()) {
      receipt.addTenders(TenderResult.newBuilder().setMethod(t.method()).setAmountMinor(t.appliedMinor())
          .setTenderedMinor(t.tenderedMinor()));
    }
    SaleSecrets.Open open = SaleSecrets.Open.of(request);
    CheckoutRequest.Builder kept = request.toBuilder().clearSessionToken().clearApproval()
        .setCustomerRef(secrets.pseudonym(request.getCustomerRef()));
    kept.getTendersBuilderList().forEach(t -> t.clearCardToken());
    SaleSagaRecord sale = SaleSagaRecord.newBuilder().setSagaId(sagaId).setCheckoutId(request.getCheckoutId())
        .setSaleId(saleId).setRequest(kept).setReceipt(receipt).setCashierId(cashier.getCashierId())
        .setTillSessionId(till.getTillSessionId()).setApprovedBy(approvedBy)
        .setSealedSecrets(secrets.seal(open, sagaId)).build();
    String claimed = bind(request.getCheckoutId(), bound, sagaId);
    if (!claimed.equals(sagaId)) { // another path bound this checkout id first
      return again(store.sagas().find(claimed).orElseThrow());
    }
    return outcome(engine.start(StandardSale.definition(receipt.getTendersCount(), steps, StandardSale.Limits.BRANCH),
        sagaId, sale), false, false);
  }

  private Pricing.PricedCart price(CheckoutRequest request) {
    List<Pricing.Line> lines = new ArrayList<>();
    for (int i = 0; i < request.getLinesCount(); i++) {
      CartLine l = request.getLines(i);
      String field = "lines[" + i + "].product_id";
      Product p = Catalog.product(store, l.getProductId()).orElseThrow(() -> new SaleFailure(
          SaleFailure.Kind.NOT_FOUND, field, "unknown product " + l.getProductId()));
      if (!p.getActive()) {
        throw new SaleFailure(SaleFailure.Kind.PRECONDITION, field, p.getName() + " is not on sale");
      }
      lines.add(new Pricing.Line(new Pricing.Item(p.getProductId(), p.getName(), p.getCategory(), p.getPriceMinor(),
          p.getTaxRateBp()), l.getQuantity(), l.getLineDiscountMinor()));
    }
    return Pricing.price(lines, request.getCartDiscountMinor());
  }

  /**
   * Binds the checkout id to saga {@code sagaId} in one transaction, unless it is bound to another saga than the one
   * read before ({@code seen}); returns the saga the id is bound to.
   */
  private String bind(String checkoutId, Optional<String> seen, String sagaId) {
    return store.transaction(tx -> {
      Optional<String> now = SaleRecords.sagaIdOfCheckout(tx, checkoutId);
      if (now.isPresent() && !now.equals(seen)) {
        return now.get();
      }
      tx.putDocument(SaleRecords.CHECKOUTS, checkoutId, sagaId.getBytes(StandardCharsets.UTF_8));
      return sagaId;
    });
  }

  /** A finished saga whose sale never began (refused at reserve, or stopped before): its checkout id is free. */
  private boolean soldNothing(SagaRecord saga) {
    return saga.finished() && StepEffects.result(store, saga.sagaId(), StandardSale.RESERVE).isEmpty();
  }

  /** A checkout id seen before: its saga carried on when unfinished, then answered as a retry. */
  private Receipt again(SagaRecord saga) {
    if (saga.finished()) {
      return outcome(saga, true, true);
    }
    return outcome(engine.resume(definitionOf(saga), saga), true, false);
  }

  private SagaDefinition<SaleSagaRecord> definitionOf(SagaRecord saga) {
    return StandardSale.definitionOf(saga, steps, StandardSale.Limits.BRANCH);
  }

  /**
   * What the cashier is answered for a saga as it stands: the receipt of a made sale, else why not.
   *
   * @param retry the call retries a checkout id (a receipt is marked duplicate)
   * @param failedBefore the saga had ended before this call
   */
  private Receipt outcome(SagaRecord saga, boolean retry, boolean failedBefore) {
    SaleSagaRecord sale = StandardSale.CODEC.decode(saga.context());
    Optional<Receipt> made = SaleRecords.receipt(store, sale.getSaleId());
    if (made.isPresent()) {
      return retry ? made.get().toBuilder().setDuplicate(true).build() : made.get();
    }
    Optional<StepRefusal> refusal = StepRefusal.of(store, saga);
    switch (saga.state()) {
      case SAGA_COMPENSATED, SAGA_TIMED_OUT -> {
        if (failedBefore) {
          String why = refusal.map(StepRefusal::reason).orElse(saga.state().name() + ": " + saga.failure());
          throw new SaleFailure(SaleFailure.Kind.PRECONDITION, "checkout_id", "this checkout failed earlier (" + why
              + "); start a new checkout");
        }
        throw refusal.map(r -> r.failure(r.step().equals(StandardSale.RESERVE) ? "" : NOT_MADE))
            .orElseGet(() -> new SaleFailure(SaleFailure.Kind.UNAVAILABLE, "checkout_id",
                "the sale could not be completed (" + saga.failure() + ")" + NOT_MADE));
      }
      case SAGA_STATE_FAILED -> throw new SaleFailure(SaleFailure.Kind.UNAVAILABLE, "checkout_id",
          "the sale could not be undone and needs an operator: " + saga.failure());
      default -> throw new SaleFailure(SaleFailure.Kind.UNAVAILABLE, "checkout_id",
          "the sale is still in progress; retry with the same checkout id");
    }
  }

  /**
   * Finishes sales a stop interrupted: each unfinished saga carries on from its persisted state (sagas of an earlier
   * version carried over to the engine first).
   */
  public int recover() {
    LegacySagas.carrySales(store, time.instant());
    int resumed = 0;
    for (SagaRecord saga : store.sagas().unfinished()) {
      if (saga.type() != SagaType.STANDARD_SALE) {
        continue;
      }
      String checkoutId = StandardSale.CODEC.decode(saga.context()).getCheckoutId();
      try {
        SagaRecord after = checkouts.with(checkoutId, () -> store.sagas().find(saga.sagaId())
            .filter(s -> !s.finished()).map(s -> engine.resume(definitionOf(s), s)).orElse(saga));
        log.info("resumed sale saga {} of checkout {}: {}", saga.sagaId(), checkoutId, after.state());
      } catch (RuntimeException e) {
        log.warn("sale saga {} of checkout {} could not be resumed: {}", saga.sagaId(), checkoutId, e.toString());
      }
      resumed++;
    }
    return resumed;
  }

  /** Stops the threads steps run on (a saga cut short stays as persisted, for the next start). */
  @Override
  public void close() {
    stepThreads.shutdownNow();
  }

  // --- receipts -------------------------------------------------------------------------------------------------

  public Receipt receipt(String saleId, String receiptNumber) {
    String id = saleId;
    if (id.isEmpty()) {
      id = SaleRecords.saleOfReceiptNumber(store, receiptNumber).orElseThrow(() -> new SaleFailure(
          SaleFailure.Kind.NOT_FOUND, "receipt_number", "no sale with receipt number " + receiptNumber));
    }
    if (id.isEmpty()) {
      throw new SaleFailure(SaleFailure.Kind.INVALID, "sale_id", "give sale_id or receipt_number");
    }
    String sid = id;
    return SaleRecords.receipt(store, id).orElseThrow(() -> new SaleFailure(SaleFailure.Kind.NOT_FOUND, "sale_id",
        "no completed sale " + sid));
  }

}
