package io.jscluster.raft.wire;

import java.util.Objects;

/**
 * A request for a vote, exactly {@value RaftCodec#VOTE_REQUEST_LENGTH} bytes on the wire.
 *
 * @param term the candidate's term
 * @param lastTerm the term of the candidate's last entry
 * @param lastIndex the candidate's last index
 * @param candidate the candidate's 8-character id
 */
public record VoteRequest(long term, long lastTerm, long lastIndex, String candidate)
    implements RaftMessage {

  /** Rejects a null candidate. */
  public VoteRequest {
    Objects.requireNonNull(candidate, "candidate");
  }
}
