package io.jscluster.core.sync;

import io.jscluster.codec.ops.DeleteRange;
import io.jscluster.core.store.StreamStore;

/**
 * How a committed op 15 entry from the stream's Raft log is applied (unlike catch-up, the log
 * path tolerates replays and overlaps).
 */
public final class DeleteRangeApply {

  private DeleteRangeApply() {}

  /**
   * Applies {@code dr} over a stream whose last applied sequence is {@code lseq}: an empty range
   * or one that ends at or below {@code lseq} changes nothing (replays are idempotent); a range
   * that overlaps {@code lseq} is trimmed to start at {@code lseq+1}; the rest is skipped in the
   * store. The caller clears pre-acks in the range.
   *
   * @return the new last applied sequence
   * @throws io.jscluster.core.store.StoreException when the store refuses the skip (the apply
   *     must stop)
   */
  public static long apply(StreamStore store, long lseq, DeleteRange dr) {
    if (dr.num() == 0) {
      return lseq;
    }
    long first = dr.first();
    long last = first + dr.num() - 1;
    if (Long.compareUnsigned(lseq, last) >= 0) {
      return lseq;
    }
    if (Long.compareUnsigned(lseq, first) >= 0) {
      first = lseq + 1;
    }
    store.skip(first, last - first + 1);
    return last;
  }
}
