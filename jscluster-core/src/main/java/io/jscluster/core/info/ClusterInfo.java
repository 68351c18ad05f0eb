package io.jscluster.core.info;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The cluster section of stream or consumer info (Go {@code ClusterInfo}). JSON, all omitempty:
 * {@code name}, {@code raft_group}, {@code leader}, {@code leader_since}, {@code system_account},
 * {@code traffic_account}, {@code replicas}, {@code desired}.
 *
 * @param name cluster name
 * @param raftGroup Raft group name
 * @param leader the leader's server name, "" when unknown
 * @param leaderSince when the current leader was elected, or null
 * @param systemAccount the group runs in the system account
 * @param trafficAccount account carrying the group's traffic, or ""
 * @param replicas replicas sorted by name (this server excluded whenever a leader is known);
 *     never null
 * @param desired desired state of a move or scale, or null
 */
public record ClusterInfo(
    String name,
    String raftGroup,
    String leader,
    OffsetDateTime leaderSince,
    boolean systemAccount,
    String trafficAccount,
    List<PeerInfo> replicas,
    DesiredClusterInfo desired) {

  /** Normalises null strings and lists, and copies the list. */
  public ClusterInfo {
    name = Objects.requireNonNullElse(name, "");
    raftGroup = Objects.requireNonNullElse(raftGroup, "");
    leader = Objects.requireNonNullElse(leader, "");
    trafficAccount = Objects.requireNonNullElse(trafficAccount, "");
    replicas = replicas == null ? List.of() : List.copyOf(replicas);
  }

  /** The replica with node id {@code peer}, or null. */
  public PeerInfo replica(String peer) {
    for (PeerInfo p : replicas) {
      if (p.peer().equals(peer)) {
        return p;
      }
    }
    return null;
  }

  /** This info with its replicas replaced. */
  public ClusterInfo withReplicas(List<PeerInfo> newReplicas) {
    return new ClusterInfo(
        name, raftGroup, leader, leaderSince, systemAccount, trafficAccount,
        new ArrayList<>(newReplicas), desired);
  }
}
