package com.cps.dcs.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebExposureTest {
  static WebExposure of(Map<String, String> env, String... defaults) {
    return WebExposure.from(env::get, List.of(defaults));
  }

  @Test
  void unsetMeansTheServicesDefaultsWithReflectionAndDocs() {
    WebExposure w = of(Map.of(), "http://localhost:3001");
    assertThat(w.corsOrigins()).containsExactly("http://localhost:3001");
    assertThat(w.anyOrigin()).isFalse();
    assertThat(w.reflection()).isTrue();
    assertThat(w.docs()).isTrue();
  }

  @Test
  void aListNoneOrAnyAndTheSwitches() {
    assertThat(of(Map.of(WebExposure.CORS, " https://POS.example.com , http://10.0.0.5:8080 ")).corsOrigins())
        .containsExactly("https://pos.example.com", "http://10.0.0.5:8080");
    assertThat(of(Map.of(WebExposure.CORS, "none"), "http://localhost:3001").corsOrigins()).isEmpty();
    assertThat(of(Map.of(WebExposure.CORS, "*")).anyOrigin()).isTrue();
    WebExposure off = of(Map.of(WebExposure.REFLECTION, "false", WebExposure.DOCS, "FALSE"));
    assertThat(off.reflection()).isFalse();
    assertThat(off.docs()).isFalse();
  }

  @Test
  void whatIsNotAnOriginOrAFlagIsRefusedNamingTheSetting() {
    for (String bad : new String[] {"localhost:3001", "ftp://x", "http://x/path", "http://x?q", "http://u@x",
        "https://", "javascript:alert(1)"}) {
      assertThatThrownBy(() -> of(Map.of(WebExposure.CORS, bad))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(WebExposure.CORS);
    }
    assertThatThrownBy(() -> of(Map.of(WebExposure.REFLECTION, "yes"))).hasMessageContaining(WebExposure.REFLECTION);
    String many = String.join(",", java.util.Collections.nCopies(WebExposure.MAX_ORIGINS + 1, "http://a.example"));
    assertThatThrownBy(() -> of(Map.of(WebExposure.CORS, many))).hasMessageContaining("more than");
  }
}
