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
}
