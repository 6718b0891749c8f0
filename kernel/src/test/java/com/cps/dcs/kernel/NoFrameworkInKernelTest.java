package com.cps.dcs.kernel;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The kernel is plain Java: no Spring, no JDBC, no network transport, no wall clock read behind callers' backs. */
class NoFrameworkInKernelTest {
  private final JavaClasses kernel = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("com.cps.dcs.kernel");

  @Test
  void noSpringJdbcGrpcTransportOrKafka() {
    noClasses().should().dependOnClassesThat()
        .resideInAnyPackage("org.springframework..", "java.sql..", "io.grpc..", "org.apache.kafka..",
            "org.apache.ratis..", "com.linecorp..")
        .check(kernel);
  }

  @Test
  void timeComesFromAnInjectedSource() {
    noClasses().that().resideOutsideOfPackage("com.cps.dcs.kernel.id")
        .should().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(java.time.Instant.class, "now")
        .check(kernel);
  }
}
