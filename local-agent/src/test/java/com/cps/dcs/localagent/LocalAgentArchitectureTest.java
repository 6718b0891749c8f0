package com.cps.dcs.localagent;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.cps.dcs.eventstore.sqlite.StoredEvent;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Persistence stays behind the store: only {@code com.cps.dcs.localagent.store} (LocalStore, LocalTx, SyncProgress,
 * PeerRegistry...) touches JDBC and the SQLite log. The gRPC services, the sync client, the swarm and query adapters,
 * the till and the sales go through its methods; of event-store they see only {@link StoredEvent}, a stored event
 * with its seq.
 */
class LocalAgentArchitectureTest {
  private final JavaClasses agent = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("com.cps.dcs.localagent");

  @Test
  void onlyTheStoreTouchesJdbcOrTheSqliteLog() {
    noClasses().that().resideOutsideOfPackage("com.cps.dcs.localagent.store..")
        .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..", "org.sqlite..")
        .orShould().dependOnClassesThat(resideInAPackage("com.cps.dcs.eventstore..")
            .and(not(equivalentTo(StoredEvent.class))))
        .check(agent);
  }

  @Test
  void theStoreKnowsNoTransport() {
    noClasses().that().resideInAPackage("com.cps.dcs.localagent.store..")
        .should().dependOnClassesThat().resideInAnyPackage("io.grpc..", "com.linecorp..", "org.springframework..",
            "com.cps.dcs.localagent.pos..", "com.cps.dcs.localagent.sync..", "com.cps.dcs.localagent.query..",
            "com.cps.dcs.localagent.swarm..", "com.cps.dcs.localagent.config..")
        .check(agent);
  }
}
