package io.jscluster.raft;

import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.LogException;
import io.jscluster.raft.log.LogRecord;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.RaftLog;

/**
 * A {@link RaftLog} over a {@link MemoryRaftLog} that can simulate two storage faults the Go
 * catalogue injects into its WAL: one record deleted in place (a half-finished truncation before a
 * hard kill) and a truncate that always fails.
 */
class ForwardingRaftLog implements RaftLog {

  final MemoryRaftLog delegate;
  /** Index whose record reads as NOT_FOUND while the delegate still holds it (0 = none). */
  long deletedIndex;
  /** When set, every {@link #truncateAfter} fails with an IO error. */
  boolean failTruncate;

  ForwardingRaftLog(MemoryRaftLog delegate) {
    this.delegate = delegate;
  }

  @Override
  public long firstIndex() {
    return delegate.firstIndex();
  }

  @Override
  public long lastIndex() {
    return delegate.lastIndex();
  }

  @Override
  public long lastTerm() {
    return delegate.lastTerm();
  }

  @Override
  public long byteSize() {
    return delegate.byteSize();
  }

  @Override
  public LogRecord read(long index) {
    if (deletedIndex != 0 && index == deletedIndex && index <= delegate.lastIndex()) {
      throw new LogException(LogException.Kind.NOT_FOUND, index, "record deleted");
    }
    return delegate.read(index);
  }

  @Override
  public void append(long index, long term, byte[] data) {
    delegate.append(index, term, data);
  }

  @Override
  public void truncateAfter(long index) {
    if (failTruncate) {
      throw new LogException(LogException.Kind.IO, index, "test: truncate always fails");
    }
    delegate.truncateAfter(index);
    if (deletedIndex > index) {
      deletedIndex = 0;
    }
  }

  @Override
  public void compactUpTo(long index) {
    delegate.compactUpTo(index);
  }

  @Override
  public void sync() {
    delegate.sync();
  }

  @Override
  public FsyncPolicy fsyncPolicy() {
    return delegate.fsyncPolicy();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
