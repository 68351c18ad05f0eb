package io.jscluster.raft;

import io.jscluster.raft.wire.Entry;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * An open snapshot at a fixed index, for an upper layer that builds its snapshot in steps (NRG's
 * {@code RaftNodeCheckpoint}); created by {@link RaftNode#createSnapshotCheckpoint(long, boolean)}.
 *
 * <p>The checkpoint covers exactly {@link #index()} (the applied index when it was opened), whose
 * log entry has term {@link #term()}. It ends with {@link #install} or {@link #abort}; it is also
 * aborted when any other snapshot is installed (directly, forced, or received from a leader) or
 * another checkpoint is forced open. Every method must be called on the node's thread, like any
 * other input of the node, and fails with {@link RaftException} CLOSED when the node stopped and
 * SNAPSHOT_ABORTED when the checkpoint is no longer the open one.
 */
public final class SnapshotCheckpoint {

  private final RaftNode node;
  private final long epoch;
  private final long term;
  private final long index;
  private final long previousIndex;
  private final byte[] peerState;

  SnapshotCheckpoint(RaftNode node, long epoch, long term, long index, long previousIndex,
      byte[] peerState) {
    this.node = node;
    this.epoch = epoch;
    this.term = term;
    this.index = index;
    this.previousIndex = previousIndex;
    this.peerState = peerState;
  }

  /** The log index the snapshot covers (everything up to and including it). */
  public long index() {
    return index;
  }

  /** The term of the log entry at {@link #index()}. */
  public long term() {
    return term;
  }

  /** The index of the snapshot adopted when the checkpoint was opened (0 when none). */
  public long previousIndex() {
    return previousIndex;
  }

  /** The encoded committed peer state the snapshot will carry. */
  byte[] peerState() {
    return peerState;
  }

  long epoch() {
    return epoch;
  }

  /**
   * The data of the snapshot adopted when this checkpoint was opened, for an upper layer that
   * builds the new snapshot from the old one plus {@link #forEachEntry the entries since}.
   *
   * @throws RaftException NO_SNAPSHOT_AVAILABLE when there was none; SNAPSHOT_FAILED when it
   *     cannot be read or another snapshot was installed meanwhile; CLOSED; SNAPSHOT_ABORTED
   */
  public byte[] loadPreviousSnapshot() {
    return node.checkpointPreviousData(this);
  }

  /**
   * Hands the entries stored at {@code previousIndex() + 1 .. index()} to {@code consumer} in order
   * (index, entries as stored, peer-state and leader-transfer entries included), re-checking the
   * checkpoint before each index, until the consumer returns false.
   *
   * @throws RaftException CLOSED, SNAPSHOT_ABORTED, or SNAPSHOT_FAILED when an entry cannot be read
   */
  public void forEachEntry(BiPredicate<Long, List<Entry>> consumer) {
    for (long i = previousIndex + 1; i <= index; i++) {
      List<Entry> entries = node.checkpointEntries(this, i);
      if (!consumer.test(i, entries)) {
        return;
      }
    }
  }

  /**
   * Stores {@code data} as the snapshot at {@link #index()}, deletes the previous snapshot and
   * compacts the log up to the index. Closes the checkpoint whatever the outcome.
   *
   * @param now the runtime time in ms
   * @param data the upper layer's state as of {@link #index()} (held, not copied)
   * @return the log bytes the compaction freed
   * @throws RaftException CLOSED, SNAPSHOT_ABORTED; SNAPSHOT_FAILED when writing failed (retry with
   *     a new checkpoint); WRITE_ERROR when compacting the log failed (the node stops)
   */
  public long install(long now, byte[] data) {
    return node.checkpointInstall(now, this, data);
  }

  /** Closes the checkpoint without a snapshot. Harmless when it is no longer open. */
  public void abort() {
    node.checkpointAbort(this);
  }
}
