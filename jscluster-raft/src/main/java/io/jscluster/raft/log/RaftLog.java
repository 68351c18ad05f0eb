package io.jscluster.raft.log;

/**
 * The Raft log: one record per log index, each holding the term and the opaque encoded bytes of
 * one append-entry batch (NRG stores a whole batch at one index).
 *
 * <p><b>Index range.</b> The log holds the contiguous range {@link #firstIndex()} ..
 * {@link #lastIndex()}. It is empty exactly when {@code firstIndex() == lastIndex() + 1}. A new log
 * has {@code firstIndex() == 1} and {@code lastIndex() == 0}. Compaction (after a snapshot) can
 * leave an empty log whose first index is far above 1.
 *
 * <p><b>Durability.</b> Mutations ({@link #append}, {@link #truncateAfter}, {@link #compactUpTo})
 * are visible to reads immediately but are durable only once {@link #sync()} returns, unless the
 * {@link #fsyncPolicy()} is {@link FsyncPolicy#ALWAYS}. After a crash a log reopens with a state
 * that includes every mutation made before the last completed {@code sync()}; later mutations may
 * be present, absent, or present in part (a prefix of the appends).
 *
 * <p><b>Threading.</b> One thread at a time; implementations need not be thread-safe. No method
 * may be called after {@link #close()} except {@code close()} itself.
 *
 * <p><b>Errors.</b> Every failure is a {@link LogException} whose {@link LogException.Kind} says
 * whether it is an absent index, a misuse, a closed log or a storage failure.
 */
public interface RaftLog extends AutoCloseable {

  /**
   * The first index held, or {@code lastIndex() + 1} when the log is empty.
   *
   * @throws LogException of kind CLOSED after {@link #close()}
   */
  long firstIndex();

  /**
   * The last index ever appended and not truncated (0 for a new log). After compaction past the
   * end this is the compaction index even though nothing is held.
   *
   * @throws LogException of kind CLOSED after {@link #close()}
   */
  long lastIndex();

  /**
   * The term of the record at {@link #lastIndex()}, or 0 when the log is empty (the caller knows
   * the term of its snapshot).
   *
   * @throws LogException of kind CLOSED after {@link #close()}
   */
  long lastTerm();

  /** True when no record is held. */
  default boolean isEmpty() {
    return firstIndex() > lastIndex();
  }

  /** The number of records held. */
  default long size() {
    return lastIndex() - firstIndex() + 1;
  }

  /**
   * Bytes accounted for the records held, as this implementation counts them (for example payload
   * plus per-record overhead). Used only for reporting and snapshot heuristics.
   */
  long byteSize();

  /**
   * Reads the record at {@code index}. The returned array must not be modified.
   *
   * @throws LogException of kind NOT_FOUND if {@code 0 < index < firstIndex()} or the record is
   *     otherwise gone, BEYOND_END if {@code index > lastIndex()} or {@code index <= 0}, CORRUPT or
   *     IO if the stored bytes cannot be read back
   */
  LogRecord read(long index);

  /**
   * The term of the record at {@code index}; may be cheaper than {@link #read(long)}.
   *
   * @throws LogException as {@link #read(long)}
   */
  default long termAt(long index) {
    return read(index).term();
  }

  /**
   * Appends one record at {@code index}, which must be {@code lastIndex() + 1}. The log takes the
   * array as is (no copy): the caller must not modify it afterwards. Visible at once, durable only
   * after {@link #sync()} (or when this returns, under {@link FsyncPolicy#ALWAYS}).
   *
   * @param index the index to write, exactly {@code lastIndex() + 1}
   * @param term the term of the batch, positive
   * @param data the encoded batch
   * @throws LogException SEQUENCE_MISMATCH if {@code index != lastIndex() + 1} or {@code term <= 0},
   *     IO on storage failure, CLOSED after close
   */
  void append(long index, long term, byte[] data);

  /**
   * Appends {@code records} in order, as consecutive {@link #append} calls would, but lets an
   * implementation write them together: under {@link FsyncPolicy#ALWAYS} the whole batch is durable
   * when this returns, at the cost of one fsync rather than one per record (group commit). If a
   * record fails, the ones before it stay appended.
   *
   * @param records records whose indexes start at {@code lastIndex() + 1} and increase by one
   * @throws LogException as {@link #append}
   */
  default void appendAll(java.util.List<LogRecord> records) {
    for (LogRecord r : records) {
      append(r.index(), r.term(), r.data());
    }
  }

  /**
   * The storage failure that made this log unusable for writing, if one happened. Once set it never
   * clears: every later mutation and {@link #sync()} fails with kind IO, and the node must stop
   * acknowledging, voting and campaigning. Logs that cannot fail this way return empty.
   */
  default java.util.Optional<LogException> failure() {
    return java.util.Optional.empty();
  }

  /**
   * What opening this log found damaged and cut off, if anything: a torn or corrupt record and
   * everything after it, which are no longer served. Empty when it opened clean (and always for
   * logs without recovery). A node that finds damage may have lost records it acknowledged, and
   * must not vouch for its log in elections until it has caught up again.
   */
  default java.util.Optional<String> recoveryDamage() {
    return java.util.Optional.empty();
  }

  /**
   * Removes every record above {@code index}; afterwards {@code lastIndex() == index}. Truncating
   * at or above the last index changes nothing. Truncating below {@code firstIndex() - 1} empties
   * the log with {@code firstIndex() == index + 1} ({@code truncateAfter(0)} resets the log to the
   * state of a new one). Durable only after {@link #sync()} unless the policy is ALWAYS.
   *
   * @param index the last index to keep, {@code >= 0}
   * @throws LogException SEQUENCE_MISMATCH if {@code index < 0}, IO on storage failure, CLOSED after
   *     close
   */
  void truncateAfter(long index);

  /**
   * Drops every record at or below {@code index} (a snapshot covers them); afterwards {@code
   * firstIndex() == max(firstIndex(), index + 1)}. Compacting at or past the last index leaves
   * the log empty with {@code firstIndex() == index + 1} and {@code lastIndex() == index}. Durable
   * only after {@link #sync()} unless the policy is ALWAYS.
   *
   * @param index the last index to drop, {@code >= 0}
   * @throws LogException SEQUENCE_MISMATCH if {@code index < 0}, IO on storage failure, CLOSED after
   *     close
   */
  void compactUpTo(long index);

  /**
   * Makes every earlier mutation durable: when this returns, a crash cannot undo them (except
   * under {@link FsyncPolicy#NEVER}).
   *
   * @throws LogException IO if forcing to storage failed (the caller treats this as fatal), CLOSED
   *     after close
   */
  void sync();

  /**
   * The highest index known to be on disk, as of the last completed {@link #sync()}. A log whose
   * {@code sync()} forces before it returns (the default) is durable up to {@link #lastIndex()}
   * right after a sync, and its callers ask only then, so it reports {@code lastIndex()}. A log
   * whose {@code sync()} merely requests a force reports how far the forces completed so far; a
   * Raft leader counts its own copy of an entry toward a commit only up to this index.
   */
  default long durableIndex() {
    return lastIndex();
  }

  /** The fsync policy this log honours. */
  FsyncPolicy fsyncPolicy();

  /**
   * Releases resources. Does not imply {@link #sync()}. Idempotent.
   *
   * @throws LogException IO if releasing failed
   */
  @Override
  void close();
}
