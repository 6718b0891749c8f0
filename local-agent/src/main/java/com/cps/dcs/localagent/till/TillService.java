package com.cps.dcs.localagent.till;

import com.cps.dcs.kernel.crdt.OrSet;
import com.cps.dcs.kernel.hash.Sha256;
import com.cps.dcs.kernel.id.UuidV7;
import com.cps.dcs.kernel.validation.ExactSums;
import com.cps.dcs.localagent.sale.SaleFailure;
import com.cps.dcs.localagent.store.EventDraft;
import com.cps.dcs.localagent.store.LocalStore;
import com.cps.dcs.localagent.store.LocalTx;
import com.cps.dcs.proto.pos.v1.Role;
import com.cps.dcs.proto.pos.v1.SignInSession;
import com.cps.dcs.proto.pos.v1.StaffMember;
import com.cps.dcs.proto.pos.v1.TillCloseReport;
import com.cps.dcs.proto.pos.v1.TillSession;
import com.cps.dcs.proto.v4.EventFacts;
import com.cps.dcs.proto.v4.EventType;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Optional;

/**
 * Signing in (cashier id and PIN), sessions, and till sessions with their cash counts. The bearer token is random
 * and only its hash is stored. Wrong PINs at sign-in and in approvals count toward a lockout per (staff id, till)
 * with an increasing back-off ({@link PinAttempts}).
 */
public final class TillService {
  public static final String OPEN_SESSIONS = "sessions:open";
  static final String SESSIONS = "pos-sessions";
  static final String TILLS = "tills";
  static final String OPEN_TILL = "open-till";
  private static final Duration SESSION_TTL = Duration.ofHours(12);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final LocalStore store;
  private final InstantSource time;
  private final PinAttempts attempts;

  public TillService(LocalStore store, InstantSource time) {
    this.store = store;
    this.time = time;
    this.attempts = new PinAttempts(time);
  }

  /** A signed-in cashier: the token the POS holds and the session it stands for. */
  public record SignedIn(String token, SignInSession session, StaffMember staff) {}

  private static boolean pinMatches(Optional<StaffMember> staff, String pin) {
    if (staff.isEmpty()) {
      Staff.spendAsMuchAsAPinCheck(pin);
      return false;
    }
    return Staff.pinMatches(staff.get(), pin);
  }

  public SignedIn signIn(String cashierId, String pin, String tillId) {
    Instant now = time.instant();
    String till = tillId == null ? "" : tillId;
    Optional<StaffMember> staff = staff(cashierId);
    // An unknown id answers as slowly as a wrong PIN and locks like a known one: nothing tells them apart.
    if (!attempts.signIn(cashierId, staff.isPresent(), till, () -> pinMatches(staff, pin))) {
      throw new SecurityException("unknown cashier id or wrong PIN");
    }
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    SignInSession session = SignInSession.newBuilder().setTokenHash(hash(token)).setCashierId(cashierId)
        .setRole(staff.get().getRole()).setTillId(till)
        .setExpiresAt(ts(now.plus(SESSION_TTL))).build();
    store.transaction(tx -> {
      tx.putDocument(SESSIONS, session.getTokenHash(), session.toByteArray());
      return null;
    });
    return new SignedIn(token, session, staff.get());
  }

  public void signOut(String token) {
    SignInSession s = authenticate(token);
    store.transaction(tx -> {
      tx.putDocument(SESSIONS, s.getTokenHash(), s.toBuilder().setExpiresAt(ts(time.instant())).build()
          .toByteArray());
      return null;
    });
  }

  /**
   * @throws SecurityException when the token is unknown or expired
   */
  public SignInSession authenticate(String token) {
    if (token == null || token.isEmpty()) {
      throw new SecurityException("sign in first: session_token is missing");
    }
    SignInSession s = store.document(SESSIONS, hash(token)).map(TillService::parseSession)
        .orElseThrow(() -> new SecurityException("unknown session: sign in again"));
    if (!Instant.ofEpochSecond(s.getExpiresAt().getSeconds()).isAfter(time.instant())) {
      throw new SecurityException("the session has ended: sign in again");
    }
    return s;
  }

  /**
   * Checks a manager's id and PIN for an approval given at {@code tillId} (the till of the asking cashier's session);
   * returns the manager's id. Callers check everything else first, so the answer says nothing but "this PIN is
   * right or wrong"; a wrong one counts toward that manager's lockout at that till.
   */
  public String approveAsManager(String managerId, String pin, String tillId) {
    Optional<StaffMember> m = staff(managerId);
    if (!attempts.approval(managerId, m.isPresent(), tillId, () -> pinMatches(m, pin))) {
      throw new SecurityException("the approval's manager id or PIN is wrong");
    }
    // only someone who knows this staff member's PIN learns that they are not a manager
    if (m.get().getRole() != Role.ROLE_MANAGER) {
      throw new SaleFailure(SaleFailure.Kind.APPROVAL_REQUIRED, "approval", managerId + " is not a manager");
    }
    return managerId;
  }

  public Optional<StaffMember> staff(String cashierId) {
    return store.document(Staff.COLLECTION, cashierId).map(b -> {
      try {
        return StaffMember.parseFrom(b);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  public void putStaff(LocalTx tx, StaffMember m) {
    tx.putDocument(Staff.COLLECTION, m.getCashierId(), m.toByteArray());
  }

  public TillSession openTill(SignInSession s, String tillId, long openingCashMinor) {
    if (openingCashMinor < 0) {
      throw new SaleFailure(SaleFailure.Kind.INVALID, "opening_cash_minor", "must not be negative");
    }
    String till = tillId == null || tillId.isBlank() ? s.getTillId() : tillId;
    if (till.isBlank()) {
      throw new SaleFailure(SaleFailure.Kind.INVALID, "till_id", "is required");
    }
    return store.transaction(tx -> {
      Optional<TillSession> open = openTill(tx, s.getCashierId());
      if (open.isPresent()) {
        throw new SaleFailure(SaleFailure.Kind.PRECONDITION, "till",
            "till session " + open.get().getTillSessionId() + " is already open for " + s.getCashierId());
      }
      TillSession t = TillSession.newBuilder().setTillSessionId(UuidV7.next().toString()).setTillId(till)
          .setCashierId(s.getCashierId()).setOpeningCashMinor(openingCashMinor)
          .setExpectedCashMinor(openingCashMinor).setOpenedAt(ts(time.instant())).setOpen(true).build();
      tx.putDocument(TILLS, t.getTillSessionId(), t.toByteArray());
      tx.putDocument(OPEN_TILL, s.getCashierId(), t.getTillSessionId().getBytes(StandardCharsets.UTF_8));
      OrSet sessions = tx.crdt(OPEN_SESSIONS).map(c -> (OrSet) c).orElse(OrSet.empty());
      tx.putCrdt(OPEN_SESSIONS, sessions.add(t.getTillSessionId(), t.getTillSessionId(), tx.now()));
      return t;
    });
  }

  public Optional<TillSession> openTill(com.cps.dcs.localagent.store.StateView v, String cashierId) {
    return v.document(OPEN_TILL, cashierId).map(b -> new String(b, StandardCharsets.UTF_8))
        .filter(id -> !id.isEmpty())
        .flatMap(id -> v.document(TILLS, id)).map(TillService::parseTill).filter(TillSession::getOpen);
  }

  /** Records cash taken or paid out by a sale or refund in the till's session. */
  public void recordCash(LocalTx tx, String tillSessionId, long cashInMinor, long cashOutMinor, int sales) {
    TillSession t = tx.document(TILLS, tillSessionId).map(TillService::parseTill).orElseThrow();
    TillSession u = t.toBuilder().setCashSalesMinor(ExactSums.add("cash", t.getCashSalesMinor(), cashInMinor))
        .setCashRefundsMinor(ExactSums.add("cash", t.getCashRefundsMinor(), cashOutMinor))
        .setSaleCount(t.getSaleCount() + sales).setExpectedCashMinor(ExactSums.subtract("cash",
            ExactSums.add("cash", t.getExpectedCashMinor(), cashInMinor), cashOutMinor)).build();
    tx.putDocument(TILLS, tillSessionId, u.toByteArray());
  }

  public TillCloseReport closeTill(SignInSession s, long countedCashMinor) {
    if (countedCashMinor < 0) {
      throw new SaleFailure(SaleFailure.Kind.INVALID, "counted_cash_minor", "must not be negative");
    }
    return store.transaction(tx -> {
      TillSession t = openTill(tx, s.getCashierId()).orElseThrow(() -> new SaleFailure(
          SaleFailure.Kind.PRECONDITION, "till", "no till is open for " + s.getCashierId()));
      TillSession closed = t.toBuilder().setOpen(false).build();
      tx.putDocument(TILLS, t.getTillSessionId(), closed.toByteArray());
      tx.putDocument(OPEN_TILL, s.getCashierId(), new byte[0]);
      OrSet sessions = tx.crdt(OPEN_SESSIONS).map(c -> (OrSet) c).orElse(OrSet.empty());
      tx.putCrdt(OPEN_SESSIONS, sessions.remove(t.getTillSessionId(), tx.now()));
      long difference = ExactSums.subtract("counted_cash_minor", countedCashMinor, t.getExpectedCashMinor());
      tx.append(EventDraft.of("till-" + t.getTillSessionId(), EventType.END_OF_DAY_RECONCILIATION, countedCashMinor,
          store.currency(), EventFacts.newBuilder().setSessionId(t.getTillSessionId())
              .setReason("till close: expected " + t.getExpectedCashMinor() + ", counted " + countedCashMinor
                  + ", difference " + difference)
              .build(), new byte[0], s.getCashierId(), "close:" + t.getTillSessionId()));
      return TillCloseReport.newBuilder().setSession(closed).setExpectedCashMinor(t.getExpectedCashMinor())
          .setCountedCashMinor(countedCashMinor).setDifferenceMinor(difference).setClosedAt(ts(time.instant()))
          .build();
    });
  }

  static TillSession parseTill(byte[] b) {
    try {
      return TillSession.parseFrom(b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static SignInSession parseSession(byte[] b) {
    try {
      return SignInSession.parseFrom(b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hash(String token) {
    return Sha256.hex(Sha256.digest(token.getBytes(StandardCharsets.UTF_8)));
  }

  static Timestamp ts(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
