package io.jscluster.raft.wire;

import java.util.Objects;

/**
 * An append-entry response (AR), exactly {@value RaftCodec#AR_LENGTH} bytes on the wire.
 *
 * <p>Kinds: success ({@code term} = responder's last-entry term, {@code index} = its last index);
 * catch-up request (failure, sent with a reply subject naming the responder's catch-up inbox);
 * rejection (failure, {@code term} = responder's current term, no reply subject).
 *
 * @param term see the kinds above
 * @param index the responder's last index
 * @param peer the responder's 8-character id
 * @param success whether the batch was stored
 */
public record AppendEntryResponse(long term, long index, String peer, boolean success)
    implements RaftMessage {

  /** Rejects a null peer. */
  public AppendEntryResponse {
    Objects.requireNonNull(peer, "peer");
  }
}
