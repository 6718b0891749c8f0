package com.cps.dcs.service.config;

import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a service when the process that launched it is gone, if that process asked for it with
 * {@code DCS_PARENT_PID}. A supervisor (the suite's {@code ./dcs run}) stops its services with SIGTERM when it stops
 * normally; killed with SIGKILL it cannot, and its services would run on, holding their ports. With the watch they
 * stop as on SIGTERM (shutdown hooks run, so a graceful stop). Without the variable nothing is watched: a service
 * started from a shell keeps running after the shell exits.
 */
public final class ParentWatch {
  private static final Logger log = LoggerFactory.getLogger(ParentWatch.class);
  public static final String VARIABLE = "DCS_PARENT_PID";

  private ParentWatch() {}

  /**
   * Starts watching the process named by {@code DCS_PARENT_PID}, if set; returns its pid. A parent already gone
   * ends this process at once.
   *
   * @throws IllegalArgumentException when the variable is set but is not a process id
   */
  public static Optional<Long> fromEnvironment(Map<String, String> env) {
    String v = env.get(VARIABLE);
    if (v == null || v.isBlank()) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(VARIABLE + " must be a process id, was '" + v + "'");
    }
    if (pid == ProcessHandle.current().pid()) {
      throw new IllegalArgumentException(VARIABLE + " names this process itself (" + pid + "), not its launcher");
    }
    Optional<ProcessHandle> parent = ProcessHandle.of(pid);
    if (parent.isEmpty() || !parent.get().isAlive()) {
      log.warn("the launching process {} is gone; stopping", pid);
      exit();
      return Optional.of(pid);
    }
    parent.get().onExit().thenRun(() -> {
      log.warn("the launching process {} is gone; stopping", pid);
      exit();
    });
    return Optional.of(pid);
  }

  private static void exit() {
    // Not on the thread that noticed: System.exit waits for the shutdown hooks, which may need that thread's pool.
    Thread t = new Thread(() -> System.exit(0), "parent-gone-exit");
    t.setDaemon(false);
    t.start();
  }
}
