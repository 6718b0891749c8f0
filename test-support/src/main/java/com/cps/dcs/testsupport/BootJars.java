package com.cps.dcs.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/**
 * Spring Boot executable jars, run from their extracted form: the application's classes in a thin jar whose manifest
 * names its libraries in {@code lib/}, loaded by the JDK's own class loader.
 *
 * <p>{@code java -jar service.jar} loads every class through Spring Boot's nested-jar class loader, and that loader
 * has concurrency faults under heavy parallel class loading at start (a service's gRPC, Raft, Kafka and web threads
 * all start at once): a node of ours died once with {@code NoClassDefFoundError} for a class that is in the jar.
 * Spring Boot's own advice for deployment is to extract the jar ({@code java -Djarmode=tools -jar service.jar
 * extract}), which also starts faster. The multi-process tests and {@code ./dcs run} do that, once per built jar.
 */
public final class BootJars {
  private static final String STAMP = ".extracted-from";

  private BootJars() {}

  /**
   * Whether {@code jar} is a Spring Boot executable jar, started by Boot's launcher (an extracted thin jar names the
   * Boot version too, but starts the application's own main class).
   */
  public static boolean isBootJar(Path jar) {
    try (JarFile f = new JarFile(jar.toFile())) {
      String main = f.getManifest() == null ? null : f.getManifest().getMainAttributes().getValue("Main-Class");
      return main != null && main.startsWith("org.springframework.boot.loader.");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The thin application jar of {@code jar} extracted into {@code dir} ({@code dir/<name>.jar} and {@code dir/lib}).
   * Extracted again only when {@code jar} changed since (size or modification time); the extraction runs into a
   * sibling directory that replaces {@code dir} when complete, under a file lock, so processes and threads that ask
   * at once agree on one result and none sees a half-written directory.
   */
  public static synchronized Path extracted(Path jar, Path dir) {
    Path app = dir.resolve(jar.getFileName().toString());
    try {
      Files.createDirectories(dir.toAbsolutePath().getParent());
      String source = jar.toAbsolutePath() + " " + Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis();
      Path lock = dir.resolveSibling(dir.getFileName() + ".lock");
      try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
           FileLock ignored = ch.lock()) {
        Path stamp = dir.resolve(STAMP);
        if (Files.isRegularFile(stamp) && Files.readString(stamp).equals(source) && Files.isRegularFile(app)) {
          return app;
        }
        Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
        TempDirs.deleteRecursively(tmp);
        extract(jar, tmp);
        Files.writeString(tmp.resolve(STAMP), source, StandardCharsets.UTF_8);
        TempDirs.deleteRecursively(dir);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      }
      return app;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract " + jar + " into " + dir, e);
    }
  }

  private static void extract(Path jar, Path into) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path log = Files.createTempFile("boot-extract-", ".log");
    try {
      Process p = new ProcessBuilder(List.of(java, "-Djarmode=tools", "-jar", jar.toString(), "extract",
          "--destination", into.toString())).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("extracting " + jar + " took over 120 s");
      }
      if (p.exitValue() != 0) {
        throw new IOException("extracting " + jar + " failed (exit " + p.exitValue() + "): " + Files.readString(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while extracting " + jar, e);
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
