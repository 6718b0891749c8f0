package com.cps.dcs.regional;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.cps.dcs.eventstore.pg.PgDatabase;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The region's PostgreSQL is event-store's {@code RegionStore} and {@code Outbox} (package
 * {@code com.cps.dcs.eventstore.pg.region}): the agent calls their methods and handles no JDBC type; their failures
 * reach it as {@code PgStoreException}. Only the wiring ({@code config}) opens the pool and runs the migrations.
 */
class RegionalAgentArchitectureTest {
  private final JavaClasses agent = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("com.cps.dcs.regional");

  @Test
  void noClassTouchesJdbcOrTheSqliteLog() {
    noClasses().should().dependOnClassesThat()
        .resideInAnyPackage("java.sql..", "org.sqlite..", "com.cps.dcs.eventstore.sqlite..")
        .check(agent);
  }

  @Test
  void onlyTheWiringOpensTheDatabase() {
    noClasses().that().resideOutsideOfPackage("com.cps.dcs.regional.config..")
        .should().dependOnClassesThat()
        .resideInAnyPackage("javax.sql..", "org.postgresql..", "com.zaxxer..", "org.flywaydb..")
        .orShould().dependOnClassesThat(equivalentTo(PgDatabase.class))
        .check(agent);
  }
}
