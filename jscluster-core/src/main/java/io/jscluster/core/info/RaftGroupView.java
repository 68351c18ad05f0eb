package io.jscluster.core.info;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * What cluster info reads from a group's Raft node. Implementations return a consistent
 * snapshot per call and must not block on locks the caller might hold: cluster info is computed
 * without holding any cluster-wide lock, and every call here may take the node's own lock.
 */
public interface RaftGroupView {

  /** The current leader's node id, or "" when the group has none. */
  String groupLeader();

  /** When the current leader was elected, or null when unknown. */
  OffsetDateTime leaderSince();

  /** Whether the group's traffic runs in the system account. */
  boolean systemAccount();

  /** The account carrying the group's traffic, or "". */
  String trafficAccount();

  /**
   * The node's peers, this node included, as nats-server's {@code Peers()} computes them (the
   * leader knows each follower's lag; a follower only knows whether it heard the leader lately).
   */
  List<RaftPeer> peers();

  /**
   * One peer as the Raft node sees it.
   *
   * @param id node id
   * @param current caught up (leader's view) or recently heard (follower's view of the leader)
   * @param lastHeardNanos Unix nanoseconds when last heard from, 0 if never
   * @param lag entries behind the commit (leader's view), uint64 bits
   */
  record RaftPeer(String id, boolean current, long lastHeardNanos, long lag) {}
}
