package io.jscluster.codec.state;

import java.util.function.LongPredicate;

/**
 * A block of deleted stream sequences inside a stream snapshot: an AVL {@link SequenceSet}, a
 * run-length {@link DeleteRange}, or a legacy {@link DeleteSlice}.
 *
 * <p>{@code first}, {@code last} and {@code num} are nats-server's {@code State()} triple, with
 * its conventions for empty blocks; all three are unsigned.
 */
public sealed interface DeleteBlock permits SequenceSet, DeleteRange, DeleteSlice {

  /** The first deleted sequence (0 for an empty set or slice). */
  long first();

  /** The last deleted sequence, as nats-server reports it. */
  long last();

  /** How many sequences the block deletes. */
  long num();

  /**
   * Visits the deleted sequences in ascending order until {@code f} returns false.
   *
   * @return false if {@code f} stopped the visit
   */
  boolean forEach(LongPredicate f);

  /** The total {@link #num()} of a list of blocks: the snapshot's number of deleted sequences. */
  static long numDeleted(Iterable<? extends DeleteBlock> blocks) {
    long total = 0;
    for (DeleteBlock b : blocks) {
      total += b.num();
    }
    return total;
  }
}
