package com.cps.dcs.query;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.cps.dcs.eventstore.pg.PgDatabase;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.grpc.BindableService;
import org.junit.jupiter.api.Test;

/**
 * Persistence stays in {@code com.cps.dcs.query.store} (the read side: {@code ProjectionReads}, {@code ReadModels},
 * {@code SummaryCache}) and {@code com.cps.dcs.query.projection} (the write side: the projections, the consumer, the
 * dead letters); {@link QueryService}, the wiring, opens the pool and runs the migrations. The read model adapter and
 * every gRPC service go through store methods.
 */
class QueryServiceArchitectureTest {
  private final JavaClasses service = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("com.cps.dcs.query");

  @Test
  void onlyTheStoreTheProjectionsAndTheWiringTouchJdbc() {
    noClasses().that().resideOutsideOfPackages("com.cps.dcs.query.store..", "com.cps.dcs.query.projection..")
        .and().doNotHaveFullyQualifiedName(QueryService.class.getName())
        .should().dependOnClassesThat()
        .resideInAnyPackage("java.sql..", "javax.sql..", "org.postgresql..", "com.zaxxer..", "org.flywaydb..")
        .orShould().dependOnClassesThat(equivalentTo(PgDatabase.class))
        .check(service);
  }

  @Test
  void grpcServicesGoThroughStoreMethods() {
    noClasses().that().areAssignableTo(BindableService.class)
        .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..", "org.postgresql..")
        .orShould().dependOnClassesThat(equivalentTo(PgDatabase.class))
        .check(service);
  }

  @Test
  void noSqliteHere() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("org.sqlite..", "com.cps.dcs.eventstore.sqlite..")
        .check(service);
  }
}
