package com.cps.dcs.regional;

import com.cps.dcs.regional.raft.RaftPeers;
import com.cps.dcs.regional.raft.RegionNode;
import com.cps.dcs.service.config.ParentWatch;
import java.util.List;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A node of a region. {@code java -jar regional-agent.jar} serves; {@code java -jar regional-agent.jar members
 * add|remove|set <id=host:port,...>} changes the region's members at run time through its leader (DCS_RAFT_PEERS
 * names current members to reach it; for remove, ids alone are enough).
 */
@SpringBootApplication
public class RegionalAgentApplication {

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("members")) {
      System.exit(members(args));
    }
    try {
      ParentWatch.fromEnvironment(System.getenv());
      SpringApplication.run(RegionalAgentApplication.class, args);
    } catch (RuntimeException e) {
      // Raft and Kafka threads would keep a half-started node alive: a node that cannot start exits.
      System.err.println("regional agent failed to start: " + e.getMessage());
      System.exit(1);
    }
  }

  static int members(String[] args) {
    if (args.length != 3 || !List.of("add", "remove", "set").contains(args[1])) {
      System.err.println("usage: regional-agent members add|remove|set <id=host:port,...>  (remove: <id,...>)");
      return 64;
    }
    // Without Spring, logging has no configuration: keep the command's output to its answer.
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    try {
      String region = System.getenv().getOrDefault("DCS_REGION_ID", "region-1");
      List<RaftPeer> contacts = RaftPeers.parse(System.getenv("DCS_RAFT_PEERS"));
      RegionNode.MemberChange change = RegionNode.MemberChange.valueOf(args[1].toUpperCase());
      List<RaftPeer> peers = change == RegionNode.MemberChange.REMOVE
          ? java.util.Arrays.stream(args[2].split(",")).map(String::strip).filter(x -> !x.isEmpty())
              .map(id -> RaftPeer.newBuilder().setId(RaftPeerId.valueOf(id.contains("=")
                  ? id.substring(0, id.indexOf('=')) : id)).build()).toList()
          : RaftPeers.parse(args[2]);
      List<RaftPeer> now = RegionNode.changeMembers(region, contacts, change, peers);
      System.out.println("region " + region + " members: " + RaftPeers.format(now));
      return 0;
    } catch (Exception e) {
      System.err.println("members " + args[1] + " failed: " + e.getMessage());
      return 1;
    }
  }
}
