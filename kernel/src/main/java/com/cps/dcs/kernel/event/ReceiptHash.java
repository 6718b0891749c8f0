package com.cps.dcs.kernel.event;

import com.cps.dcs.kernel.hash.Sha256;
import java.nio.charset.StandardCharsets;

/** {@code AckResponse.receipt_hash}: SHA-256 (hex) of the event id followed by the decimal stream version. */
public final class ReceiptHash {
  private ReceiptHash() {}

  public static String of(String eventId, long streamVersion) {
    return Sha256.hex(Sha256.digest((eventId + streamVersion).getBytes(StandardCharsets.UTF_8)));
  }
}
