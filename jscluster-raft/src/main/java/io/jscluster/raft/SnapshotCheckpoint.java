package io.jscluster.raft;

import io.jscluster.raft.snapshot.Snapshot;
import io.jscluster.raft.snapshot.SnapshotStorage;
import io.jscluster.raft.wire.Entry;
import java.io.IOException;
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

  /**
   * The first step of an install whose file write runs on another thread (the node's thread then
   * goes on meanwhile): encodes the snapshot of {@code data} at {@link #index()} and returns the
   * staged install. Run {@link Staged#write()} on any thread, then {@link Staged#adopt} on the
   * node's thread. The checkpoint stays open in between, so it can still be aborted (by {@link
   * #abort}, another install, a reset or the node closing), and then {@code adopt} fails and
   * discards the written file. Until {@code adopt} returns nothing is compacted and no snapshot
   * exists for a restart: a crash in between finds only the previous snapshot.
   *
   * @param now the runtime time in ms
   * @param data the upper layer's state as of {@link #index()} (held, not copied)
   * @throws RaftException CLOSED, SNAPSHOT_ABORTED; SNAPSHOT_FAILED when it cannot be prepared
   *     (the checkpoint is then closed)
   */
  public Staged stage(long now, byte[] data) {
    return node.checkpointStage(now, this, data);
  }

  /**
   * An install prepared by {@link #stage}: {@link #write()} on any thread, once, then {@link
   * #adopt} on the node's thread.
   */
  public static final class Staged {
    private final SnapshotCheckpoint checkpoint;
    private final Snapshot snapshot;
    private final SnapshotStorage.StagedWrite storage;
    private volatile boolean written;
    private volatile IOException failure;

    Staged(SnapshotCheckpoint checkpoint, Snapshot snapshot, SnapshotStorage.StagedWrite storage) {
      this.checkpoint = checkpoint;
      this.snapshot = snapshot;
      this.storage = storage;
    }

    /** The checkpoint this install closes. */
    public SnapshotCheckpoint checkpoint() {
      return checkpoint;
    }

    Snapshot snapshot() {
      return snapshot;
    }

    SnapshotStorage.StagedWrite storage() {
      return storage;
    }

    /**
     * Writes and forces the snapshot file; never throws (a failure is reported by {@link
     * #adopt}). Any thread, once; touches nothing of the node but the snapshot storage's staging
     * file.
     */
    public void write() {
      try {
        storage.write();
      } catch (IOException e) {
        failure = e;
      } catch (RuntimeException e) {
        failure = new IOException(e);
      }
      written = true;
    }

    /**
     * Discards what {@link #write()} wrote, for an install that will never be adopted (the node
     * stopped). Harmless otherwise: a restart ignores and removes an unadopted staged file anyway.
     */
    public void abandon() {
      storage.discard();
    }

    /**
     * After {@link #write()} returned: makes the snapshot the node's adopted one, deletes the
     * previous one and compacts the log up to it, as {@link SnapshotCheckpoint#install} does.
     * Closes the checkpoint whatever the outcome.
     *
     * @return the log bytes the compaction freed
     * @throws RaftException CLOSED, SNAPSHOT_ABORTED (the written file is discarded);
     *     SNAPSHOT_FAILED when the write failed or was not run, or publishing failed; WRITE_ERROR
     *     when compacting the log failed (the node stops)
     */
    public long adopt(long now) {
      IOException f = failure;
      if (f == null && !written) {
        f = new IOException("staged snapshot adopted before it was written");
      }
      return checkpoint.node.checkpointAdopt(now, this, f);
    }
  }

  /** Closes the checkpoint without a snapshot. Harmless when it is no longer open. */
  public void abort() {
    node.checkpointAbort(this);
  }
}
