package io.jscluster.raft.log;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link RaftLog} held in memory, which also models durability so that a simulation can crash
 * and restart a node from exactly what it had synced.
 *
 * <p>Mutations since the last {@link #sync()} are kept as a journal. {@link #afterCrash(int)}
 * builds the log a restarted node would find: the synced state plus the first {@code n} journal
 * operations (0 = nothing unsynced survived; a positive {@code n} models writes that reached the
 * disk without an fsync, a torn tail being a prefix of them). Byte accounting follows NRG's memory
 * store: 16 bytes of overhead per record plus its payload.
 *
 * <p>Not thread-safe.
 */
public final class MemoryRaftLog implements RaftLog {

  /** Per-record overhead NRG's memory store accounts. */
  public static final int RECORD_OVERHEAD = 16;

  private final FsyncPolicy policy;
  private final Segment live;
  private final Segment durable;
  private final List<Op> journal = new ArrayList<>();
  private boolean closed;
  private long syncs;

  /** A new, empty log with {@link FsyncPolicy#ON_SYNC}. */
  public MemoryRaftLog() {
    this(FsyncPolicy.ON_SYNC);
  }

  /** A new, empty log honouring {@code policy}. */
  public MemoryRaftLog(FsyncPolicy policy) {
    this(policy, new Segment(), new Segment());
  }

  private MemoryRaftLog(FsyncPolicy policy, Segment live, Segment durable) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.live = live;
    this.durable = durable;
  }

  @Override
  public long firstIndex() {
    checkOpen();
    return live.first;
  }

  @Override
  public long lastIndex() {
    checkOpen();
    return live.last;
  }

  @Override
  public long lastTerm() {
    checkOpen();
    return live.isEmpty() ? 0 : live.get(live.last).term();
  }

  @Override
  public long byteSize() {
    checkOpen();
    return live.bytes;
  }

  @Override
  public LogRecord read(long index) {
    checkOpen();
    if (index <= 0 || index > live.last) {
      throw new LogException(LogException.Kind.BEYOND_END, index, "last index is " + live.last);
    }
    if (index < live.first) {
      throw new LogException(LogException.Kind.NOT_FOUND, index, "first index is " + live.first);
    }
    return live.get(index);
  }

  @Override
  public void append(long index, long term, byte[] data) {
    checkOpen();
    Objects.requireNonNull(data, "data");
    if (index != live.last + 1) {
      throw new LogException(LogException.Kind.SEQUENCE_MISMATCH, index,
          "expected index " + (live.last + 1));
    }
    if (term <= 0) {
      throw new LogException(LogException.Kind.SEQUENCE_MISMATCH, index, "term must be positive");
    }
    record(new Op.Append(new LogRecord(index, term, data)));
  }

  @Override
  public void truncateAfter(long index) {
    checkOpen();
    if (index < 0) {
      throw new LogException(LogException.Kind.SEQUENCE_MISMATCH, index, "negative index");
    }
    if (index < live.last) {
      record(new Op.Truncate(index));
    }
  }

  @Override
  public void compactUpTo(long index) {
    checkOpen();
    if (index < 0) {
      throw new LogException(LogException.Kind.SEQUENCE_MISMATCH, index, "negative index");
    }
    if (index >= live.first) {
      record(new Op.Compact(index));
    }
  }

  @Override
  public void sync() {
    checkOpen();
    if (policy != FsyncPolicy.NEVER) {
      flushJournal();
    }
    syncs++;
  }

  @Override
  public FsyncPolicy fsyncPolicy() {
    return policy;
  }

  @Override
  public void close() {
    closed = true;
  }

  /** How many times {@link #sync()} was called. */
  public long syncCount() {
    return syncs;
  }

  /** How many mutations are not yet durable. */
  public int unsyncedOperations() {
    return journal.size();
  }

  /**
   * The log a node restarted after a crash would open: the durable state plus the first {@code
   * survivingUnsynced} unsynced mutations (clamped to how many exist). This log is left unchanged
   * and may be discarded.
   */
  public MemoryRaftLog afterCrash(int survivingUnsynced) {
    Segment restored = durable.copy();
    int n = Math.max(0, Math.min(survivingUnsynced, journal.size()));
    for (int i = 0; i < n; i++) {
      journal.get(i).applyTo(restored);
    }
    return new MemoryRaftLog(policy, restored, restored.copy());
  }

  private void record(Op op) {
    op.applyTo(live);
    journal.add(op);
    if (policy == FsyncPolicy.ALWAYS) {
      flushJournal();
    }
  }

  private void flushJournal() {
    for (Op op : journal) {
      op.applyTo(durable);
    }
    journal.clear();
  }

  private void checkOpen() {
    if (closed) {
      throw new LogException(LogException.Kind.CLOSED, -1, "log closed");
    }
  }

  /** A mutation, replayable onto a segment. */
  private sealed interface Op {
    void applyTo(Segment s);

    record Append(LogRecord rec) implements Op {
      @Override
      public void applyTo(Segment s) {
        s.append(rec);
      }
    }

    record Truncate(long index) implements Op {
      @Override
      public void applyTo(Segment s) {
        s.truncateAfter(index);
      }
    }

    record Compact(long index) implements Op {
      @Override
      public void applyTo(Segment s) {
        s.compactUpTo(index);
      }
    }
  }

  /** A contiguous run of records {@code first..last} in a growable ring of references. */
  private static final class Segment {
    long first = 1;
    long last;
    long bytes;
    LogRecord[] ring = new LogRecord[16];
    int head;

    boolean isEmpty() {
      return first > last;
    }

    int count() {
      return (int) (last - first + 1);
    }

    LogRecord get(long index) {
      return ring[(head + (int) (index - first)) & (ring.length - 1)];
    }

    void append(LogRecord rec) {
      int n = isEmpty() ? 0 : count();
      if (n == ring.length) {
        LogRecord[] bigger = new LogRecord[ring.length * 2];
        for (int i = 0; i < n; i++) {
          bigger[i] = ring[(head + i) & (ring.length - 1)];
        }
        ring = bigger;
        head = 0;
      }
      if (n == 0) {
        first = rec.index();
      }
      ring[(head + n) & (ring.length - 1)] = rec;
      last = rec.index();
      bytes += RECORD_OVERHEAD + rec.data().length;
    }

    void truncateAfter(long index) {
      if (index >= last) {
        return;
      }
      if (index < first - 1 || index < first) {
        clear(index + 1);
        return;
      }
      for (long i = index + 1; i <= last; i++) {
        int slot = (head + (int) (i - first)) & (ring.length - 1);
        bytes -= RECORD_OVERHEAD + ring[slot].data().length;
        ring[slot] = null;
      }
      last = index;
    }

    void compactUpTo(long index) {
      if (index < first) {
        return;
      }
      if (index >= last) {
        clear(index + 1);
        return;
      }
      while (first <= index) {
        bytes -= RECORD_OVERHEAD + ring[head].data().length;
        ring[head] = null;
        head = (head + 1) & (ring.length - 1);
        first++;
      }
    }

    private void clear(long newFirst) {
      java.util.Arrays.fill(ring, null);
      head = 0;
      first = newFirst;
      last = newFirst - 1;
      bytes = 0;
    }

    Segment copy() {
      Segment s = new Segment();
      s.first = first;
      s.last = last;
      s.bytes = bytes;
      s.ring = ring.clone();
      s.head = head;
      return s;
    }
  }
}
