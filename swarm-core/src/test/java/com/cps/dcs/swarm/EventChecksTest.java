package com.cps.dcs.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.kernel.auth.Role;
import com.cps.dcs.kernel.auth.TokenScope;
import com.cps.dcs.kernel.crypto.LocalKeyFiles;
import com.cps.dcs.kernel.event.EventVerifier;
import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.refusal.RefusedException;
import com.cps.dcs.kernel.validation.ClockBounds;
import com.cps.dcs.proto.v4.AgentMessage;
import com.cps.dcs.proto.v4.AgentRegistration;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.service.auth.Caller;
import com.cps.dcs.testsupport.BranchSigner;
import com.cps.dcs.testsupport.TempDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one set of incoming-event checks, per tier policy, against an in-memory directory. */
class EventChecksTest {
  static final String TENANT = "tenant-checks";
  final Path keys = TempDirs.create("event-checks");
  final Map<String, AgentRegistration> registered = new HashMap<>();
  final AgentDirectory directory = new AgentDirectory() {
    @Override
    public Optional<AgentRegistration> find(String agentId) {
      return Optional.ofNullable(registered.get(agentId));
    }

    @Override
    public boolean register(AgentRegistration r, long atMs) {
      return registered.putIfAbsent(r.getAgentId(), r) == null;
    }
  };
  final BranchSigner branch = new BranchSigner(keys, TENANT, "b-1", "agent-b-1");

  EventChecks checks(TierPolicy policy) {
    return new EventChecks(policy, directory, new EventVerifier(LocalKeyFiles.mac(keys, TENANT)),
        ClockBounds.withDrift(Duration.ofMinutes(1)), InstantSource.system());
  }

  void register(BranchSigner signer) throws Exception {
    AgentMessage hello = signer.registration();
    AgentRegistration reg = AgentRegistration.parseFrom(hello.getPayload());
    registered.put(reg.getAgentId(), reg);
  }

  static Refusal refusal(Runnable r) {
    try {
      r.run();
    } catch (RefusedException e) {
      return e.refusal();
    }
    throw new AssertionError("not refused");
  }

  @Test
  void aRegisteredAgentsSealedEventPassesAsItIs() throws Exception {
    register(branch);
    SovereignFinancialEvent e = branch.nextSale(1200);
    Incoming in = checks(TierPolicy.region(TENANT, "r-1", "EUR", "")).check(e, Intake.BROADCAST,
        Optional.empty());
    assertThat(in.draft()).isFalse();
    assertThat(in.event()).isSameAs(e);
  }

  @Test
  void aDraftIsTakenOnlyWhereTheTierCreatesEvents() {
    SovereignFinancialEvent draft = SovereignFinancialEvent.newBuilder().setStreamId("s").build();
    assertThat(checks(TierPolicy.branch(TENANT, "b-1", "agent-b-1", "EUR", "")).check(draft, Intake.BROADCAST,
        Optional.empty())
        .draft()).isTrue();
    Refusal r = refusal(() -> checks(TierPolicy.region(TENANT, "r-1", "EUR", "")).check(draft, Intake.BROADCAST,
        Optional.empty()));
    assertThat(r).isInstanceOf(Refusal.Invalid.class);
    assertThat(((Refusal.Invalid) r).violations().get(0).field()).isEqualTo("digital_signature");
  }

  @Test
  void anUnknownAgentAForgedEventAndAnotherBranchesEventAreUntrustedByName() throws Exception {
    EventChecks region = checks(TierPolicy.region(TENANT, "r-1", "EUR", ""));
    assertThat(refusal(() -> region.check(branch.nextSale(100), Intake.BROADCAST, Optional.empty())).reason())
        .isEqualTo(Refusal.Untrusted.UNKNOWN_AGENT);
    register(branch);
    SovereignFinancialEvent forged = branch.nextSale(100).toBuilder().setAmountMinor(99_999).setAmount(999.99)
        .build();
    assertThat(refusal(() -> region.check(forged, Intake.BROADCAST, Optional.empty())).reason())
        .isEqualTo(Refusal.Untrusted.FORGED_EVENT);
    SovereignFinancialEvent elsewhere = branch.nextSale(100, b -> b.setBranchId("b-2"));
    assertThat(refusal(() -> region.check(elsewhere, Intake.BROADCAST, Optional.empty())).reason())
        .isEqualTo(Refusal.Untrusted.WRONG_BRANCH);
  }

  @Test
  void syncedEventsMeetOnlyTheFutureBoundOfTheClocksAndStoredOnesOnlyAuthenticity() throws Exception {
    register(branch);
    long old = System.currentTimeMillis() - Duration.ofDays(90).toMillis();
    SovereignFinancialEvent months = branch.nextSale(100, b -> b.setTs(com.google.protobuf.Timestamp.newBuilder()
        .setSeconds(old / 1000)).setCausalContext(b.getCausalContext().toBuilder().setHlc(b.getCausalContext()
            .getHlc().toBuilder().setPhysicalMs(old))));
    EventChecks region = checks(TierPolicy.region(TENANT, "r-1", "EUR", ""));
    assertThat(refusal(() -> region.check(months, Intake.BROADCAST, Optional.empty())))
        .isInstanceOf(Refusal.Invalid.class);
    assertThat(region.check(months, Intake.SYNC, Optional.empty()).event()).isSameAs(months);
    assertThat(region.intact(months)).isTrue();
    assertThat(region.intact(months.toBuilder().setAmountMinor(1).build())).isFalse();
  }

  @Test
  void anotherTenantsEventIsInvalidNamingTheTenant() throws Exception {
    register(branch);
    BranchSigner foreign = new BranchSigner(keys, "tenant-other", "b-1", "agent-b-1");
    Refusal r = refusal(() -> checks(TierPolicy.region(TENANT, "r-1", "EUR", "")).check(foreign.nextSale(100),
        Intake.BROADCAST, Optional.empty()));
    assertThat(((Refusal.Invalid) r).violations().get(0).field()).isEqualTo("tenant_id");
  }

  @Test
  void aDraftIsAttributedToItsCallerAndAnApprovalStandsOnlyAsAManagersOwn() {
    SovereignFinancialEvent draft = SovereignFinancialEvent.newBuilder().setStreamId("s").setCreatedBy("mallory")
        .setApprovedBy("9001").build();
    EventChecks branch = checks(TierPolicy.branch(TENANT, "b-1", "agent-b-1", "EUR", ""));
    Caller erp = new Caller(TENANT, "erp-7", Set.of(Role.INTEGRATOR),
        TokenScope.integrator(Optional.of(List.of("b-1")), Optional.empty(), true), "t-1");
    SovereignFinancialEvent byErp = branch.check(draft, Intake.BROADCAST, Optional.of(erp)).event();
    assertThat(byErp.getCreatedBy()).isEqualTo("erp-7");
    assertThat(byErp.getApprovedBy()).isEmpty();
    Caller manager = new Caller(TENANT, "9002", Set.of(Role.MANAGER), TokenScope.branches(List.of("b-1")), "t-2");
    SovereignFinancialEvent byManager = branch.check(draft, Intake.BROADCAST, Optional.of(manager)).event();
    assertThat(byManager.getCreatedBy()).isEqualTo("9002");
    assertThat(byManager.getApprovedBy()).isEqualTo("9002");
    assertThat(branch.check(draft, Intake.BROADCAST, Optional.empty()).event()).isSameAs(draft);
  }
}
