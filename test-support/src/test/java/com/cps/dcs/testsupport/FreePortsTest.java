package com.cps.dcs.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FreePortsTest {
  @Test
  void neverHandsOutTheSamePortTwice() {
    int[] ports = FreePorts.allocate(50);
    assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(50);
    assertThat(Arrays.stream(ports).allMatch(p -> p > 0 && p < 65536)).isTrue();
  }
}
