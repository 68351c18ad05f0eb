package io.jscluster.raft.log;

/**
 * When a {@link RaftLog} forces its writes to stable storage. Every policy honours the contract of
 * {@link RaftLog#sync()} except {@link #NEVER}, which exists for benchmarks and tests that accept
 * losing acknowledged data on a crash.
 */
public enum FsyncPolicy {
  /** Every mutating call is durable when it returns; {@link RaftLog#sync()} has nothing left to do. */
  ALWAYS,
  /**
   * Mutations are buffered; {@link RaftLog#sync()} forces all of them and is durable when it
   * returns. This lets a caller batch many appends behind one fsync.
   */
  ON_SYNC,
  /**
   * Mutations are buffered as for {@link #ON_SYNC}, but {@link RaftLog#sync()} hands them to the
   * operating system and forces them only when the configured interval has passed since the last
   * force. A process crash loses nothing that {@code sync()} returned for; a power loss may lose up
   * to one interval of acknowledged writes. Opt-in; implementations without a clock treat it as
   * {@link #ON_SYNC}.
   */
  INTERVAL,
  /**
   * Nothing is ever forced; {@link RaftLog#sync()} only hands buffered data to the operating system.
   * Violates the persistence rule of Raft: a crash may lose acknowledged entries or votes.
   */
  NEVER
}
