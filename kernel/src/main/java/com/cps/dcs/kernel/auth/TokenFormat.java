package com.cps.dcs.kernel.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The text form of a token: {@code dcs1.<claims>.<signature>}, both parts base64url without padding; the signature
 * (ECDSA P-256, DER) covers a domain label and the claims' bytes ({@link TokenCodec}). At most
 * {@value #MAX_TOKEN_CHARS} characters, refused before anything is decoded.
 */
final class TokenFormat {
  static final String PREFIX = "dcs1.";
  static final int MAX_TOKEN_CHARS = 4096;
  /** A DER P-256 signature is at most 72 bytes. */
  static final int MAX_SIGNATURE_BYTES = 72;
  private static final byte[] DOMAIN = "cps-dcs bearer token v1\0".getBytes(StandardCharsets.US_ASCII);
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private TokenFormat() {}

  static String text(byte[] body, byte[] signature) {
    return PREFIX + ENCODER.encodeToString(body) + "." + ENCODER.encodeToString(signature);
  }

  /** What the signature covers: the domain label, then the claims. */
  static byte[] signed(byte[] body) {
    byte[] out = new byte[DOMAIN.length + body.length];
    System.arraycopy(DOMAIN, 0, out, 0, DOMAIN.length);
    System.arraycopy(body, 0, out, DOMAIN.length, body.length);
    return out;
  }

  /** The two decoded parts, claims then signature; MALFORMED unless the text is exactly of the token's form. */
  static byte[][] parts(String token) {
    if (token == null || token.length() > MAX_TOKEN_CHARS || !token.startsWith(PREFIX)) {
      throw malformed();
    }
    int dot = token.indexOf('.', PREFIX.length());
    if (dot < 0 || token.indexOf('.', dot + 1) >= 0) {
      throw malformed();
    }
    byte[] body = decode(token.substring(PREFIX.length(), dot));
    byte[] signature = decode(token.substring(dot + 1));
    if (signature.length == 0 || signature.length > MAX_SIGNATURE_BYTES) {
      throw malformed();
    }
    return new byte[][] {body, signature};
  }

  /** Canonical base64url only: the alphabet, no padding, and no stray bits (one text per byte string). */
  private static byte[] decode(String part) {
    if (part.isEmpty()) {
      throw malformed();
    }
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) {
        throw malformed();
      }
    }
    byte[] bytes;
    try {
      bytes = DECODER.decode(part);
    } catch (IllegalArgumentException e) {
      throw malformed();
    }
    if (!ENCODER.encodeToString(bytes).equals(part)) {
      throw malformed();
    }
    return bytes;
  }

  private static TokenRejected malformed() {
    return new TokenRejected(TokenRejected.Reason.MALFORMED);
  }
}
