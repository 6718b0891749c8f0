package com.cps.dcs.kernel.hash;

import com.cps.dcs.proto.v4.EventType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Deterministic idempotency keys: SHA-256 (hex) over a length-prefixed encoding of the business content, so a retry
 * of the same business action always carries the same key and two different actions never share one.
 */
public final class IdempotencyKeys {
  private IdempotencyKeys() {}

  /**
   * The key of one event of a business action.
   *
   * @param naturalKey what makes the action unique for its caller, e.g. the POS checkout id plus the step name
   */
  public static String of(
      String tenant,
      String branch,
      String streamId,
      EventType type,
      long amountMinor,
      String currency,
      String correlationId,
      String naturalKey) {
    MessageDigest md = Sha256.newDigest();
    md.update("dcs-idempotency-v1".getBytes(StandardCharsets.US_ASCII));
    for (String s : new String[] {tenant, branch, streamId}) {
      put(md, s);
    }
    md.update(ByteBuffer.allocate(12).putInt(type.getNumber()).putLong(amountMinor).array());
    put(md, currency);
    put(md, correlationId);
    put(md, naturalKey);
    return Sha256.hex(md.digest());
  }

  private static void put(MessageDigest md, String s) {
    byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    md.update(ByteBuffer.allocate(4).putInt(b.length).array());
    md.update(b);
  }
}
