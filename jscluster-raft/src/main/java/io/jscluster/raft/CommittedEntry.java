package io.jscluster.raft;

import io.jscluster.raft.wire.Entry;
import java.util.List;

/**
 * One element of the apply queue: the entries committed at {@code index} that the upper layer
 * must apply. The list may be empty (for example a batch holding only peer state); the upper layer
 * must still confirm it with {@link RaftNode#applied(long, long)}.
 *
 * @param index the committed log index
 * @param entries the surfaced entries, in order (immutable)
 */
public record CommittedEntry(long index, List<Entry> entries) {

  /** Copies the entry list. */
  public CommittedEntry {
    entries = List.copyOf(entries);
  }
}
