package com.cps.dcs.suite;

import static org.assertj.core.api.Assertions.assertThat;

import com.cps.dcs.testsupport.BootJars;
import com.cps.dcs.testsupport.ChildJvm;
import com.cps.dcs.testsupport.TempDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The packaged local agent, extracted as the tests and {@code ./dcs run} run it, still runs; and only once. */
class BootJarsIT {
  @Test
  void aServiceJarIsExtractedOnceRunsFromItsThinJarAndIsExtractedAgainWhenRebuilt() throws Exception {
    Path work = TempDirs.create("boot-jars");
    Path jar = work.resolve("local-agent.jar");
    Files.copy(SyncWorld.AGENT_JAR, jar, StandardCopyOption.COPY_ATTRIBUTES);
    assertThat(BootJars.isBootJar(jar)).isTrue();
    Path dir = work.resolve("extracted");

    Path app = BootJars.extracted(jar, dir);
    assertThat(app).isEqualTo(dir.resolve("local-agent.jar"));
    try (JarFile thin = new JarFile(app.toFile())) {
      Attributes main = thin.getManifest().getMainAttributes();
      assertThat(main.getValue("Main-Class")).isEqualTo("com.cps.dcs.localagent.LocalAgentApplication");
      assertThat(Arrays.stream(main.getValue("Class-Path").split(" ")).map(dir::resolve))
          .isNotEmpty().allMatch(Files::isRegularFile);
      assertThat(thin.getEntry("BOOT-INF/lib/")).isNull();
    }
    assertThat(BootJars.isBootJar(app)).as("the thin jar runs without Spring Boot's launcher").isFalse();

    Path data = work.resolve("data");
    Path log = work.resolve("verify.log");
    try (ChildJvm verify = ChildJvm.builder().jar(app).arg("verify-chain").env("DCS_DATA_DIR", data.toString())
        .logTo(log).start()) {
      verify.awaitLogLine("hash chain (intact|BROKEN)", Duration.ofSeconds(60));
    }
    assertThat(Files.readString(log)).contains("hash chain intact: 0 events");

    FileTime first = extractedAt(dir);
    assertThat(BootJars.extracted(jar, dir)).isEqualTo(app);
    assertThat(extractedAt(dir)).as("an unchanged jar is not extracted again").isEqualTo(first);

    Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
    assertThat(BootJars.extracted(jar, dir)).isEqualTo(app);
    assertThat(extractedAt(dir)).as("a rebuilt jar is extracted again").isNotEqualTo(first);
    assertThat(Files.isRegularFile(app)).isTrue();
  }

  private static FileTime extractedAt(Path dir) throws IOException {
    return Files.getLastModifiedTime(dir.resolve(".extracted-from"));
  }
}
