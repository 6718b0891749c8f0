package com.cps.dcs.swarm;

import com.cps.dcs.kernel.ledger.Reconciliation;
import com.cps.dcs.kernel.money.Money;
import com.cps.dcs.kernel.money.MoneyException;
import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.kernel.validation.ReconciliationRules;
import com.cps.dcs.proto.v4.ReconciliationRequest;
import com.cps.dcs.proto.v4.ReconciliationResponse;
import com.google.protobuf.ByteString;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reconciliation at every tier: the balance of a branch (or of everything the tier serves) recomputed from its
 * stored events, each of which must still verify, compared with the caller's expected balance, and attested with
 * this tier's signature.
 */
public final class Reconciler {
  private static final long DAY_MS = 86_400_000L;
  private final TierPolicy policy;
  private final SwarmLog log;
  private final CrdtStore crdts;
  private final EventChecks checks;
  private final SwarmIdentity identity;
  private final InstantSource time;

  public Reconciler(TierPolicy policy, SwarmLog log, CrdtStore crdts, EventChecks checks, SwarmIdentity identity,
      InstantSource time) {
    this.policy = policy;
    this.log = log;
    this.crdts = crdts;
    this.checks = checks;
    this.identity = identity;
    this.time = time;
  }

  /** One result for the whole range (to the end of time when it has no end). */
  public ReconciliationResponse whole(ReconciliationRequest r) {
    check(r);
    long to = r.getEndTimestamp() == 0 ? Long.MAX_VALUE : r.getEndTimestamp();
    return reconcile(r, r.getStartTimestamp(), to, true);
  }

  /** One result per UTC day of the range (up to now when it has no end), then the whole range. */
  public void byDay(ReconciliationRequest r, Consumer<ReconciliationResponse> out) {
    check(r);
    long to = r.getEndTimestamp() == 0 ? time.millis() : r.getEndTimestamp();
    long start = r.getStartTimestamp();
    for (long day = Instant.ofEpochMilli(start).atZone(ZoneOffset.UTC).toLocalDate().atStartOfDay(ZoneOffset.UTC)
        .toInstant().toEpochMilli(); day < to; day += DAY_MS) {
      out.accept(reconcile(r, Math.max(day, start), Math.min(day + DAY_MS, to), false));
    }
    out.accept(reconcile(r, start, to, true));
  }

  private void check(ReconciliationRequest r) {
    SwarmReads.requireServed(policy, r.getBranchId());
    ReconciliationRules.check(r, time.millis());
  }

  private ReconciliationResponse reconcile(ReconciliationRequest r, long from, long to, boolean compare) {
    List<Integer> types = ReconciliationRules.check(r, time.millis());
    Slice slice = new Slice(r.getBranchId(), from, to, types);
    Reconciliation.Tally tally = new Reconciliation.Tally(policy.currency());
    List<String> discrepancies = new ArrayList<>();
    boolean tampered = false;
    Position after = Position.START;
    while (true) {
      List<Logged> page = log.read(slice, after, 1000);
      if (page.isEmpty()) {
        break;
      }
      for (Logged s : page) {
        tally.add(s.event());
        // Each stored event verifies again: a row altered in the store shows up here.
        if (!checks.intact(s.event())) {
          if (discrepancies.size() < Reconciliation.MAX_DISCREPANCY_IDS) {
            discrepancies.add(s.event().getEventId());
          }
          tampered = true;
        }
      }
      after = page.get(page.size() - 1).position();
    }
    log.firstChainBreak().ifPresent(discrepancies::add);
    Money actual;
    try {
      actual = tally.balance();
    } catch (MoneyException e) {
      throw new RefusedException(new Refusal.Conflict("MIXED_CURRENCY", "branch " + r.getBranchId(),
          e.getMessage()));
    }
    boolean balanced = discrepancies.isEmpty() && !tampered;
    if (compare) {
      Money expected;
      try {
        expected = Money.fromWire(r.getExpectedBalance(), policy.currency());
      } catch (MoneyException e) {
        throw new RefusedException(Refusal.Invalid.of("expected_balance", e.getMessage()));
      }
      balanced = balanced && expected.equals(actual);
    }
    ReconciliationResponse.Builder b = ReconciliationResponse.newBuilder().setIsBalanced(balanced)
        .setActualBalance(actual.toWireDouble()).addAllDiscrepancyEventIds(discrepancies)
        .setReconciliationTimestamp(identity.clock().now().toProto())
        .setMasterPublicKeyId(ByteString.copyFromUtf8("agent:" + identity.agentId()));
    if (r.getIncludeCrdtState()) {
      crdts.snapshot(r.getBranchId()).ifPresent(b::setCrdtSnapshot);
    }
    return b.setValidationSignature(identity.attest(b.build())).build();
  }
}
