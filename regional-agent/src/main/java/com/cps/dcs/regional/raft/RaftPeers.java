package com.cps.dcs.regional.raft;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/** The members of a region's Raft group, as written in {@code DCS_RAFT_PEERS}: {@code id=host:port,...}. */
public final class RaftPeers {
  private RaftPeers() {}

  /**
   * @throws IllegalArgumentException naming the bad entry
   */
  public static List<RaftPeer> parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("DCS_RAFT_PEERS is empty: expected id=host:port,...");
    }
    List<RaftPeer> peers = new ArrayList<>();
    Set<String> ids = new LinkedHashSet<>();
    for (String part : spec.split(",")) {
      String p = part.strip();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      int colon = p.lastIndexOf(':');
      if (eq <= 0 || colon < eq + 2 || colon == p.length() - 1) {
        throw new IllegalArgumentException("DCS_RAFT_PEERS entry '" + p + "' is not id=host:port");
      }
      String id = p.substring(0, eq);
      try {
        int port = Integer.parseInt(p.substring(colon + 1));
        if (port <= 0 || port > 65535) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("DCS_RAFT_PEERS entry '" + p + "' has no valid port");
      }
      if (!ids.add(id)) {
        throw new IllegalArgumentException("DCS_RAFT_PEERS names node '" + id + "' twice");
      }
      peers.add(RaftPeer.newBuilder().setId(RaftPeerId.valueOf(id)).setAddress(p.substring(eq + 1)).build());
    }
    if (peers.isEmpty()) {
      throw new IllegalArgumentException("DCS_RAFT_PEERS is empty: expected id=host:port,...");
    }
    return peers;
  }

  /** The group id of a region: the same on every node, derived from the region's name. */
  public static RaftGroupId groupId(String regionId) {
    return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("dcs-region:" + regionId).getBytes(StandardCharsets.UTF_8)));
  }

  public static RaftGroup group(String regionId, List<RaftPeer> peers) {
    return RaftGroup.valueOf(groupId(regionId), peers);
  }

  public static String format(List<RaftPeer> peers) {
    return String.join(",", peers.stream().map(p -> p.getId() + "=" + p.getAddress()).toList());
  }
}
