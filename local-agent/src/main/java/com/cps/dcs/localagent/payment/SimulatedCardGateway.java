package com.cps.dcs.localagent.payment;

import com.cps.dcs.kernel.hash.Sha256;
import com.cps.dcs.proto.pos.v1.TenderMethod;
import java.nio.charset.StandardCharsets;

/**
 * A deterministic stand-in for a card acquirer, so tills and tests behave the same every time. It is the only
 * payment gateway this build ships with, and says so: {@code processing_node} reads "simulator". Rules, by the
 * token's last four characters: {@code 0002} declines ("insufficient funds"), {@code 0119} fails as an unreachable
 * gateway, anything else approves. Authorization codes are a hash of token, amount and reference, so a retry gets
 * the same code. Cash never reaches it.
 */
public final class SimulatedCardGateway implements PaymentPort {

  @Override
  public Result authorize(TenderMethod method, String token, long amountMinor, String currency, String reference) {
    if (token.endsWith("0002")) {
      return new Result.Declined("INSUFFICIENT_FUNDS", "card declined: insufficient funds");
    }
    if (token.endsWith("0119")) {
      return new Result.Unavailable("the card gateway did not answer");
    }
    String code = Sha256.hex(Sha256.digest((method + "|" + token + "|" + amountMinor + "|" + currency + "|"
        + reference).getBytes(StandardCharsets.UTF_8))).substring(0, 10).toUpperCase();
    return new Result.Approved("SIM-" + code);
  }

  @Override
  public Result capture(String authorizationCode, long amountMinor, String reference) {
    return new Result.Approved(authorizationCode);
  }

  @Override
  public Result refund(String authorizationCode, long amountMinor, String reference) {
    return new Result.Approved(authorizationCode + "-R");
  }
}
