package com.cps.dcs.eventstore;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** event-store is storage only: no Raft, no gRPC server or transport, no Spring, no Kafka, no service module. */
class EventStoreDependenciesTest {
  private final JavaClasses store = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("com.cps.dcs.eventstore");

  @Test
  void noRaftGrpcSpringKafkaOrServiceModule() {
    noClasses().should().dependOnClassesThat()
        .resideInAnyPackage("org.apache.ratis..", "io.grpc..", "com.linecorp..", "org.springframework..",
            "org.apache.kafka..", "com.zaxxer..", "com.cps.dcs.localagent..", "com.cps.dcs.regional..",
            "com.cps.dcs.query..", "com.cps.dcs.master..", "com.cps.dcs.swarm..", "com.cps.dcs.service..")
        .check(store);
  }
}
