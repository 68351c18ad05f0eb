package io.jscluster.raft.log;

/**
 * A failure of a {@link RaftLog} or {@link TermVoteStore} operation. The {@link Kind} tells the
 * core how to react: {@link Kind#NOT_FOUND} and {@link Kind#BEYOND_END} are ordinary lookups of
 * absent indexes, {@link Kind#CLOSED} means the store was closed, and every other kind is a storage
 * failure that the core treats as a sticky write error (the node shuts down).
 */
public class LogException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** The index is at or below the last index but is no longer held (compacted or deleted). */
    NOT_FOUND,
    /** The index is above the last index. */
    BEYOND_END,
    /** An append did not use {@code lastIndex() + 1}, or a truncation/compaction index is invalid. */
    SEQUENCE_MISMATCH,
    /** The store has been closed. */
    CLOSED,
    /** Stored bytes failed validation (checksum, framing). */
    CORRUPT,
    /** The underlying storage failed (I/O error, disk full). */
    IO
  }

  private final Kind kind;
  private final long index;

  /**
   * Creates an exception.
   *
   * @param kind the failure kind
   * @param index the log index concerned, or -1 when none
   * @param message a description
   */
  public LogException(Kind kind, long index, String message) {
    super(kind + (index >= 0 ? " at index " + index : "") + ": " + message);
    this.kind = kind;
    this.index = index;
  }

  /**
   * Creates an exception wrapping a cause (typically an {@link java.io.IOException}).
   *
   * @param kind the failure kind
   * @param index the log index concerned, or -1 when none
   * @param message a description
   * @param cause the underlying failure
   */
  public LogException(Kind kind, long index, String message, Throwable cause) {
    super(kind + (index >= 0 ? " at index " + index : "") + ": " + message, cause);
    this.kind = kind;
    this.index = index;
  }

  /** The failure kind. */
  public Kind kind() {
    return kind;
  }

  /** The log index concerned, or -1. */
  public long index() {
    return index;
  }

  /** True for lookups of absent indexes ({@link Kind#NOT_FOUND}, {@link Kind#BEYOND_END}). */
  public boolean isMissing() {
    return kind == Kind.NOT_FOUND || kind == Kind.BEYOND_END;
  }
}
