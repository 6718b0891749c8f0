package com.cps.dcs.localagent.payment;

import com.cps.dcs.proto.pos.v1.TenderMethod;

/** Where card and mobile payments are authorized, captured and refunded. Idempotent per reference. */
public interface PaymentPort {

  /** The outcome of a payment operation. */
  sealed interface Result {
    record Approved(String authorizationCode) implements Result {}

    record Declined(String code, String message) implements Result {}

    record Unavailable(String message) implements Result {}
  }

  Result authorize(TenderMethod method, String token, long amountMinor, String currency, String reference);

  Result capture(String authorizationCode, long amountMinor, String reference);

  Result refund(String authorizationCode, long amountMinor, String reference);
}
