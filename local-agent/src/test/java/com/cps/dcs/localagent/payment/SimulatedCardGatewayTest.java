package com.cps.dcs.localagent.payment;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.proto.pos.v1.TenderMethod;
import org.junit.jupiter.api.Test;

class SimulatedCardGatewayTest {
  private final SimulatedCardGateway gateway = new SimulatedCardGateway();

  @Test
  void givenATokenEndingIn0002WhenAuthorizingThenDeclined() {
    PaymentPort.Result r = gateway.authorize(TenderMethod.TENDER_CARD, "tok_4000000000000002", 1299, "EUR", "c-1");
    assertThat(r).isInstanceOf(PaymentPort.Result.Declined.class);
    assertThat(((PaymentPort.Result.Declined) r).code()).isEqualTo("INSUFFICIENT_FUNDS");
  }

  @Test
  void givenATokenEndingIn0119WhenAuthorizingThenTheGatewayIsUnavailable() {
    assertThat(gateway.authorize(TenderMethod.TENDER_MOBILE, "tok_4000000000000119", 500, "EUR", "c-2"))
        .isInstanceOf(PaymentPort.Result.Unavailable.class);
  }

  @Test
  void givenAnyOtherTokenThenApprovedWithACodeThatIsTheSameOnRetryAndDiffersPerReference() {
    PaymentPort.Result first = gateway.authorize(TenderMethod.TENDER_CARD, "tok_4242", 1299, "EUR", "c-3");
    PaymentPort.Result retry = gateway.authorize(TenderMethod.TENDER_CARD, "tok_4242", 1299, "EUR", "c-3");
    PaymentPort.Result other = gateway.authorize(TenderMethod.TENDER_CARD, "tok_4242", 1299, "EUR", "c-4");
    assertThat(first).isInstanceOf(PaymentPort.Result.Approved.class).isEqualTo(retry).isNotEqualTo(other);
    String code = ((PaymentPort.Result.Approved) first).authorizationCode();
    assertThat(code).startsWith("SIM-");
    assertThat(gateway.capture(code, 1299, "c-3")).isEqualTo(new PaymentPort.Result.Approved(code));
    assertThat(gateway.refund(code, 1299, "r-1")).isEqualTo(new PaymentPort.Result.Approved(code + "-R"));
  }
}
