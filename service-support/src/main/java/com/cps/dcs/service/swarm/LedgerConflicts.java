package com.cps.dcs.service.swarm;

import com.cps.dcs.kernel.ledger.ConflictResolution;
import com.cps.dcs.kernel.validation.EventRules;
import com.cps.dcs.kernel.validation.InputRefused;
import com.cps.dcs.kernel.validation.Texts;
import com.cps.dcs.kernel.validation.Violation;
import com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc;
import com.cps.dcs.proto.v4.ConflictResolutionRequest;
import com.cps.dcs.proto.v4.ConflictStrategy;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.service.grpc.GrpcErrors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ResolveLedgerConflict} as every agent below the master answers it: LAST_WRITER_WINS, VECTOR_CLOCK_ORDER and
 * CRDT_MERGE are decided here ({@link ConflictResolution}); AGENT_VOTE and MASTER_DECIDES go to the master agent when
 * one is configured, and are otherwise refused with FAILED_PRECONDITION saying why.
 */
public final class LedgerConflicts {
  /** Events one request may ask to arbitrate between. */
  public static final int MAX_CONFLICTING = 64;

  private LedgerConflicts() {}

  /**
   * @param masterAddress host:port of the master agent, or null/blank when none is configured
   * @throws StatusRuntimeException INVALID_ARGUMENT, FAILED_PRECONDITION or UNAVAILABLE naming the problem
   */
  public static SovereignFinancialEvent resolve(ConflictResolutionRequest r, String masterAddress) {
    if (r.getConflictingEventsCount() < 2 || r.getConflictingEventsCount() > MAX_CONFLICTING) {
      throw GrpcErrors.invalidArgument("conflicting_events", "needs two to " + MAX_CONFLICTING + " events");
    }
    List<Violation> bad = new ArrayList<>();
    for (int i = 0; i < r.getConflictingEventsCount(); i++) {
      for (Violation v : EventRules.content(r.getConflictingEvents(i))) {
        bad.add(new Violation("conflicting_events[" + i + "]." + v.field(), v.description()));
      }
    }
    Texts.collect(bad, Texts.id("requesting_agent_id", r.getRequestingAgentId()));
    if (r.getResolutionContext().size() > 64 * 1024) {
      bad.add(new Violation("resolution_context", "larger than 65536 bytes"));
    }
    InputRefused.throwIfAny(bad);
    ConflictStrategy s = r.getResolutionStrategy();
    if (s == ConflictStrategy.UNRECOGNIZED) {
      throw GrpcErrors.invalidArgument("resolution_strategy", "unknown strategy");
    }
    if (s == ConflictStrategy.AGENT_VOTE || s == ConflictStrategy.MASTER_DECIDES) {
      return forwardToMaster(r, masterAddress);
    }
    return switch (ConflictResolution.resolve(s, r.getConflictingEventsList())) {
      case ConflictResolution.Outcome.Winner w -> w.event();
      case ConflictResolution.Outcome.Undecidable u ->
          throw GrpcErrors.failedPrecondition("UNDECIDABLE", s.name(), u.reason());
    };
  }

  private static SovereignFinancialEvent forwardToMaster(ConflictResolutionRequest r, String masterAddress) {
    if (masterAddress == null || masterAddress.isBlank()) {
      throw GrpcErrors.failedPrecondition("NO_MASTER", r.getResolutionStrategy().name(),
          r.getResolutionStrategy() + " needs a master agent and none is configured (DCS_MASTER_ADDRESS is unset)");
    }
    ManagedChannel ch = ManagedChannelBuilder.forTarget(masterAddress).usePlaintext().build();
    try {
      return AccountingSwarmProtocolGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
          .resolveLedgerConflict(r);
    } catch (StatusRuntimeException e) {
      throw GrpcErrors.unavailable("the master agent at " + masterAddress + " did not decide: "
          + e.getStatus().getCode());
    } finally {
      ch.shutdownNow();
    }
  }
}
