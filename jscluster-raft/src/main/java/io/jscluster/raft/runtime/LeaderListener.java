package io.jscluster.raft.runtime;

/** Notified of leadership changes of one member, on its loop thread; must not block. */
@FunctionalInterface
public interface LeaderListener {

  /**
   * {@code isLeader} true once this member is a complete leader (its election noop applied);
   * false when it stops leading or learns of another leader. {@code term} is the term proposals
   * carry.
   */
  void leaderChanged(boolean isLeader, long term);
}
