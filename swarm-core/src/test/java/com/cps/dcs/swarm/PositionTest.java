package com.cps.dcs.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.kernel.refusal.Refusal;
import com.cps.dcs.kernel.refusal.RefusedException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PositionTest {
  @Test
  void aCursorStandsForItsPositionAndNoCursorForTheStart() {
    Position p = new Position(12_345_678_901L, 7);
    assertThat(Position.ofCursor(p.cursor())).isEqualTo(p);
    assertThat(Position.ofCursor("")).isEqualTo(Position.START);
    assertThat(new Position(3, 0)).isGreaterThan(new Position(2, 99)).isGreaterThan(Position.START);
  }

  @Test
  void anythingElseIsRefusedNamingTheCursor() {
    for (String bad : new String[] {"%%%", b64("seq:10"), b64("pos:1"), b64("pos:-4:0"), b64("pos:1:x"),
        b64("pos:99999999999999999999:0")}) {
      assertThatThrownBy(() -> Position.ofCursor(bad)).isInstanceOfSatisfying(RefusedException.class, e ->
          assertThat(((Refusal.Invalid) e.refusal()).violations().get(0).field()).isEqualTo("cursor"));
    }
  }

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
