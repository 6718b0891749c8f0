package com.cps.dcs.suite.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunConfigTest {
  @Test
  void theDefaultsAreTheDocumentedPorts() {
    RunConfig c = new RunConfig(Map.of("DCS_HOME", "/opt/dcs"));
    assertThat(c.data).isEqualTo(Path.of("/opt/dcs/run-data"));
    assertThat(c.branches).extracting(RunConfig.Branch::grpcPort).containsExactly(50051, 50061);
    assertThat(c.branches).extracting(RunConfig.Branch::managementPort).containsExactly(9051, 9061);
    assertThat(c.nodes).extracting(RunConfig.Node::grpcPort).containsExactly(50052, 50062, 50072);
    assertThat(c.nodes).extracting(RunConfig.Node::managementPort).containsExactly(9052, 9062, 9072);
    assertThat(c.nodes).extracting(RunConfig.Node::raftPort).containsExactly(12000, 12001, 12002);
    assertThat(c.raftPeers()).isEqualTo("n1=127.0.0.1:12000,n2=127.0.0.1:12001,n3=127.0.0.1:12002");
    assertThat(c.queryPort).isEqualTo(50054);
    assertThat(c.jar("local-agent")).isEqualTo(Path.of("/opt/dcs/local-agent/target/local-agent.jar"));
    // Embedded PostgreSQL and Kafka when neither is given: their ports are the launcher's to check.
    assertThat(c.listeningPorts()).containsEntry("DCS_RUN_PG_PORT", 15432).containsEntry("DCS_RUN_KAFKA_PORT", 9092)
        .hasSize(19);
    assertThat(c.listeningPorts().values()).doesNotHaveDuplicates();
  }

  @Test
  void everyPortMovesByItsKeyAndGivenInfrastructureTakesNoPort() {
    RunConfig c = new RunConfig(Map.of("DCS_BRANCH_2_PORT", "40061", "DCS_REGION_N3_RAFT_PORT", "40002",
        "DCS_PG_URL", "jdbc:postgresql://db:5432/dcs?user=o", "KAFKA_BOOTSTRAP_SERVERS", "k:9092",
        "DCS_RUN_DATA", "/data/dcs", "DCS_SYNC_INTERVAL", " ", "DCS_RUN_PG_PORT", "1"));
    assertThat(c.branch("branch-2").grpcPort()).isEqualTo(40061);
    assertThat(c.nodes.get(2).raftPort()).isEqualTo(40002);
    assertThat(c.data).isEqualTo(Path.of("/data/dcs"));
    assertThat(c.keys).isEqualTo(Path.of("/data/dcs/keys"));
    assertThat(c.syncIntervalSeconds).as("blank counts as unset").isEqualTo(5);
    assertThat(c.listeningPorts()).doesNotContainKeys("DCS_RUN_PG_PORT", "DCS_RUN_KAFKA_PORT",
        "DCS_RUN_KAFKA_CONTROLLER_PORT");
  }

  @Test
  void aBadPortOrBranchIsRefusedByName() {
    assertThatThrownBy(() -> new RunConfig(Map.of("DCS_QUERY_PORT", "70000")))
        .hasMessageContaining("DCS_QUERY_PORT").hasMessageContaining("70000");
    assertThatThrownBy(() -> new RunConfig(Map.of("DCS_BRANCH_1_PORT", "fifty")))
        .hasMessageContaining("DCS_BRANCH_1_PORT");
    assertThatThrownBy(() -> new RunConfig(Map.of()).branch("branch-3"))
        .hasMessageContaining("branch-1").hasMessageContaining("branch-2");
  }

  @Test
  void demoMoneyIsExactMinorUnits() {
    assertThat(Demo.money(0)).isEqualTo("0.00");
    assertThat(Demo.money(5)).isEqualTo("0.05");
    assertThat(Demo.money(123456)).isEqualTo("1234.56");
    assertThat(Demo.money(-1999)).isEqualTo("-19.99");
  }
}
