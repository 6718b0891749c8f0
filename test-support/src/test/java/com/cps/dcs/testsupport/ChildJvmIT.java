package com.cps.dcs.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChildJvmIT {
  @Test
  void aChildIsStartedAndKilledHardLeavingNothingBehind() {
    ChildJvm child = ChildJvm.builder().mainClass(Sleeper.class.getName())
        .logTo(TempDirs.create("child").resolve("sleeper.log")).start();
    child.awaitLogLine("sleeper ready", Duration.ofSeconds(30));
    long pid = child.pid();
    assertThat(ProcessHandle.of(pid)).isPresent();
    child.killHard();
    assertThat(child.isAlive()).isFalse();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }
}
