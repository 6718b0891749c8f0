package com.cps.dcs.regional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cps.dcs.regional.raft.RaftPeers;
import org.junit.jupiter.api.Test;

class RaftPeersTest {

  @Test
  void parsesThePeerListAndDerivesOneGroupIdPerRegion() {
    var peers = RaftPeers.parse("n1=10.0.0.1:12000, n2=regional-2:12001,n3=[::1]:12002");
    assertThat(peers).extracting(p -> p.getId().toString()).containsExactly("n1", "n2", "n3");
    assertThat(peers.get(2).getAddress()).isEqualTo("[::1]:12002");
    assertThat(RaftPeers.format(peers)).isEqualTo("n1=10.0.0.1:12000,n2=regional-2:12001,n3=[::1]:12002");
    assertThat(RaftPeers.groupId("eu-west")).isEqualTo(RaftPeers.groupId("eu-west"));
    assertThat(RaftPeers.groupId("eu-west")).isNotEqualTo(RaftPeers.groupId("eu-east"));
  }

  @Test
  void refusesWhatIsNotIdEqualsHostColonPortNamingTheEntry() {
    assertThatThrownBy(() -> RaftPeers.parse("")).hasMessageContaining("DCS_RAFT_PEERS is empty");
    assertThatThrownBy(() -> RaftPeers.parse("n1=host")).hasMessageContaining("'n1=host'");
    assertThatThrownBy(() -> RaftPeers.parse("n1=host:99999")).hasMessageContaining("no valid port");
    assertThatThrownBy(() -> RaftPeers.parse("=host:1")).hasMessageContaining("not id=host:port");
    assertThatThrownBy(() -> RaftPeers.parse("n1=a:1,n1=b:2")).hasMessageContaining("names node 'n1' twice");
  }
}
