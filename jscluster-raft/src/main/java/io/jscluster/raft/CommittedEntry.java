package io.jscluster.raft;

import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.EntryType;
import java.util.List;

/**
 * One element of the apply queue: the entries committed at {@code index} that the upper layer
 * must apply. The list may be empty (for example a batch holding only peer state); the upper layer
 * must still confirm it with {@link RaftNode#applied(long, long)}.
 *
 * <p><b>Snapshots.</b> An element whose only entry is of type {@link EntryType#SNAPSHOT} ({@link
 * #isSnapshot()}) carries a whole upper-layer state: the upper layer must replace its state by the
 * one in {@link #snapshotData()}, which reflects every index up to and including {@code index},
 * then confirm {@code index} with {@code applied} as usual. The core delivers one when it starts
 * from a stored snapshot, when a leader's snapshot was installed during catch-up, on {@link
 * RaftNode#drainAndReplaySnapshot(long)}, and when an entry proposed with {@link
 * RaftNode#sendSnapshot(long, byte[])} commits.
 *
 * @param index the committed log index
 * @param entries the surfaced entries, in order (immutable)
 */
public record CommittedEntry(long index, List<Entry> entries) {

  /** Copies the entry list. */
  public CommittedEntry {
    entries = List.copyOf(entries);
  }

  /** True when this element is a snapshot to restore from: exactly one {@code SNAPSHOT} entry. */
  public boolean isSnapshot() {
    return entries.size() == 1 && entries.get(0).type() == EntryType.SNAPSHOT;
  }

  /**
   * The snapshot bytes of a snapshot element (shared, must not be modified).
   *
   * @throws IllegalStateException when {@link #isSnapshot()} is false
   */
  public byte[] snapshotData() {
    if (!isSnapshot()) {
      throw new IllegalStateException("index " + index + " is not a snapshot");
    }
    return entries.get(0).data();
  }
}
