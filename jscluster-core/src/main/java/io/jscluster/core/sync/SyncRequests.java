package io.jscluster.core.sync;

import io.jscluster.codec.ops.StreamSyncRequest;
import io.jscluster.codec.state.StreamReplicatedState;

/** How a follower turns a stream snapshot into a catch-up request. */
public final class SyncRequests {

  private SyncRequests() {}

  /**
   * nats-server's {@code calculateSyncRequest}: what to ask the leader for after installing
   * {@code snap} (taken at Raft index {@code index}) over a store whose last sequence is
   * {@code localLastSeq}.
   *
   * @param nodeId this replica's Raft node id, or null when the stream has no Raft node
   * @return null when there is nothing to ask (no snapshot, no node, or the store already
   *     reaches {@code snap.lastSeq()}, compared unsigned); otherwise the request for
   *     {@code localLastSeq+1 .. snap.lastSeq()}, accepting delete ranges, with
   *     {@code min_applied = index}
   */
  public static StreamSyncRequest calculate(
      long localLastSeq, StreamReplicatedState snap, long index, String nodeId) {
    if (snap == null || nodeId == null) {
      return null;
    }
    if (Long.compareUnsigned(localLastSeq, snap.lastSeq()) >= 0) {
      return null;
    }
    return new StreamSyncRequest(nodeId, localLastSeq + 1, snap.lastSeq(), true, index);
  }
}
