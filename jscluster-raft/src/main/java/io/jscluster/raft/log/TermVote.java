package io.jscluster.raft.log;

/**
 * The persisted election state of a node: its current term and the candidate it voted for in that
 * term.
 *
 * @param term the current term (u64 bits in a long; 0 = never set)
 * @param vote the 8-character id voted for in {@code term}, or {@code null} for no vote
 */
public record TermVote(long term, String vote) {

  /** The state of a node that never persisted anything. */
  public static final TermVote NONE = new TermVote(0, null);
}
