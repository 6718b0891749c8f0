package com.cps.dcs.swarm;

import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.refusal.RefusedException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where an event sits in a tier's commit order: a branch's log sequence ({@code index}, {@code pos} 0), a region's
 * Raft index and position in the entry. Positions only grow as events are committed, so a reader that follows them
 * sees every event once: pages stay correct while events arrive, and a subscription has no gap or duplicate at the
 * seam between history and live.
 */
public record Position(long index, int pos) implements Comparable<Position> {
  /** Before every event. */
  public static final Position START = new Position(0, -1);

  @Override
  public int compareTo(Position o) {
    int c = Long.compare(index, o.index);
    return c != 0 ? c : Integer.compare(pos, o.pos);
  }

  /** The opaque page cursor for reading on after this position. */
  public String cursor() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(("pos:" + index + ":" + pos)
        .getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The position a cursor returned by {@link #cursor} stands for; {@link #START} for none.
   *
   * @throws RefusedException naming {@code cursor} when it is not one
   */
  public static Position ofCursor(String cursor) {
    if (cursor.isEmpty()) {
      return START;
    }
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(":");
      if (parts.length != 3 || !parts[0].equals("pos")) {
        throw new IllegalArgumentException();
      }
      long index = Long.parseLong(parts[1]);
      int pos = Integer.parseInt(parts[2]);
      if (index < 0 || pos < -1) {
        throw new IllegalArgumentException();
      }
      return new Position(index, pos);
    } catch (IllegalArgumentException e) {
      throw new RefusedException(Refusal.Invalid.of("cursor", "is not a cursor returned by this service"));
    }
  }
}
