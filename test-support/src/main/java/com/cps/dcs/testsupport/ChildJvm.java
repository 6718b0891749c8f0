package com.cps.dcs.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A Java program in a separate process: an executable jar (a Spring Boot one from its extracted form) or a main class.
 * Started with the same {@code java} as the test, its output in a log file, and killed at JVM exit, so no test leaves
 * a process behind. {@link #killHard()} is
 * a SIGKILL, for crash tests.
 */
public final class ChildJvm implements AutoCloseable {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "child-jvm-kill"));
  }

  private final Builder spec;
  private final Process process;

  private ChildJvm(Builder spec, Process process) {
    this.spec = spec;
    this.process = process;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** How test children run unless told otherwise: the serial collector, which is small and quick to start. */
  public static final List<String> TEST_TUNING = List.of("-XX:+UseSerialGC");

  /** What to run and how. */
  public static final class Builder {
    private List<String> tuning = TEST_TUNING;
    private Path jar;
    private String mainClass;
    private String classpath;
    // Every service a test starts accepts the tests' bootstrap admin, whose credential the fixtures' channels carry.
    private final Map<String, String> env = new LinkedHashMap<>(
        Map.of(TestCredentials.ADMIN_ENV, TestCredentials.ADMIN_TOKEN));
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private Path log;

    public Builder jar(Path jar) {
      this.jar = jar;
      return this;
    }

    public Builder mainClass(String mainClass, String classpath) {
      this.mainClass = mainClass;
      this.classpath = classpath;
      return this;
    }

    /** The main class on this test JVM's own class path. */
    public Builder mainClass(String mainClass) {
      return mainClass(mainClass, System.getProperty("java.class.path"));
    }

    public Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    /**
     * The collector and compiler options, {@link #TEST_TUNING} unless replaced (an empty list: the JVM's own
     * choices, as a deployment runs it; a benchmark wants those).
     */
    public Builder tuning(List<String> options) {
      this.tuning = List.copyOf(options);
      return this;
    }

    public Builder jvmArg(String arg) {
      jvmArgs.add(arg);
      return this;
    }

    public Builder arg(String arg) {
      args.add(arg);
      return this;
    }

    public Builder logTo(Path log) {
      this.log = log;
      return this;
    }

    public ChildJvm start() {
      String java = ProcessHandle.current().info().command().orElse("java");
      List<String> cmd = new ArrayList<>(List.of(java));
      cmd.addAll(tuning);
      cmd.add("-Xshare:auto");
      cmd.addAll(jvmArgs);
      if (jar != null) {
        cmd.addAll(List.of("-jar", runnable(jar).toString()));
      } else {
        cmd.addAll(List.of("-cp", classpath, mainClass));
      }
      cmd.addAll(args);
      try {
        if (log == null) {
          log = Files.createTempFile("child-jvm-", ".log");
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        LIVE.add(p);
        return new ChildJvm(this, p);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + cmd, e);
      }
    }
  }

  /**
   * What runs for {@code jar}: a Spring Boot jar in its extracted form ({@link BootJars}), extracted once per build
   * into {@code extracted/<name>/} beside it; any other jar as it is.
   */
  static Path runnable(Path jar) {
    if (!BootJars.isBootJar(jar)) {
      return jar;
    }
    String name = jar.getFileName().toString().replaceFirst("\\.jar$", "");
    return BootJars.extracted(jar, jar.toAbsolutePath().getParent().resolve("extracted").resolve(name));
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return spec.log;
  }

  /** SIGKILL: the process gets no chance to flush or clean up. */
  public void killHard() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /** SIGTERM, then SIGKILL if it has not exited within 20 s. */
  public void stop() {
    process.destroy();
    if (!awaitExit(Duration.ofSeconds(20))) {
      killHard();
    }
  }

  private boolean awaitExit(Duration timeout) {
    try {
      boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (exited) {
        LIVE.remove(process);
      }
      return exited;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Waits until a line of the log matches {@code regex}; fails early if the process dies. */
  public void awaitLogLine(String regex, Duration timeout) {
    Pattern p = Pattern.compile(regex);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (Files.exists(spec.log) && Files.readAllLines(spec.log).stream().anyMatch(l -> p.matcher(l).find())) {
          return;
        }
      } catch (IOException | UncheckedIOException e) {
        // the file is being written; read again
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("process exited (" + process.exitValue() + ") before logging /" + regex
            + "/; see " + spec.log);
      }
      try {
        Thread.sleep(100); // polling interval
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("no log line /" + regex + "/ within " + timeout + "; see " + spec.log);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop();
    }
  }
}
