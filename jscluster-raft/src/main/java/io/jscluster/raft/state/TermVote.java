package io.jscluster.raft.state;

/**
 * The durable part of an election: the current term and the peer voted for in it.
 *
 * @param term the current term (u64 bits)
 * @param vote the id voted for in {@code term}, or the empty string for no vote; one char per
 *     byte (ISO-8859-1), as with peer ids in {@link io.jscluster.raft.wire.PeerState}
 */
public record TermVote(long term, String vote) {

  /** Term 0 and no vote: what a node without a {@code tav.idx} starts from. */
  public static final TermVote NONE = new TermVote(0, "");

  /** Rejects a null vote; use the empty string for "no vote". */
  public TermVote {
    if (vote == null) {
      throw new IllegalArgumentException("vote must not be null; use \"\" for no vote");
    }
  }

  /** Whether a vote was cast in {@link #term()}. */
  public boolean hasVote() {
    return !vote.isEmpty();
  }
}
