package com.cps.dcs.query.projection;

import java.time.Instant;
import java.time.LocalDate;

/**
 * One change to the read models caused by one event. Every change is either an additive delta or an
 * HLC last-writer-wins set, so applying a set of events in any order gives the same tables.
 */
public sealed interface RowChange {

  /** The tenant whose rows this change touches (writes run under that tenant's row-level security). */
  String tenant();

  /** The HLC of an event, compared as (physical ms, logical, node). */
  record Hlc(long physicalMs, int logical, String node) {}

  /** The branch exists and its latest event HLC is at least {@code hlc}. */
  record BranchSeen(String tenant, String branch, String currency, Hlc hlc) implements RowChange {}

  /** Sales per branch, day and currency; also feeds the hourly bucket. */
  record SalesDelta(String tenant, String branch, LocalDate day, Instant hour, String currency, long totalMinor,
      long txCount, long items, long taxMinor) implements RowChange {}

  record CategoryDelta(String tenant, String branch, LocalDate day, Instant hour, String category,
      String currency, long totalMinor, long items) implements RowChange {}

  record PaymentDelta(String tenant, String branch, LocalDate day, String paymentMethod, String currency,
      long totalMinor, long txCount) implements RowChange {}

  record SessionSeen(String tenant, String branch, LocalDate day, String sessionId) implements RowChange {}

  record InventoryDelta(String tenant, String branch, String productId, long currentDelta, long reservedDelta,
      Hlc hlc) implements RowChange {}

  record ReorderPoint(String tenant, String branch, String productId, long reorderPoint, Hlc hlc)
      implements RowChange {}

  record LoyaltyDelta(String tenant, String branch, String customerRef, long pointsDelta, long lifetimePointsDelta,
      long lifetimeValueMinorDelta) implements RowChange {}

  record LedgerDelta(String tenant, String branch, String accountCode, String accountName, LocalDate postingDate,
      String currency, long debitMinor, long creditMinor, Hlc hlc) implements RowChange {}

  record AlertRow(String eventId, String tenant, String branch, int level, String kind, String source,
      String message, Instant createdAt) implements RowChange {}
}
