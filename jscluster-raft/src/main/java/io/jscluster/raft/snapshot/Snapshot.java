package io.jscluster.raft.snapshot;

import io.jscluster.raft.wire.PeerState;
import io.jscluster.raft.wire.PeerStateCodec;
import java.util.Objects;

/**
 * The content of one snapshot file: the log position it replaces, the committed membership at
 * that position (encoded peer state) and the upper layer's opaque state.
 *
 * <p>The arrays are held, not copied; callers must not modify them after construction. Equality
 * is by array identity (record semantics); compare the fields when content matters.
 *
 * @param lastTerm term of the last log entry the snapshot covers (u64 bits)
 * @param lastIndex index of that entry (u64 bits); the log resumes at {@code lastIndex + 1}
 * @param peerState the encoded {@link PeerState}, possibly empty
 * @param data the upper layer's snapshot bytes, possibly empty
 */
public record Snapshot(long lastTerm, long lastIndex, byte[] peerState, byte[] data) {

  private static final byte[] EMPTY = new byte[0];

  /** Replaces null arrays by empty ones (nats-server encodes both the same way). */
  public Snapshot {
    peerState = peerState == null ? EMPTY : peerState;
    data = data == null ? EMPTY : data;
  }

  /** A snapshot whose peer state is encoded from {@code peers}. */
  public static Snapshot of(long lastTerm, long lastIndex, PeerState peers, byte[] data) {
    return new Snapshot(lastTerm, lastIndex, PeerStateCodec.encode(Objects.requireNonNull(peers)),
        data);
  }

  /** The decoded peer state; throws the codec's exception when it is not a valid one. */
  public PeerState decodePeerState() {
    return PeerStateCodec.decode(peerState);
  }

  /** The name of the file this snapshot is stored in, {@code snap.<term>.<index>}. */
  public String fileName() {
    return SnapshotFileName.format(lastTerm, lastIndex);
  }
}
