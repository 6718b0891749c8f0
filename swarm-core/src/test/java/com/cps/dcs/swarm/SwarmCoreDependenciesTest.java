package com.cps.dcs.swarm;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** swarm-core knows its ports, not the tiers behind them: no JDBC, no SQLite, no Spring, no service module. */
class SwarmCoreDependenciesTest {
  private final JavaClasses core = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("com.cps.dcs.swarm");

  @Test
  void noJdbcSqliteSpringOrServiceModule() {
    noClasses().should().dependOnClassesThat()
        .resideInAnyPackage("java.sql..", "javax.sql..", "org.sqlite..", "org.postgresql..", "com.zaxxer..",
            "org.springframework..", "org.apache.kafka..", "com.cps.dcs.localagent..", "com.cps.dcs.regional..",
            "com.cps.dcs.query..", "com.cps.dcs.master..", "com.cps.dcs.eventstore..")
        .check(core);
  }
}
