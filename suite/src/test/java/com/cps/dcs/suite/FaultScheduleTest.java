package com.cps.dcs.suite;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.suite.FaultSchedule.KillBranch;
import com.cps.dcs.suite.FaultSchedule.KillRegionNode;
import com.cps.dcs.suite.FaultSchedule.RestartBranch;
import com.cps.dcs.suite.FaultSchedule.RestartRegionNode;
import com.cps.dcs.suite.FaultSchedule.Sell;
import com.cps.dcs.suite.FaultSchedule.Step;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {

  @Test
  void theSameSeedGivesTheSameScheduleAndAnotherSeedAnother() {
    assertThat(FaultSchedule.generate(42, 30)).isEqualTo(FaultSchedule.generate(42, 30));
    assertThat(FaultSchedule.generate(42, 30).toString()).isEqualTo(FaultSchedule.generate(42, 30).toString());
    assertThat(FaultSchedule.generate(43, 30)).isNotEqualTo(FaultSchedule.generate(42, 30));
  }

  @Test
  void aScheduleOnlyDescribesAPossibleWorld() {
    for (long seed = 0; seed < 500; seed++) {
      FaultSchedule s = FaultSchedule.generate(seed, 40);
      assertThat(s.steps()).hasSize(40);
      boolean[] up = {true, true};
      boolean nodeDown = false;
      for (Step step : s.steps()) {
        switch (step) {
          case Sell x -> assertThat(up[x.branch()]).as("seed %d sells at a running branch", seed).isTrue();
          case KillBranch x -> {
            assertThat(up[x.branch()]).isTrue();
            up[x.branch()] = false;
          }
          case RestartBranch x -> {
            assertThat(up[x.branch()]).isFalse();
            up[x.branch()] = true;
          }
          case KillRegionNode x -> {
            assertThat(nodeDown).as("seed %d never takes two regional nodes down", seed).isFalse();
            nodeDown = true;
          }
          case RestartRegionNode x -> {
            assertThat(nodeDown).isTrue();
            nodeDown = false;
          }
          default -> { }
        }
      }
    }
  }

  @Test
  void seedsCoverEveryKindOfStep() {
    Set<Class<?>> kinds = new HashSet<>();
    for (long seed = 0; seed < 20; seed++) {
      FaultSchedule.generate(seed, 12).steps().forEach(st -> kinds.add(st.getClass()));
    }
    assertThat(kinds).hasSize(10);
  }
}
