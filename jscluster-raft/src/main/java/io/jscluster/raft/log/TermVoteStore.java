package io.jscluster.raft.log;

/**
 * Stable storage for the current term and vote ({@code tav.idx} in NRG). The core writes here
 * before it answers a vote request or adopts a term that it promised to keep.
 *
 * <p>One thread at a time; implementations need not be thread-safe.
 */
public interface TermVoteStore {

  /**
   * The last durably stored value, or {@link TermVote#NONE} when nothing was stored.
   *
   * @throws LogException IO or CORRUPT when the stored value cannot be read
   */
  TermVote load();

  /**
   * Stores {@code value}; it is durable when this returns. Storing a value equal to the last stored
   * one may be skipped.
   *
   * @throws LogException IO on failure (the caller treats this as a sticky write error)
   */
  void save(TermVote value);

  /**
   * The data-loss mark: the term up to which this node may have lost log entries it had
   * acknowledged, because its log was found damaged or cut short when it was opened; 0 when it
   * never was, or has since caught up with a leader of a later term. It survives restarts until
   * cleared, so a node that loses data, restarts again before catching up and then finds a
   * clean-looking (but short) log still knows its log cannot be trusted for elections.
   *
   * @throws LogException IO or CORRUPT when the stored mark cannot be read
   */
  default long dataLossTerm() {
    return 0;
  }

  /**
   * Stores the data-loss mark ({@code 0} clears it); durable when this returns. The default accepts
   * only 0: a store that cannot remember a mark fails with IO, and the node then stops rather than
   * vote with a log it knows to be short.
   *
   * @throws LogException IO on failure (the caller treats this as a sticky write error)
   */
  default void saveDataLossTerm(long term) {
    if (term != 0) {
      throw new LogException(LogException.Kind.IO, -1, "this store cannot record a data-loss mark");
    }
  }
}
