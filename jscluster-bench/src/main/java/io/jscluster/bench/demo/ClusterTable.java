package io.jscluster.bench.demo;

import io.jscluster.core.info.ClusterInfo;
import io.jscluster.core.info.PeerInfo;
import io.jscluster.raft.wire.NodeIds;

/**
 * Renders the cluster section of a stream's info ({@link io.jscluster.core.ClusterNode#clusterInfo},
 * computed as nats-server computes it for {@code STREAM.INFO}) as a text table.
 */
final class ClusterTable {

  private ClusterTable() {}

  /** Renders {@code ci} as an indented text table: the leader first, then each replica. */
  static String render(ClusterInfo ci) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("  cluster %s, raft group %s, leader %s%n", ci.name(), ci.raftGroup(),
        ci.leader().isEmpty() ? "(none)" : ci.leader()));
    sb.append(String.format("  %-8s %-9s %-9s %-8s %-8s %10s  %s%n", "server", "peer", "role", "current",
        "offline", "lag", "last active"));
    if (!ci.leader().isEmpty()) {
      sb.append(String.format("  %-8s %-9s %-9s %-8s %-8s %10s  %s%n", ci.leader(),
          NodeIds.fromServerName(ci.leader()), "leader", "yes", "no", "0", "-"));
    }
    for (PeerInfo p : ci.replicas()) {
      sb.append(String.format("  %-8s %-9s %-9s %-8s %-8s %,10d  %s%n", p.name(), p.peer(), "replica",
          p.current() ? "yes" : "no", p.offline() ? "yes" : "no", p.lag(), active(p.activeNanos())));
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
