package com.cps.dcs.swarm.query;

import java.time.Instant;

/** The port's contract, run against the in-memory model the service's tests use. */
class InMemoryReadModelContractTest extends ReadModelContract {
  static final long NOW = Instant.parse("2026-11-22T15:00:00Z").toEpochMilli();
  final InMemoryReadModel model = new InMemoryReadModel("b1");

  InMemoryReadModelContractTest() {
    model.change("b1", b -> {
      b.stock.put("p1", new ReadModel.Stock(10, 2, 8, 4, null));
      b.salesMinor = 100;
      b.transactions = 1;
      b.totals.add(new ReadModel.Total(Instant.ofEpochMilli(NOW - 60_000), 100, 1));
    });
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
    return "p1";
  }

  @Override
  protected long now() {
    return NOW;
  }

  @Override
  protected void recordSale(long amountMinor, String category) {
    Instant at = Instant.ofEpochMilli(NOW);
    model.change("b1", b -> {
      b.salesMinor += amountMinor;
      b.transactions++;
      b.totals.add(new ReadModel.Total(at, amountMinor, 1));
      b.categories.add(new ReadModel.CategoryTotal(at, category, amountMinor));
    });
  }
}
