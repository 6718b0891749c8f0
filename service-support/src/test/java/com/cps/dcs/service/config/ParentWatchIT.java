package com.cps.dcs.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real processes: a launcher JVM starts a service JVM that watches it; SIGKILL the launcher, the service ends. */
class ParentWatchIT {
  /** Stands for a service: watches its launcher, then waits forever. */
  public static final class Service {
    public static void main(String[] args) throws Exception {
      ParentWatch.fromEnvironment(System.getenv());
      System.out.println("watching");
      Thread.sleep(Long.MAX_VALUE); // stays up until ParentWatch ends this JVM: that ending is what the test waits for
    }
  }

  /** Stands for {@code ./dcs run}: starts the service with its own pid in DCS_PARENT_PID, prints the service's pid. */
  public static final class Launcher {
    public static void main(String[] args) throws Exception {
      ProcessBuilder pb = new ProcessBuilder(javaCommand(Service.class)).inheritIO();
      pb.environment().put(ParentWatch.VARIABLE, String.valueOf(ProcessHandle.current().pid()));
      Process service = pb.start();
      System.out.println("service " + service.pid());
      System.out.flush();
      service.waitFor();
    }
  }

  static List<String> javaCommand(Class<?> main) {
    return List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), main.getName());
  }

  @Test
  @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // never hang the build on a silent child
  void aServiceEndsWhenItsLauncherIsKilledOutright() throws Exception {
    Process launcher = new ProcessBuilder(javaCommand(Launcher.class)).redirectErrorStream(true).start();
    ProcessHandle service = null;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(launcher.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      boolean watching = false;
      while ((service == null || !watching) && (line = out.readLine()) != null) {
        if (line.startsWith("service ")) {
          service = ProcessHandle.of(Long.parseLong(line.substring(8).trim())).orElseThrow();
        }
        watching |= line.contains("watching");
      }
      assertThat(service).isNotNull();
      assertThat(service.isAlive()).isTrue();
      launcher.destroyForcibly(); // SIGKILL: the launcher runs no shutdown hook and stops nothing itself
      assertThat(launcher.waitFor(10, TimeUnit.SECONDS)).isTrue();
      service.onExit().get(30, TimeUnit.SECONDS);
      assertThat(service.isAlive()).isFalse();
    } finally {
      launcher.destroyForcibly();
      if (service != null) {
        service.destroyForcibly();
      }
    }
  }

  @Test
  void withoutTheVariableNothingIsWatched() {
    assertThat(ParentWatch.fromEnvironment(Map.of())).isEmpty();
    assertThat(ParentWatch.fromEnvironment(Map.of(ParentWatch.VARIABLE, " "))).isEmpty();
  }

  @Test
  void aLiveParentIsWatchedAndThisProcessGoesOn() {
    long parent = ProcessHandle.current().parent().orElseThrow().pid(); // the build, alive while this test runs
    assertThat(ParentWatch.fromEnvironment(Map.of(ParentWatch.VARIABLE, String.valueOf(parent))))
        .isEqualTo(Optional.of(parent));
  }

  @Test
  void refusesAValueThatIsNotAProcessId() {
    assertThatThrownBy(() -> ParentWatch.fromEnvironment(Map.of(ParentWatch.VARIABLE, "launcher")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DCS_PARENT_PID");
    String self = String.valueOf(ProcessHandle.current().pid());
    assertThatThrownBy(() -> ParentWatch.fromEnvironment(Map.of(ParentWatch.VARIABLE, self)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("itself");
  }
}
