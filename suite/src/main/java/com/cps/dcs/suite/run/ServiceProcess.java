package com.cps.dcs.suite.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service of the suite as a child process (a jar in its own JVM): its console appended to a log file, restarted
 * when it exits on its own (up to {@value #MAX_RESTARTS} times), stopped with SIGTERM and, after a grace period,
 * SIGKILL. Unlike test-support's {@code ChildJvm} (which kills its children outright at exit, right for tests), this
 * one stops gracefully and is supervised.
 */
final class ServiceProcess {
  private static final Logger log = LoggerFactory.getLogger(ServiceProcess.class);
  static final int MAX_RESTARTS = 5;

  final String name;
  private final List<String> command;
  private final Map<String, String> env;
  final Path logFile;
  private volatile Process process;
  private volatile boolean stopping;
  private volatile long logStart;
  private int restarts;

  ServiceProcess(String name, Path jar, List<String> jvmOptions, List<String> args, Map<String, String> env,
      Path logFile) {
    this.name = name;
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", jar.toString()));
    cmd.addAll(args);
    this.command = List.copyOf(cmd);
    this.env = new LinkedHashMap<>(env);
    this.logFile = logFile;
  }

  synchronized void start() {
    try {
      Files.createDirectories(logFile.getParent());
      logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
      Files.writeString(logFile, "==== " + Instant.now() + " starting " + name + ": " + String.join(" ", command)
          + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      pb.environment().putAll(env);
      // The services end themselves if this launcher is killed outright (ParentWatch in service-support).
      pb.environment().put("DCS_PARENT_PID", String.valueOf(ProcessHandle.current().pid()));
      Process p = pb.start();
      process = p;
      p.onExit().thenAccept(this::exited);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  private void exited(Process p) {
    if (stopping || p != process) {
      return;
    }
    synchronized (this) {
      if (stopping) {
        return;
      }
      if (restarts >= MAX_RESTARTS) {
        log.error("{} exited (code {}) {} times; not restarting it. See {}", name, p.exitValue(), restarts + 1,
            logFile);
        return;
      }
      restarts++;
      log.warn("{} exited on its own (code {}); restarting it ({} of {}). See {}", name, p.exitValue(), restarts,
          MAX_RESTARTS, logFile);
    }
    try {
      Thread.sleep(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (!stopping) {
      start();
    }
  }

  boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  long pid() {
    Process p = process;
    return p == null ? -1 : p.pid();
  }

  /** Waits until a line logged since the last start matches {@code regex}; false if the process died first. */
  boolean awaitLogLine(String regex, Duration timeout) throws InterruptedException {
    Pattern pattern = Pattern.compile(regex);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (logSinceStart().lines().anyMatch(l -> pattern.matcher(l).find())) {
        return true;
      }
      if (!isAlive() && restarts >= MAX_RESTARTS) {
        return false;
      }
      Thread.sleep(200);
    }
    return false;
  }

  private String logSinceStart() {
    try {
      byte[] all = Files.readAllBytes(logFile);
      int from = (int) Math.min(logStart, all.length);
      return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** SIGTERM (the services stop promptly on it), SIGKILL after {@code grace}. Idempotent. */
  void beginStop() {
    stopping = true;
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroy();
    }
  }

  void awaitStopped(Duration grace) {
    Process p = process;
    if (p == null) {
      return;
    }
    try {
      if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("{} did not stop within {} s; killing it", name, grace.toSeconds());
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }
}
