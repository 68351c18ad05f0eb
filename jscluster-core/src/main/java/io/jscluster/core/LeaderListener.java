package io.jscluster.core;

/**
 * Told about leadership changes of the groups a {@link ClusterNode} hosts. Called on the node's
 * logical thread; must not block.
 */
public interface LeaderListener {

  /** This node became ({@code true}) or stopped being the meta leader in {@code term}. */
  default void metaLeaderChanged(boolean isLeader, long term) {}

  /** This node became or stopped being leader of the replicated stream {@code stream}. */
  default void streamLeaderChanged(String stream, boolean isLeader, long term) {}
}
