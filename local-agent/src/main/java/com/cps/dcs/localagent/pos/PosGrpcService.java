package com.cps.dcs.localagent.pos;

import com.cps.dcs.localagent.catalog.Catalog;
import com.cps.dcs.kernel.validation.InputRefused;
import com.cps.dcs.localagent.sale.RefundService;
import com.cps.dcs.localagent.sale.SaleFailure;
import com.cps.dcs.localagent.sale.SaleService;
import com.cps.dcs.localagent.store.AppendRefused;
import com.cps.dcs.localagent.store.EventDraft;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.swarm.Errors;
import com.cps.dcs.localagent.till.TillService;
import com.cps.dcs.proto.pos.v1.Catalog.Builder;
import com.cps.dcs.proto.pos.v1.CheckoutRequest;
import com.cps.dcs.proto.pos.v1.CloseTillRequest;
import com.cps.dcs.proto.pos.v1.GetCurrentTillRequest;
import com.cps.dcs.proto.pos.v1.GetReceiptRequest;
import com.cps.dcs.proto.pos.v1.GetSyncStatusRequest;
import com.cps.dcs.proto.pos.v1.ListCatalogRequest;
import com.cps.dcs.proto.pos.v1.LookupBarcodeRequest;
import com.cps.dcs.proto.pos.v1.OpenTillRequest;
import com.cps.dcs.proto.pos.v1.PosServiceGrpc;
import com.cps.dcs.proto.pos.v1.Product;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.ReceiveStockRequest;
import com.cps.dcs.proto.pos.v1.RefundReceipt;
import com.cps.dcs.proto.pos.v1.RefundRequest;
import com.cps.dcs.proto.pos.v1.Role;
import com.cps.dcs.proto.pos.v1.SignInRequest;
import com.cps.dcs.proto.pos.v1.SignInResponse;
import com.cps.dcs.proto.pos.v1.SignInSession;
import com.cps.dcs.proto.pos.v1.SignOutRequest;
import com.cps.dcs.proto.pos.v1.SignOutResponse;
import com.cps.dcs.proto.pos.v1.SyncStatus;
import com.cps.dcs.proto.pos.v1.TillCloseReport;
import com.cps.dcs.proto.pos.v1.TillSession;
import com.cps.dcs.proto.pos.v1.UpsertProductRequest;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.cps.dcs.service.grpc.GrpcErrors;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Supplier;

/** {@code cps.enterprise.pos.v1.PosService}: what a cashier does, turned into events by the agent. */
public final class PosGrpcService extends PosServiceGrpc.PosServiceImplBase {
  private final LocalStore store;
  private final TillService tills;
  private final SaleService sales;
  private final RefundService refunds;
  private final Supplier<SyncStatus> syncStatus;
  private final io.micrometer.core.instrument.MeterRegistry meters;

  public PosGrpcService(LocalStore store, TillService tills, SaleService sales, RefundService refunds,
      Supplier<SyncStatus> syncStatus, io.micrometer.core.instrument.MeterRegistry meters) {
    this.store = store;
    this.tills = tills;
    this.sales = sales;
    this.refunds = refunds;
    this.syncStatus = syncStatus;
    this.meters = meters;
  }

  /** Counts saga outcomes: completed, duplicate (a retry), or refused with the status code. */
  private <T> Supplier<T> counted(String saga, Supplier<T> work, java.util.function.Predicate<T> duplicate) {
    return () -> {
      try {
        T result = work.get();
        meters.counter("dcs.sagas", "type", saga, "outcome", duplicate.test(result) ? "duplicate" : "completed")
            .increment();
        return result;
      } catch (RuntimeException e) {
        String outcome = e instanceof SaleFailure f ? f.kind().name().toLowerCase(Locale.ROOT)
            : e instanceof InputRefused ? "invalid"
            : e instanceof StatusRuntimeException s ? s.getStatus().getCode().name().toLowerCase(Locale.ROOT)
                : "error";
        meters.counter("dcs.sagas", "type", saga, "outcome", outcome).increment();
        throw e;
      }
    };
  }

  @Override
  public void signIn(SignInRequest r, StreamObserver<SignInResponse> out) {
    reply(out, () -> {
      PosInputs.signIn(r.getCashierId(), r.getPin(), r.getTillId());
      TillService.SignedIn s = tills.signIn(r.getCashierId(), r.getPin(), r.getTillId());
      return SignInResponse.newBuilder().setSessionToken(s.token()).setCashierId(s.staff().getCashierId())
          .setDisplayName(s.staff().getDisplayName()).setRole(s.staff().getRole()).setBranchId(store.branchId())
          .setCurrency(store.currency()).setExpiresAt(s.session().getExpiresAt()).build();
    });
  }

  @Override
  public void signOut(SignOutRequest r, StreamObserver<SignOutResponse> out) {
    reply(out, () -> {
      PosInputs.token(r.getSessionToken());
      tills.signOut(r.getSessionToken());
      return SignOutResponse.getDefaultInstance();
    });
  }

  @Override
  public void openTill(OpenTillRequest r, StreamObserver<TillSession> out) {
    reply(out, () -> {
      PosInputs.openTill(r.getSessionToken(), r.getTillId(), r.getOpeningCashMinor());
      return tills.openTill(tills.authenticate(r.getSessionToken()), r.getTillId(), r.getOpeningCashMinor());
    });
  }

  @Override
  public void closeTill(CloseTillRequest r, StreamObserver<TillCloseReport> out) {
    reply(out, () -> {
      PosInputs.closeTill(r.getSessionToken(), r.getCountedCashMinor());
      return tills.closeTill(tills.authenticate(r.getSessionToken()), r.getCountedCashMinor());
    });
  }

  @Override
  public void getCurrentTill(GetCurrentTillRequest r, StreamObserver<TillSession> out) {
    reply(out, () -> {
      PosInputs.token(r.getSessionToken());
      SignInSession s = tills.authenticate(r.getSessionToken());
      return tills.openTill(store, s.getCashierId()).orElseThrow(() -> GrpcErrors.notFound("TillSession",
          s.getCashierId(), "no till is open for " + s.getCashierId()));
    });
  }

  @Override
  public void listCatalog(ListCatalogRequest r, StreamObserver<com.cps.dcs.proto.pos.v1.Catalog> out) {
    reply(out, () -> {
      PosInputs.catalog(r.getSessionToken(), r.getCategory(), r.getSearch());
      tills.authenticate(r.getSessionToken());
      String q = r.getSearch().toLowerCase(Locale.ROOT).strip();
      Builder b = com.cps.dcs.proto.pos.v1.Catalog.newBuilder().setCurrency(store.currency());
      TreeSet<String> categories = new TreeSet<>();
      for (Product p : Catalog.all(store)) {
        if (!p.getActive()) {
          continue;
        }
        categories.add(p.getCategory());
        boolean inCategory = r.getCategory().isBlank() || r.getCategory().equals(p.getCategory());
        boolean matches = q.isEmpty() || p.getName().toLowerCase(Locale.ROOT).contains(q)
            || p.getSku().toLowerCase(Locale.ROOT).contains(q) || p.getBarcode().equals(q);
        if (inCategory && matches) {
          b.addProducts(p);
        }
      }
      return b.addAllCategories(categories).build();
    });
  }

  @Override
  public void lookupBarcode(LookupBarcodeRequest r, StreamObserver<Product> out) {
    reply(out, () -> {
      PosInputs.barcode(r.getSessionToken(), r.getBarcode());
      tills.authenticate(r.getSessionToken());
      return Catalog.all(store).stream().filter(p -> p.getActive() && p.getBarcode().equals(r.getBarcode()))
          .findFirst().orElseThrow(() -> GrpcErrors.notFound("Product", r.getBarcode(),
              "no product with barcode " + r.getBarcode()));
    });
  }

  @Override
  public void checkout(CheckoutRequest r, StreamObserver<Receipt> out) {
    reply(out, counted("STANDARD_SALE", () -> {
      PosInputs.checkout(r);
      return sales.checkout(tills.authenticate(r.getSessionToken()), r);
    }, Receipt::getDuplicate));
  }

  @Override
  public void refund(RefundRequest r, StreamObserver<RefundReceipt> out) {
    reply(out, counted("REFUND_PROCESSING", () -> {
      PosInputs.refund(r);
      return refunds.refund(tills.authenticate(r.getSessionToken()), r);
    }, RefundReceipt::getDuplicate));
  }

  @Override
  public void getReceipt(GetReceiptRequest r, StreamObserver<Receipt> out) {
    reply(out, () -> {
      PosInputs.receipt(r.getSessionToken(), r.getSaleId(), r.getReceiptNumber());
      tills.authenticate(r.getSessionToken());
      return sales.receipt(r.getSaleId(), r.getReceiptNumber());
    });
  }

  @Override
  public void upsertProduct(UpsertProductRequest r, StreamObserver<Product> out) {
    reply(out, () -> {
      PosInputs.product(r.getSessionToken(), r.getProduct());
      manager(r.getSessionToken());
      Product p = r.getProduct();
      if (!p.getProductId().matches("[A-Za-z0-9._-]{1,64}")) {
        throw GrpcErrors.invalidArgument("product.product_id", "1 to 64 letters, digits, '.', '_' or '-'");
      }
      return store.transaction(tx -> Catalog.upsert(tx, p));
    });
  }

  @Override
  public void receiveStock(ReceiveStockRequest r, StreamObserver<Product> out) {
    reply(out, () -> {
      PosInputs.receiveStock(r.getSessionToken(), r.getProductId(), r.getQuantity(), r.getReference());
      SignInSession s = manager(r.getSessionToken());
      return store.transaction(tx -> {
        Product p = Catalog.product(tx, r.getProductId()).orElseThrow(() -> GrpcErrors.notFound("Product",
            r.getProductId(), "unknown product " + r.getProductId()));
        var outcome = tx.append(EventDraft.of(Catalog.stockStream(store.branchId(), p.getProductId()), EventType.INVENTORY_RECEIVED, 0, "",
            EventFacts.newBuilder().addLines(EventFacts.Line.newBuilder().setProductId(p.getProductId())
                .setCategory(p.getCategory()).setQuantity(r.getQuantity())).setReason(r.getReference())
                .setReorderPoint(p.getReorderPoint()).build(), new byte[0], s.getCashierId(),
            "receive:" + r.getReference() + ":" + p.getProductId()));
        if (outcome instanceof com.cps.dcs.localagent.store.AppendOutcome.Appended) {
          Catalog.adjust(tx, Catalog.stockId(p.getProductId()), store.branchId(), r.getQuantity());
        }
        return Catalog.product(tx, p.getProductId()).orElseThrow();
      });
    });
  }

  @Override
  public void getSyncStatus(GetSyncStatusRequest r, StreamObserver<SyncStatus> out) {
    reply(out, () -> {
      PosInputs.token(r.getSessionToken());
      tills.authenticate(r.getSessionToken());
      return syncStatus.get();
    });
  }

  private SignInSession manager(String token) {
    SignInSession s = tills.authenticate(token);
    if (s.getRole() != Role.ROLE_MANAGER) {
      throw GrpcErrors.permissionDenied("MANAGER_ONLY", "only a manager may do this");
    }
    return s;
  }

  /** Runs one RPC and maps every refusal to its status in one place. */
  private static <T> void reply(StreamObserver<T> out, Supplier<T> work) {
    T value;
    try {
      value = work.get();
    } catch (StatusRuntimeException e) {
      throw e;
    } catch (InputRefused e) {
      throw GrpcErrors.refused(e);
    } catch (SecurityException e) {
      throw GrpcErrors.unauthenticated(e.getMessage());
    } catch (AppendRefused e) {
      throw Errors.of(e);
    } catch (SaleFailure f) {
      throw switch (f.kind()) {
        case INVALID -> GrpcErrors.invalidArgument(f.subject(), f.getMessage());
        case NOT_FOUND -> GrpcErrors.notFound("Resource", f.subject(), f.getMessage());
        case PRECONDITION -> GrpcErrors.failedPrecondition("SALE_REFUSED", f.subject(), f.getMessage());
        case APPROVAL_REQUIRED -> GrpcErrors.permissionDenied("APPROVAL_REQUIRED", f.getMessage());
        case UNAVAILABLE -> GrpcErrors.unavailable(f.getMessage());
      };
    }
    out.onNext(value);
    out.onCompleted();
  }
}
