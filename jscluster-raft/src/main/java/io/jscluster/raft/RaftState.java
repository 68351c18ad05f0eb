package io.jscluster.raft;

/** The role of a Raft node. Observer is a flag, not a state. {@link #CLOSED} is terminal. */
public enum RaftState {
  /** Follows a leader (or waits for one). */
  FOLLOWER,
  /** Asking for votes. */
  CANDIDATE,
  /** Replicating its log. */
  LEADER,
  /** Stopped; no input has any effect. */
  CLOSED
}
