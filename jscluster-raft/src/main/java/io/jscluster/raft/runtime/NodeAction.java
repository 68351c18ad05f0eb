package io.jscluster.raft.runtime;

import io.jscluster.raft.RaftNode;

/** An action run against a member's node on its loop thread; see {@link RaftMember#call}. */
@FunctionalInterface
public interface NodeAction<T> {

  /** Runs with the node and the loop's current time (the {@code now} the node's inputs take). */
  T apply(RaftNode node, long now);
}
