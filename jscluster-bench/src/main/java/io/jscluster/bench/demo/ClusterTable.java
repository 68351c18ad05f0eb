package io.jscluster.bench.demo;

import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.Scheduler;
import io.jscluster.core.info.ClusterInfo;
import io.jscluster.core.info.ClusterInfoReporter;
import io.jscluster.core.info.NodeDirectory;
import io.jscluster.core.info.PeerInfo;
import io.jscluster.core.info.RaftGroupView;
import io.jscluster.core.stream.StreamReplica;
import io.jscluster.raft.RaftNode;
import io.jscluster.raft.wire.NodeIds;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cluster section of a stream's info, computed the way nats-server computes it for
 * {@code STREAM.INFO} ({@link ClusterInfoReporter#clusterInfo} over the leader's Raft view, then
 * {@link ClusterInfoReporter#checkClusterInfo} with the leader's catch-up table), and rendered as a
 * text table.
 */
final class ClusterTable {

  private ClusterTable() {}

  /**
   * Cluster info of {@code stream} as node {@code node} reports it. Runs on that node's thread.
   *
   * @param names every server name of the cluster
   * @param up the names of the running servers (the others are reported offline)
   */
  static ClusterInfo of(ClusterNode node, Scheduler clock, String stream, List<String> names, Set<String> up) {
    StreamReplica r = node.replica(stream);
    if (r == null) {
      throw new IllegalStateException(node.name() + " has no replica of " + stream);
    }
    Map<String, NodeDirectory.NodeInfo> byId = new TreeMap<>();
    for (String n : names) {
      byId.put(NodeIds.fromServerName(n),
          new NodeDirectory.NodeInfo(n, node.config().clusterName(), "", !up.contains(n), true, true, true));
    }
    ClusterInfoReporter reporter = new ClusterInfoReporter(node.name(), node.config().clusterName(), node.id(), "",
        byId::get, clock::wallNanos);
    StreamAssignment sa = r.assignment();
    RaftGroupView view = r.host() == null ? null : view(r.host().node(), clock);
    ClusterInfo ci = reporter.clusterInfo(sa.group(), view, null);
    return ClusterInfoReporter.checkClusterInfo(ci, r.catchupPeers());
  }

  private static RaftGroupView view(RaftNode rn, Scheduler clock) {
    long nowMillis = clock.nowMillis();
    long wall = clock.wallNanos();
    List<RaftGroupView.RaftPeer> peers = new ArrayList<>();
    for (io.jscluster.raft.PeerInfo p : rn.peerInfos(nowMillis)) {
      long heard = p.lastHeardMillis() < 0 ? 0 : wall - (nowMillis - p.lastHeardMillis()) * 1_000_000L;
      peers.add(new RaftGroupView.RaftPeer(p.id(), p.current(), heard, p.lag()));
    }
    String leader = rn.leaderId() == null ? "" : rn.leaderId();
    List<RaftGroupView.RaftPeer> snapshot = List.copyOf(peers);
    return new RaftGroupView() {
      @Override
      public String groupLeader() {
        return leader;
      }

      @Override
      public OffsetDateTime leaderSince() {
        return null;
      }

      @Override
      public boolean systemAccount() {
        return false;
      }

      @Override
      public String trafficAccount() {
        return "";
      }

      @Override
      public List<RaftGroupView.RaftPeer> peers() {
        return snapshot;
      }
    };
  }

  /** Renders {@code ci} as an indented text table: the leader first, then each replica. */
  static String render(ClusterInfo ci) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("  cluster %s, raft group %s, leader %s%n", ci.name(), ci.raftGroup(),
        ci.leader().isEmpty() ? "(none)" : ci.leader()));
    sb.append(String.format("  %-8s %-9s %-9s %-8s %10s  %s%n", "server", "peer", "role", "current", "lag",
        "last active"));
    if (!ci.leader().isEmpty()) {
      sb.append(String.format("  %-8s %-9s %-9s %-8s %10s  %s%n", ci.leader(),
          NodeIds.fromServerName(ci.leader()), "leader", "yes", "0", "-"));
    }
    for (PeerInfo p : ci.replicas()) {
      sb.append(String.format("  %-8s %-9s %-9s %-8s %,10d  %s%n", p.name(), p.peer(),
          p.offline() ? "offline" : "replica", p.current() ? "yes" : "no", p.lag(), active(p.activeNanos())));
    }
    return sb.toString();
  }

  private static String active(long nanos) {
    if (nanos <= 0) {
      return "-";
    }
    if (nanos < 1_000_000_000L) {
      return String.format("%d ms ago", nanos / 1_000_000L);
    }
    return String.format("%.1f s ago", nanos / 1e9);
  }
}
