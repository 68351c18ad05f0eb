package io.jscluster.codec.ops;

/**
 * A follower's catch-up request (Go {@code streamSyncRequest}), sent outside Raft.
 *
 * @param peer the requesting node's Raft id (omitempty)
 * @param firstSeq first sequence wanted (uint64 bits)
 * @param lastSeq last sequence wanted (uint64 bits)
 * @param deleteRangesOk whether the sender accepts op 15 delete ranges
 * @param minApplied the Raft index of the snapshot (uint64 bits)
 */
public record StreamSyncRequest(
    String peer, long firstSeq, long lastSeq, boolean deleteRangesOk, long minApplied) {

  /** Normalises a null peer to "". */
  public StreamSyncRequest {
    peer = peer == null ? "" : peer;
  }
}
