package com.cps.dcs.service.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BootstrapAdminTest {
  static final String SECRET = "Zq3v8LwYp2Rk7TnXc5Hd9JmBs4Gf6Ua1"; // 32 characters

  @Test
  void aSecretShorterThan32CharactersStopsTheServiceWithAClearError() {
    String short31 = SECRET.substring(1);
    assertThatThrownBy(() -> new BootstrapAdmin(short31)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DCS_ADMIN_TOKEN").hasMessageContaining("at least 32").hasMessageContaining("has 31")
        .message().doesNotContain(short31);
    assertThatThrownBy(() -> BootstrapAdmin.fromEnvironment(Map.of("DCS_ADMIN_TOKEN", "changeme")))
        .hasMessageContaining("at least 32");
    assertThatThrownBy(() -> new BootstrapAdmin(" ".repeat(40))).hasMessageContaining("visible ASCII");
    assertThatThrownBy(() -> new BootstrapAdmin(SECRET + "\u00e9")).hasMessageContaining("visible ASCII");
    assertThatThrownBy(() -> new BootstrapAdmin("x".repeat(BootstrapAdmin.MAX_CHARS + 1)))
        .hasMessageContaining("at most");
  }

  @Test
  void theRightSecretIsAcceptedAndNearMissesAreNot() {
    BootstrapAdmin admin = new BootstrapAdmin(SECRET);
    assertThat(admin.matches(SECRET)).isTrue();
    assertThat(admin.matches(new String(SECRET.toCharArray()))).isTrue();
    char last = SECRET.charAt(SECRET.length() - 1);
    assertThat(admin.matches(SECRET.substring(0, SECRET.length() - 1) + (char) (last + 1))).isFalse();
    assertThat(admin.matches(SECRET.substring(0, SECRET.length() - 1))).isFalse();
    assertThat(admin.matches(SECRET + "a")).isFalse();
    assertThat(admin.matches(SECRET.toLowerCase())).isFalse();
    assertThat(admin.matches((char) (SECRET.charAt(0) + 1) + SECRET.substring(1))).isFalse();
    assertThat(admin.matches("")).isFalse();
    assertThat(admin.matches(null)).isFalse();
  }

  @Test
  void unsetOrEmptyMeansNoBootstrapAdmin() {
    assertThat(BootstrapAdmin.fromEnvironment(Map.of())).isEmpty();
    assertThat(BootstrapAdmin.fromEnvironment(Map.of("DCS_ADMIN_TOKEN", ""))).isEmpty();
    assertThat(BootstrapAdmin.fromEnvironment(Map.of("DCS_ADMIN_TOKEN", SECRET)).orElseThrow().matches(SECRET))
        .isTrue();
  }

  @Test
  void theSecretNeverShowsInText() {
    assertThat(new BootstrapAdmin(SECRET).toString()).doesNotContain(SECRET);
  }
}
