package io.jscluster.raft.log;

import java.util.Objects;

/**
 * The persisted election state of a node: its current term and the candidate it voted for in that
 * term.
 *
 * @param term the current term (u64 bits in a long; 0 = never set)
 * @param vote the 8-character id voted for in {@code term}, or {@code ""} for no vote
 */
public record TermVote(long term, String vote) {

  /** The state of a node that never persisted anything. */
  public static final TermVote NONE = new TermVote(0, "");

  /** Rejects a null vote; the empty string stands for "no vote". */
  public TermVote {
    Objects.requireNonNull(vote, "vote (use \"\" for no vote)");
  }

  /** Whether a vote was cast in {@link #term()}. */
  public boolean hasVote() {
    return !vote.isEmpty();
  }
}
