package io.jscluster.core.info;

import io.jscluster.codec.json.GoJsonWriter;
import io.jscluster.codec.meta.ClientInfo;
import io.jscluster.codec.meta.DesiredRaftGroup;
import io.jscluster.codec.meta.RaftGroup;
import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.core.sync.CatchupPeers;
import io.jscluster.raft.wire.NodeIds;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Computes cluster info for one server, as nats-server's {@code clusterInfo},
 * {@code offlineClusterInfo}, {@code checkClusterInfo} and {@code streamAlternates} do.
 *
 * <p>Thread-safe: it holds only immutable configuration; callers pass the group assignment (an
 * immutable value they copied under their own lock) and the Raft view, which is queried without
 * any lock of the caller held.
 */
public final class ClusterInfoReporter {

  /** nats-server's {@code lostQuorumInterval}: a peer silent for longer is not current. */
  public static final long LOST_QUORUM_INTERVAL_NANOS = 10_000_000_000L;

  private final String serverName;
  private final String clusterName;
  private final String nodeId;
  private final String domain;
  private final NodeDirectory nodes;
  private final LongSupplier clockNanos;

  /**
   * Creates a reporter for this server.
   *
   * @param serverName this server's name
   * @param clusterName this server's cluster name
   * @param nodeId this server's node id
   * @param domain this server's JetStream domain, or ""
   * @param nodes the node table
   * @param clockNanos current Unix time in nanoseconds (injected so tests run in virtual time)
   */
  public ClusterInfoReporter(
      String serverName,
      String clusterName,
      String nodeId,
      String domain,
      NodeDirectory nodes,
      LongSupplier clockNanos) {
    this.serverName = Objects.requireNonNull(serverName, "serverName");
    this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    this.domain = Objects.requireNonNullElse(domain, "");
    this.nodes = Objects.requireNonNull(nodes, "nodes");
    this.clockNanos = Objects.requireNonNull(clockNanos, "clockNanos");
  }

  /** The name cluster info gives a peer missing from the node table. */
  public static String unknownName(String peer) {
    return "Server name unknown at this time (peerID: " + peer + ")";
  }

  /**
   * Cluster info of a group (nats-server {@code clusterInfo}).
   *
   * <ul>
   *   <li>No group, or a group with neither a Raft node nor desired state (R1): just this
   *       cluster's name with this server as leader.
   *   <li>Otherwise the leader (server name of the Raft leader), and one entry per Raft peer in
   *       the assigned or desired peer set, except this server while a leader exists: current
   *       unless silent for more than {@link #LOST_QUORUM_INTERVAL_NANOS}, active = time since
   *       heard, lag, name and offline from the node table (an unknown node gets
   *       {@link #unknownName} and lag 0).
   *   <li>Desired state (a move or scale): target cluster, origin, generated entries for the
   *       desired peers unless scaling down, and the migration status.
   *   <li>Assigned peers the Raft node does not list get a generated entry, marked pending when
   *       a node exists.
   *   <li>Replicas sorted by name.
   * </ul>
   *
   * @param rg the group assignment, or null
   * @param node the group's Raft node, or null when this server runs none for it
   * @param migration the group leader's migration status, or null
   */
  public ClusterInfo clusterInfo(RaftGroup rg, RaftGroupView node, MigrationStatus migration) {
    if (rg == null || (node == null && rg.desired() == null)) {
      return new ClusterInfo(clusterName, "", serverName, null, false, "", List.of(), null);
    }
    List<String> rgPeers = rg.peers() == null ? List.of() : rg.peers();
    DesiredRaftGroup d = rg.desired();
    String desiredName = null;
    DesiredClusterInfo.Origin origin = null;
    List<String> desiredPeers = List.of();
    boolean hasDesired = false;
    if (d != null) {
      hasDesired = true;
      desiredName = d.cluster();
      if (d.origin() != null) {
        origin =
            new DesiredClusterInfo.Origin(
                d.origin().replicas(), d.origin().placement(), d.origin().retention());
      }
      if (!d.scaleDown() && d.peers() != null) {
        desiredPeers = d.peers();
      }
    }
    if (migration != null) {
      hasDesired = true;
    }

    String id = nodeId;
    String leader = "";
    java.time.OffsetDateTime leaderSince = null;
    boolean sysAcc = false;
    String trafficAcc = "";
    List<PeerInfo> replicas = new ArrayList<>();
    if (node != null) {
      leader = serverNameForNode(node.groupLeader());
      leaderSince = node.leaderSince();
      sysAcc = node.systemAccount();
      trafficAcc = node.trafficAccount();
      // Leaderless: list ourselves too.
      if (leader.isEmpty()) {
        id = "";
      }
      long now = clockNanos.getAsLong();
      for (RaftGroupView.RaftPeer rp : node.peers()) {
        if (rp.id().equals(id)
            || !(rgPeers.contains(rp.id()) || desiredPeers.contains(rp.id()))) {
          continue;
        }
        long lastSeen = 0;
        if (rp.lastHeardNanos() != 0 && now > rp.lastHeardNanos()) {
          lastSeen = now - rp.lastHeardNanos();
        }
        boolean current = rp.current() && lastSeen <= LOST_QUORUM_INTERVAL_NANOS;
        NodeDirectory.NodeInfo ni = nodes.lookup(rp.id());
        if (ni != null) {
          replicas.add(
              new PeerInfo(ni.name(), current, ni.offline(), lastSeen, rp.lag(), rp.id(), false,
                  ni.cluster()));
        } else {
          replicas.add(
              new PeerInfo(unknownName(rp.id()), current, true, lastSeen, 0, rp.id(), false, ""));
        }
      }
    }

    DesiredClusterInfo desired = null;
    if (hasDesired) {
      List<PeerInfo> dr = new ArrayList<>();
      for (String p : desiredPeers) {
        dr.add(generatePeer(p, false));
      }
      desired = new DesiredClusterInfo(desiredName, dr, origin, migration);
    }
    for (String p : rgPeers) {
      if (p.equals(id) || containsPeer(replicas, p)) {
        continue;
      }
      // Assigned but not reported by the Raft node: it has not joined the group yet.
      replicas.add(generatePeer(p, node != null));
    }
    replicas.sort(Comparator.comparing(PeerInfo::name, GoJsonWriter::compareUtf8));
    return new ClusterInfo(
        clusterName, rg.name(), leader, leaderSince, sysAcc, trafficAcc, replicas, desired);
  }

  /**
   * Cluster info when every peer is offline (nats-server {@code offlineClusterInfo}): one
   * {@code {peer, name, current: false, offline: true}} per assigned peer known to the node
   * table, in assignment order; unknown peers are skipped; no leader.
   */
  public ClusterInfo offlineClusterInfo(RaftGroup rg) {
    List<PeerInfo> replicas = new ArrayList<>();
    for (String p : rg.peers()) {
      NodeDirectory.NodeInfo ni = nodes.lookup(p);
      if (ni != null) {
        replicas.add(new PeerInfo(ni.name(), false, true, 0, 0, p, false, ""));
      }
    }
    return new ClusterInfo(clusterName, rg.name(), "", null, false, "", replicas, null);
  }

  /**
   * Overrides replicas that the stream leader is still catching up (nats-server
   * {@code checkClusterInfo}): a replica whose {@code getHash(name)} has a positive catch-up
   * lag is reported not current with that lag. Returns {@code ci} itself when nothing changes.
   */
  public static ClusterInfo checkClusterInfo(ClusterInfo ci, CatchupPeers catchups) {
    if (ci == null || !catchups.hasPeers()) {
      return ci;
    }
    List<PeerInfo> out = null;
    for (int i = 0; i < ci.replicas().size(); i++) {
      PeerInfo r = ci.replicas().get(i);
      long lag = catchups.lag(NodeIds.fromServerName(r.name()));
      if (lag != 0) {
        if (out == null) {
          out = new ArrayList<>(ci.replicas());
        }
        out.set(i, r.catchingUp(lag));
      }
    }
    return out == null ? ci : ci.withReplicas(out);
  }

  /**
   * Read alternates of {@code stream} ranked for the requesting client (nats-server
   * {@code streamAlternates}): the stream itself and every mirror of it, each with this
   * server's domain and the cluster of its group, ordered by the client's cluster preference
   * ({@code [client.cluster] + client.alternates}, earlier is better, a repeated name keeps its
   * later and lower weight; unlisted clusters last).
   *
   * @param client the requester
   * @param stream the stream asked about
   * @param accountAssignments the supported stream assignments of the requester's service
   *     account, or null when clustering is off or the account is unknown
   * @return null when there is no alternate beyond the stream itself
   */
  public List<StreamAlternate> streamAlternates(
      ClientInfo client, String stream, Collection<StreamAssignment> accountAssignments) {
    if (accountAssignments == null) {
      return null;
    }
    List<String> all = new ArrayList<>();
    all.add(client.cluster());
    if (client.alternates() != null) {
      all.addAll(client.alternates());
    }
    Map<String, Integer> weights = new HashMap<>();
    for (int i = 0; i < all.size(); i++) {
      weights.put(all.get(i), all.size() - i);
    }
    List<StreamAlternate> alts = new ArrayList<>();
    for (StreamAssignment sa : accountAssignments) {
      if (sa.config() == null) {
        continue;
      }
      String name = sa.config().name();
      boolean mirrorOf = sa.config().mirror() != null && stream.equals(sa.config().mirror().name());
      if (stream.equals(name) || mirrorOf) {
        String cluster = sa.group() == null ? "" : sa.group().cluster();
        alts.add(new StreamAlternate(name, domain, cluster));
      }
    }
    if (alts.size() == 1) {
      return null;
    }
    alts.sort(
        Comparator.comparingInt((StreamAlternate a) -> weights.getOrDefault(a.cluster(), 0))
            .reversed());
    return alts;
  }

  private String serverNameForNode(String node) {
    if (node == null || node.isEmpty()) {
      return "";
    }
    NodeDirectory.NodeInfo ni = nodes.lookup(node);
    return ni == null ? "" : ni.name();
  }

  private PeerInfo generatePeer(String peer, boolean pending) {
    NodeDirectory.NodeInfo ni = nodes.lookup(peer);
    if (ni != null) {
      return new PeerInfo(ni.name(), false, ni.offline(), 0, 0, peer, pending, ni.cluster());
    }
    return new PeerInfo(unknownName(peer), false, true, 0, 0, peer, pending, "");
  }

  private static boolean containsPeer(List<PeerInfo> list, String peer) {
    for (PeerInfo p : list) {
      if (p.peer().equals(peer)) {
        return true;
      }
    }
    return false;
  }
}
