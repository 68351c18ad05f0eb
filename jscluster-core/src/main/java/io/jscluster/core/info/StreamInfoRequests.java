package io.jscluster.core.info;

/**
 * Who answers a cluster stream-info request ({@code $JSC.SI.<account>.<stream>}, nats-server
 * {@code processClusterStreamInfoRequest} and {@code isGroupLeaderless}). Every member receives
 * the request; normally only the stream leader answers, but when the group has lost its leader
 * any member may, after a short delay that lets a real leader answer first.
 */
public final class StreamInfoRequests {

  /** How long a non-leader waits before answering for a leaderless group: 500 ms. */
  public static final long NON_LEADER_DELAY_NANOS = 500_000_000L;
  /** JetStream must have run this long before a lost previous leader counts: 10 s. */
  public static final long STARTUP_THRESHOLD_NANOS = 10_000_000_000L;

  private StreamInfoRequests() {}

  /**
   * nats-server's {@code isGroupLeaderless}: this server is a member of the group, the group has
   * a Raft node without a leader, and either a previous leader existed and JetStream has run for
   * more than {@link #STARTUP_THRESHOLD_NANOS}, or the node is older than
   * {@link ClusterInfoReporter#LOST_QUORUM_INTERVAL_NANOS}.
   *
   * @param member this server is in the group's peers
   * @param hasNode the group has a Raft node here (false for R1)
   * @param nodeLeaderless the node knows no leader
   * @param hadPreviousLeader the node has seen a leader before
   * @param jetStreamUpNanos time since JetStream started
   * @param nodeAgeNanos time since the node was created
   */
  public static boolean isGroupLeaderless(
      boolean member,
      boolean hasNode,
      boolean nodeLeaderless,
      boolean hadPreviousLeader,
      long jetStreamUpNanos,
      long nodeAgeNanos) {
    if (!member || !hasNode || !nodeLeaderless) {
      return false;
    }
    if (hadPreviousLeader && jetStreamUpNanos > STARTUP_THRESHOLD_NANOS) {
      return true;
    }
    return nodeAgeNanos > ClusterInfoReporter.LOST_QUORUM_INTERVAL_NANOS;
  }

  /**
   * When to answer: -1 to stay silent (an assigned stream, not the leader, group not
   * leaderless), 0 at once (the leader), else {@link #NON_LEADER_DELAY_NANOS} (a non-leader of a
   * leaderless group, or of a stream without assignment, as nats-server does).
   *
   * @param assigned the stream has an assignment
   * @param leader this server leads the stream
   * @param groupLeaderless the result of {@link #isGroupLeaderless}
   */
  public static long answerDelayNanos(boolean assigned, boolean leader, boolean groupLeaderless) {
    if (assigned && !groupLeaderless && !leader) {
      return -1;
    }
    return leader ? 0 : NON_LEADER_DELAY_NANOS;
  }
}
