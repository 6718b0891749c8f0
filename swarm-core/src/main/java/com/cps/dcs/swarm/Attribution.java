package com.cps.dcs.swarm;

import com.cps.dcs.kernel.auth.Role;
import com.cps.dcs.kernel.validation.Texts;
import com.cps.dcs.proto.v4.SovereignFinancialEvent;
import com.cps.dcs.service.auth.Caller;
import java.util.Optional;

/**
 * Who a client's draft says created and approved it is who called, whatever the request says: {@code created_by} is
 * the caller, and an approval stands only as the caller's own, when the caller may approve (a manager or an admin);
 * a request naming another approver is not refused, the approval is replaced by what the credential proves. A
 * well-formed value is replaced; a missing or malformed one is left for the draft's rules to refuse. Sealed events
 * keep theirs: their agent signed them.
 */
final class Attribution {
  private Attribution() {}

  static SovereignFinancialEvent of(SovereignFinancialEvent draft, Optional<Caller> caller) {
    if (caller.isEmpty()) {
      return draft; // a server without caller checks (its tests): the request says who
    }
    if (Texts.requiredId("created_by", draft.getCreatedBy()) != null
        || Texts.id("approved_by", draft.getApprovedBy()) != null) {
      return draft; // malformed or missing: refused as bad input by the draft's own rules, not papered over
    }
    Caller c = caller.get();
    boolean mayApprove = c.roles().contains(Role.MANAGER) || c.roles().contains(Role.ADMIN);
    SovereignFinancialEvent.Builder b = draft.toBuilder().setCreatedBy(c.subject());
    if (!draft.getApprovedBy().isEmpty()) {
      b.setApprovedBy(mayApprove ? c.subject() : "");
    }
    return b.build();
  }
}
