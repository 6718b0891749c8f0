package com.cps.dcs.kernel.auth;

/** Signs claims into a token with the tenant's token key (the private half must be here). */
public final class TokenIssuer {
  private final String tenant;
  private final TokenKeys keys;

  public TokenIssuer(String tenant, TokenKeys keys) {
    if (!keys.canSign()) {
      throw new IllegalArgumentException("minting needs the token key pair, not its public key alone");
    }
    this.tenant = tenant;
    this.keys = keys;
  }

  public String tenant() {
    return tenant;
  }

  /** The token of {@code claims}, which must be of this issuer's tenant. */
  public String issue(TokenClaims claims) {
    if (!claims.tenant().equals(tenant)) {
      throw new IllegalArgumentException("this issuer mints tokens of tenant " + tenant + " only");
    }
    byte[] body = TokenCodec.encode(claims, keys.keyId());
    String token = TokenFormat.text(body, keys.sign(TokenFormat.signed(body)));
    if (token.length() > TokenFormat.MAX_TOKEN_CHARS) {
      throw new IllegalArgumentException("these claims make a token of " + token.length() + " characters, more than "
          + TokenFormat.MAX_TOKEN_CHARS + ": name fewer branches or event types");
    }
    return token;
  }
}
