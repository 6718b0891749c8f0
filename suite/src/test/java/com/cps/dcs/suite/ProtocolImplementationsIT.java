package com.cps.dcs.suite;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each protocol has one implementation shared by every tier: across the production classes of every module, exactly
 * one class extends each generated {@code ImplBase} of the public protocols, and it lives in swarm-core.
 */
class ProtocolImplementationsIT {
  static final List<String> MODULES = List.of("swarm-core", "local-agent", "regional-agent", "master-agent",
      "query-service", "service-support", "event-store", "kernel");

  static JavaClasses production() {
    Path root = Path.of("..").toAbsolutePath().normalize();
    List<Path> dirs = MODULES.stream().map(m -> root.resolve(m).resolve("target/classes")).filter(Files::isDirectory)
        .toList();
    assertThat(dirs).as("built modules").extracting(p -> p.getParent().getParent().getFileName().toString())
        .contains("swarm-core", "local-agent", "regional-agent", "query-service");
    return new ClassFileImporter().importPaths(dirs);
  }

  static Stream<String> implementations(JavaClasses classes, String base) {
    return classes.stream().filter(c -> c.getRawSuperclass().map(JavaClass::getName).orElse("").equals(base))
        .map(JavaClass::getName);
  }

  @Test
  void exactlyOneAccountingSwarmProtocolAndOneQueryProtocolImplementation() {
    JavaClasses classes = production();
    assertThat(implementations(classes,
        "com.cps.dcs.proto.v4.AccountingSwarmProtocolGrpc$AccountingSwarmProtocolImplBase"))
        .containsExactly("com.cps.dcs.swarm.SwarmProtocolService");
    assertThat(implementations(classes, "com.cps.dcs.proto.v4.QueryProtocolGrpc$QueryProtocolImplBase"))
        .containsExactly("com.cps.dcs.swarm.query.QueryProtocolService");
  }
}
