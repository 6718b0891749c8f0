package com.cps.dcs.localagent.swarm;

import com.cps.dcs.service.grpc.GrpcErrors;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque page cursors over the log's sequence: pages stay correct while events are appended, because new events
 * only ever get higher sequence numbers.
 */
final class Cursors {
  private Cursors() {}

  static String encode(long seq) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(("seq:" + seq).getBytes(StandardCharsets.UTF_8));
  }

  static long decode(String cursor) {
    if (cursor.isEmpty()) {
      return 0;
    }
    try {
      String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (!s.startsWith("seq:")) {
        throw new IllegalArgumentException();
      }
      long seq = Long.parseLong(s.substring(4));
      if (seq < 0) {
        throw new IllegalArgumentException();
      }
      return seq;
    } catch (IllegalArgumentException e) {
      throw GrpcErrors.invalidArgument("cursor", "is not a cursor returned by this agent");
    }
  }
}
