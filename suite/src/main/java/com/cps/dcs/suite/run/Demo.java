package com.cps.dcs.suite.run;

import com.cps.dcs.proto.pos.v1.CartLine;
import com.cps.dcs.proto.pos.v1.CheckoutRequest;
import com.cps.dcs.proto.pos.v1.GetCurrentTillRequest;
import com.cps.dcs.proto.pos.v1.GetSyncStatusRequest;
import com.cps.dcs.proto.pos.v1.ListCatalogRequest;
import com.cps.dcs.proto.pos.v1.ManagerApproval;
import com.cps.dcs.proto.pos.v1.OpenTillRequest;
import com.cps.dcs.proto.pos.v1.PosServiceGrpc;
import com.cps.dcs.proto.pos.v1.Product;
import com.cps.dcs.proto.pos.v1.Receipt;
import com.cps.dcs.proto.pos.v1.ReceiveStockRequest;
import com.cps.dcs.proto.pos.v1.RefundLine;
import com.cps.dcs.proto.pos.v1.RefundRequest;
import com.cps.dcs.proto.pos.v1.SignInRequest;
import com.cps.dcs.proto.pos.v1.SyncStatus;
import com.cps.dcs.proto.pos.v1.Tender;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import com.cps.dcs.proto.v4.BranchQuery;
import com.cps.dcs.proto.v4.BranchSummary;
import com.cps.dcs.proto.v4.QueryProtocolGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./dcs demo [seconds]}: a working day compressed into a few minutes, through the cashiers' own API (PosService
 * over gRPC, as the POS app calls it) on both branches of a running {@code ./dcs run}. Baskets of one to five
 * products, cash (rounded up to the next note, change given), card (now and then declined, then paid in cash) and
 * mobile payments, a refund now and then (with the manager's approval), stock received when a shelf runs low. A
 * third of the way in, branch-2 goes offline (the launcher cuts its links to the region) and keeps selling; at two
 * thirds it comes back and its backlog syncs. At the end: each branch's sync status and the query service's figures.
 */
final class Demo {
  private final RunConfig cfg;
  private final int seconds;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private volatile boolean running = true;
  private volatile boolean awayCut;

  Demo(RunConfig cfg, int seconds) {
    this.cfg = cfg;
    this.seconds = seconds > 0 ? seconds : Integer.parseInt(cfg.get("DCS_DEMO_SECONDS", "90"));
  }

  /** One cashier selling at one branch. */
  private final class Till implements Runnable {
    final RunConfig.Branch branch;
    final PosServiceGrpc.PosServiceBlockingStub pos;
    final Random random;
    final AtomicInteger sales = new AtomicInteger();
    final AtomicInteger refunds = new AtomicInteger();
    final AtomicInteger declined = new AtomicInteger();
    final AtomicLong takenMinor = new AtomicLong();
    final List<Receipt> recent = new ArrayList<>();
    final ConcurrentHashMap<String, Product> catalog = new ConcurrentHashMap<>();
    String token;
    String managerToken;

    Till(RunConfig.Branch branch, ManagedChannel channel, long seed) {
      this.branch = branch;
      this.pos = PosServiceGrpc.newBlockingStub(channel);
      this.random = new Random(seed);
    }

    PosServiceGrpc.PosServiceBlockingStub pos() {
      return pos.withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    void open() {
      token = pos().signIn(SignInRequest.newBuilder().setCashierId(branch.cashier()).setPin(branch.pin())
          .setTillId("till-demo").build()).getSessionToken();
      managerToken = pos().signIn(SignInRequest.newBuilder().setCashierId("9001").setPin("9999")
          .setTillId("office").build()).getSessionToken();
      try {
        pos().openTill(OpenTillRequest.newBuilder().setSessionToken(token).setTillId("till-demo")
            .setOpeningCashMinor(20_000).build());
        say(branch.id(), "cashier " + branch.cashier() + " opened till-demo with 200.00 in the drawer");
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) {
          throw e;
        }
        var till = pos().getCurrentTill(GetCurrentTillRequest.newBuilder().setSessionToken(token).build());
        say(branch.id(), "cashier " + branch.cashier() + " carries on with the till opened earlier ("
            + till.getSaleCount() + " sales so far)");
      }
      refreshCatalog();
    }

    void refreshCatalog() {
      pos().listCatalog(ListCatalogRequest.newBuilder().setSessionToken(token).build()).getProductsList()
          .forEach(p -> catalog.put(p.getProductId(), p));
    }

    @Override
    public void run() {
      while (running) {
        try {
          sellOne();
          if (random.nextInt(15) == 0) {
            refundOne();
          }
          Thread.sleep(300 + random.nextInt(900));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (StatusRuntimeException e) {
          say(branch.id(), "the agent answered " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
          sleepQuietly(1000);
        }
      }
    }

    void sellOne() {
      List<Product> shelf = new ArrayList<>(catalog.values().stream().filter(Product::getActive).toList());
      shelf.sort((a, b) -> a.getProductId().compareTo(b.getProductId()));
      List<CartLine> lines = new ArrayList<>();
      int items = 1 + random.nextInt(5);
      for (int i = 0; i < items && !shelf.isEmpty(); i++) {
        Product p = shelf.remove(random.nextInt(shelf.size()));
        if (p.getStockAvailable() < 5) {
          restock(p);
          continue;
        }
        lines.add(CartLine.newBuilder().setProductId(p.getProductId()).setQuantity(1 + random.nextInt(3)).build());
      }
      if (lines.isEmpty()) {
        return;
      }
      long total = lines.stream().mapToLong(l -> catalog.get(l.getProductId()).getPriceMinor() * l.getQuantity())
          .sum();
      int how = random.nextInt(100);
      Tender tender;
      if (how < 55) {
        long handed = ((total + 499) / 500) * 500; // the next 5.00 note
        tender = Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH).setAmountMinor(handed).build();
      } else if (how < 92) {
        // About one card in twenty is declined by the simulated gateway (a token ending in 0002).
        String card = random.nextInt(20) == 0 ? "tok-4000-0002" : "tok-4111-" + (1000 + random.nextInt(8000));
        tender = Tender.newBuilder().setMethod(TenderMethod.TENDER_CARD).setAmountMinor(total).setCardToken(card)
            .build();
      } else {
        tender = Tender.newBuilder().setMethod(TenderMethod.TENDER_MOBILE).setAmountMinor(total)
            .setCardToken("wallet-" + (100 + random.nextInt(900))).build();
      }
      Receipt r;
      try {
        r = checkout(lines, tender);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION
            && String.valueOf(e.getStatus().getDescription()).contains("declined")) {
          declined.incrementAndGet();
          say(branch.id(), "card declined; the customer pays cash instead");
          long handed = ((total + 999) / 1000) * 1000;
          r = checkout(lines, Tender.newBuilder().setMethod(TenderMethod.TENDER_CASH).setAmountMinor(handed).build());
        } else if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
          refreshCatalog(); // not enough stock of something: look at the shelves again
          return;
        } else {
          throw e;
        }
      }
      sales.incrementAndGet();
      takenMinor.addAndGet(r.getTotalMinor());
      synchronized (recent) {
        recent.add(r);
        if (recent.size() > 20) {
          recent.remove(0);
        }
      }
      for (CartLine l : lines) {
        catalog.computeIfPresent(l.getProductId(), (k, p) -> p.toBuilder()
            .setStockAvailable(p.getStockAvailable() - l.getQuantity()).build());
      }
      say(branch.id(), String.format("%s  %2d item(s)  %8s %s  %-6s%s", r.getReceiptNumber(),
          r.getLinesList().stream().mapToLong(l -> l.getQuantity()).sum(), money(r.getTotalMinor()),
          r.getCurrency(), r.getTenders(0).getMethod().name().substring(7).toLowerCase(),
          r.getChangeMinor() > 0 ? "  change " + money(r.getChangeMinor()) : ""));
    }

    Receipt checkout(List<CartLine> lines, Tender tender) {
      String checkoutId = branch.id() + "-demo-" + UUID.randomUUID();
      CheckoutRequest req = CheckoutRequest.newBuilder().setSessionToken(token).setCheckoutId(checkoutId)
          .addAllLines(lines).addTenders(tender).build();
      try {
        return pos().checkout(req);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED
            || e.getStatus().getCode() == Status.Code.UNAVAILABLE && e.getStatus().getDescription() == null) {
          return pos().checkout(req); // the same checkout id: a retry never sells twice
        }
        throw e;
      }
    }

    void refundOne() {
      Receipt r;
      synchronized (recent) {
        if (recent.isEmpty()) {
          return;
        }
        r = recent.remove(random.nextInt(recent.size()));
      }
      var line = r.getLines(random.nextInt(r.getLinesCount()));
      var refund = pos().refund(RefundRequest.newBuilder().setSessionToken(token)
          .setRefundId(branch.id() + "-refund-" + UUID.randomUUID()).setSaleId(r.getSaleId())
          .addLines(RefundLine.newBuilder().setProductId(line.getProductId()).setQuantity(1))
          .setApproval(ManagerApproval.newBuilder().setManagerId("9001").setPin("9999"))
          .setReason("customer changed their mind").build());
      refunds.incrementAndGet();
      takenMinor.addAndGet(-refund.getRefundedMinor());
      say(branch.id(), String.format("refund of 1 x %s on %s: %s back (manager 9001 approved)", line.getName(),
          r.getReceiptNumber(), money(refund.getRefundedMinor())));
    }

    void restock(Product p) {
      Product after = pos().receiveStock(ReceiveStockRequest.newBuilder().setSessionToken(managerToken)
          .setProductId(p.getProductId()).setQuantity(48).setReference("delivery-" + UUID.randomUUID()).build());
      catalog.put(after.getProductId(), after);
      say(branch.id(), "delivery: 48 x " + p.getName() + " received (manager 9001)");
    }

    SyncStatus sync() {
      return pos().getSyncStatus(GetSyncStatusRequest.newBuilder().setSessionToken(token).build());
    }
  }

  int run() throws Exception {
    List<Till> tills = new ArrayList<>();
    long seed = System.currentTimeMillis();
    for (RunConfig.Branch b : cfg.branches) {
      ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", b.grpcPort()).usePlaintext()
          .intercept(AdminSecret.credential(AdminSecret.existing(cfg))).build();
      channels.add(ch);
      tills.add(new Till(b, ch, seed++));
    }
    try {
      for (Till t : tills) {
        t.open();
      }
    } catch (StatusRuntimeException e) {
      System.err.println("Cannot reach the branches (" + e.getStatus().getCode() + "): is ./dcs run running, with the"
          + " same DCS_BRANCH_*_PORT settings?");
      close();
      return 1;
    }
    RunConfig.Branch away = cfg.branches.get(1);
    say("demo", "selling on " + cfg.branches.size() + " branches for " + seconds + " s; " + away.id()
        + " goes offline at " + seconds / 3 + " s and comes back at " + 2 * seconds / 3 + " s");
    List<Thread> threads = new ArrayList<>();
    for (Till t : tills) {
      Thread th = new Thread(t, "demo-" + t.branch.id());
      th.start();
      threads.add(th);
    }
    // Ctrl-C while branch-2 is offline must not leave it offline.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      running = false;
      if (awayCut) {
        control("/branches/" + away.id() + "/online");
      }
    }));
    long start = System.nanoTime();
    boolean wentOffline = false;
    boolean cameBack = false;
    while (running) {
      long elapsed = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      if (!wentOffline && elapsed >= seconds / 3) {
        wentOffline = true;
        awayCut = true;
        control("/branches/" + away.id() + "/offline");
        say("demo", away.id() + " is OFFLINE: its line to the region is cut; it keeps selling and queues its events");
      }
      if (!cameBack && elapsed >= 2L * seconds / 3) {
        cameBack = true;
        control("/branches/" + away.id() + "/online");
        awayCut = false;
        say("demo", away.id() + " is back ONLINE: its queued events go up to the region");
      }
      if (elapsed >= seconds) {
        break;
      }
      if (elapsed % 10 == 0) {
        for (Till t : tills) {
          SyncStatus s = t.sync();
          say(t.branch.id(), String.format("sync: region %s, %d event(s) waiting, %d synced",
              s.getRegionReachable() ? "reachable" : "UNREACHABLE", s.getPendingEvents(), s.getSyncedEvents()));
        }
      }
      Thread.sleep(1000);
    }
    running = false;
    for (Thread th : threads) {
      th.join(TimeUnit.SECONDS.toMillis(35));
    }
    if (awayCut) {
      control("/branches/" + away.id() + "/online");
      awayCut = false;
    }
    say("demo", "done selling; waiting for both branches to finish syncing");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    for (Till t : tills) {
      SyncStatus s = t.sync();
      while ((s.getPendingEvents() > 0 || !s.getRegionReachable()) && System.nanoTime() < deadline) {
        Thread.sleep(1000);
        s = t.sync();
      }
      say(t.branch.id(), String.format("%d sales, %d refunds, %d cards declined, %s taken; %d event(s) synced, %d"
          + " waiting", t.sales.get(), t.refunds.get(), t.declined.get(), money(t.takenMinor.get()),
          s.getSyncedEvents(), s.getPendingEvents()));
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(3)); // the region's outbox to Kafka, the query service's projection
    ManagedChannel q = ManagedChannelBuilder.forAddress("127.0.0.1", cfg.queryPort).usePlaintext()
        .intercept(AdminSecret.credential(AdminSecret.existing(cfg))).build();
    channels.add(q);
    for (Till t : tills) {
      try {
        BranchSummary s = QueryProtocolGrpc.newBlockingStub(q).withDeadlineAfter(10, TimeUnit.SECONDS)
            .getBranchSummary(BranchQuery.newBuilder().setBranchId(t.branch.id()).build());
        say("query", String.format("%s today: %d transactions, %s %s in sales, cash account %s", t.branch.id(),
            s.getTodayTransactions(), money(s.getTodaySalesMinor()), s.getCurrency(),
            money(s.getCurrentBalanceMinor())));
      } catch (StatusRuntimeException e) {
        say("query", t.branch.id() + ": " + e.getStatus().getCode() + " " + e.getStatus().getDescription());
      }
    }
    close();
    return 0;
  }

  private void control(String path) {
    try {
      http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cfg.controlPort + path))
          .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      say("demo", "the launcher's control port " + cfg.controlPort + " does not answer (" + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void close() {
    channels.forEach(ManagedChannel::shutdownNow);
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Minor units as a decimal, exactly (no floating point). */
  static String money(long minor) {
    String sign = minor < 0 ? "-" : "";
    long a = Math.abs(minor);
    return sign + (a / 100) + "." + String.format("%02d", a % 100);
  }

  private static synchronized void say(String who, String what) {
    System.out.printf("%tT %-9s %s%n", System.currentTimeMillis(), who, what);
  }
}
