package io.jscluster.raft.wire;

import java.util.Objects;

/**
 * A vote reply, exactly {@value RaftCodec#VOTE_RESPONSE_LENGTH} bytes on the wire.
 *
 * @param term the voter's term after handling the request
 * @param peer the voter's 8-character id
 * @param granted whether the vote was granted
 * @param empty whether the voter's log is empty (such votes count only in special cases)
 */
public record VoteResponse(long term, String peer, boolean granted, boolean empty)
    implements RaftMessage {

  /** Rejects a null peer. */
  public VoteResponse {
    Objects.requireNonNull(peer, "peer");
  }
}
