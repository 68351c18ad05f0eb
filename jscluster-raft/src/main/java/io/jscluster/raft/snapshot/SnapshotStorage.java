package io.jscluster.raft.snapshot;

import java.io.IOException;

/**
 * Where a {@link io.jscluster.raft.RaftNode} keeps its snapshots: the SPI behind NRG's {@code
 * snapshots/} directory. {@link SnapshotStore} keeps NRG files on disk; {@link
 * MemorySnapshotStorage} keeps the same encoded bytes on the heap (for simulations, which keep
 * the object across a simulated crash, and for groups whose log is in memory).
 *
 * <p><b>Durability.</b> {@link #write} is durable when it returns: a crash afterwards finds the
 * snapshot. A crash during a write leaves either the previous content of that position or the new
 * one, never a mix that passes verification.
 *
 * <p><b>Never losing state to damage.</b> {@link #recover} reads only; it adopts the newest
 * snapshot that verifies and reports everything else. Nothing is deleted except through {@link
 * #delete}, {@link #removeObsolete} (which spares damaged files) and {@link #deleteAll}.
 *
 * <p><b>Threading.</b> Called by one node's driving thread; implementations may additionally be
 * thread-safe.
 */
public interface SnapshotStorage {

  /**
   * Stores {@code snap} at its position {@code (lastTerm, lastIndex)}, replacing a snapshot at the
   * same position; durable when this returns.
   *
   * @throws IOException if it could not be written; a previous snapshot at that position is then
   *     unchanged
   */
  void write(Snapshot snap) throws IOException;

  /**
   * A snapshot write split so that its bulk can run on another thread: {@link #write()} on any
   * thread (at most once), then, on the node's driving thread, either {@link #publish()} after a
   * successful write, or {@link #discard()}. Until {@code publish} returns the snapshot does not
   * exist for {@link #recover}: what {@code write} leaves behind is an interrupted write, which a
   * recovery ignores and {@link #removeObsolete} deletes.
   */
  interface StagedWrite {

    /** Writes and forces the snapshot's bytes where {@link #publish()} will find them. Any thread. */
    void write() throws IOException;

    /**
     * Makes the written snapshot the one stored at its position, as {@link SnapshotStorage#write}
     * would; durable when this returns. Node thread, only after {@link #write()} returned normally.
     *
     * @throws IOException if it could not be made durable; a previous snapshot at that position is
     *     then unchanged
     */
    void publish() throws IOException;

    /** Removes what {@link #write()} left, quietly; for a staged write that is not published. */
    void discard();
  }

  /**
   * Prepares {@code snap} for a {@link StagedWrite} (node thread). The default stages nothing: its
   * {@code write} does nothing and its {@code publish} is {@link #write(Snapshot)}, for storages
   * whose writes are cheap (memory) or that cannot split them.
   *
   * @throws IOException if it cannot be prepared (nothing is then left behind)
   */
  default StagedWrite stage(Snapshot snap) throws IOException {
    return new StagedWrite() {
      @Override
      public void write() {}

      @Override
      public void publish() throws IOException {
        SnapshotStorage.this.write(snap);
      }

      @Override
      public void discard() {}
    };
  }

  /**
   * Reads and verifies the snapshot at {@code (term, index)}.
   *
   * @throws SnapshotCorruptException if it fails verification
   * @throws IOException if it does not exist or cannot be read
   */
  Snapshot read(long term, long index) throws IOException;

  /** Deletes the snapshot at {@code (term, index)} if present; durable when this returns. */
  void delete(long term, long index) throws IOException;

  /**
   * Picks the snapshot to start from: the newest (highest term, then highest index) that
   * verifies, and a finding for everything else. Reads only, never deletes.
   */
  SnapshotRecovery recover() throws IOException;

  /**
   * Deletes what {@code recovery} found to be garbage: interrupted writes, legacy index-0
   * snapshots and valid snapshots older than the adopted one. Damaged files are kept.
   *
   * @return the number of snapshots or files deleted
   */
  int removeObsolete(SnapshotRecovery recovery) throws IOException;

  /** Deletes every snapshot, damaged ones included (a Raft reset). */
  void deleteAll() throws IOException;
}
