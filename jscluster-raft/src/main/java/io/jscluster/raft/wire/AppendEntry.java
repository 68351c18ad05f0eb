package io.jscluster.raft.wire;

import java.util.List;
import java.util.Objects;

/**
 * An append-entry batch (AE). A batch with entries occupies exactly one log index, {@code pindex +
 * 1}; a batch without entries is a heartbeat and is never stored.
 *
 * @param leader the sender's 8-character id ({@code ""} encodes as eight zero bytes)
 * @param term the term the batch was created in
 * @param commit the leader's commit index when sent
 * @param pterm the term of the entry preceding this batch
 * @param pindex the index preceding this batch
 * @param entries the entries, in order (immutable copy kept)
 * @param lterm the leader's current term when re-sending historic entries during catch-up, else 0
 */
public record AppendEntry(String leader, long term, long commit, long pterm, long pindex,
    List<Entry> entries, long lterm) implements RaftMessage {

  /** Copies the entry list. */
  public AppendEntry {
    Objects.requireNonNull(leader, "leader");
    entries = List.copyOf(entries);
  }

  /** The term receivers check: {@code lterm} when set, else {@code term}. */
  public long checkTerm() {
    return lterm != 0 ? lterm : term;
  }

  /** True for a batch without entries. */
  public boolean isHeartbeat() {
    return entries.isEmpty();
  }

  /** The same batch stamped with another {@code lterm}. */
  public AppendEntry withLterm(long newLterm) {
    return new AppendEntry(leader, term, commit, pterm, pindex, entries, newLterm);
  }
}
