package io.jscluster.core;

import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.LogException;
import io.jscluster.raft.log.LogRecord;
import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.wal.FileRaftLog;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file Raft log whose {@link #sync()} does not wait for the disk: it hands the buffered records to
 * the operating system, counts a new <em>sync generation</em> and asks an I/O executor to force the
 * log's files; when that force completes, {@link Listener#durable} reports the generation on the
 * node's scheduler. The node keeps working meanwhile (accepting proposals, building the next append
 * entry, applying to the store), and a later force covers every sync requested before it started,
 * so forces coalesce by themselves under load.
 *
 * <p><b>What keeps this correct.</b> Returning from {@code sync()} early is only safe because the
 * {@link RaftGroupHost} driving the node holds back <em>everything the node emits</em> after a sync
 * request — messages and upcalls (committed entries, markers, leader changes) — until the force of
 * that generation completed, and releases them in order. So nothing outside the node can observe a
 * state that depended on the sync before it is durable: the history seen from outside is that of a
 * node whose {@code sync()} blocked, and a crash before the force equals a crash inside a blocking
 * {@code sync()}. A failed force fails the log: later mutations throw, the host stops the node and
 * drops what it held.
 *
 * <p>Truncations are forced before they return (on the caller's thread), so records cut off can
 * never reappear behind newer ones after a power loss. Compactions need no force: the first index
 * is recorded atomically and durably, and stale segment files are deleted on reopening.
 *
 * <p>A segment file is forced when its size changed since its last force, or when the wrapped log
 * is a {@link FileRaftLog} that reports having written it ({@link FileRaftLog#takeWrittenSegments}):
 * with spare segments on, records are written over a reused file without changing its size.
 *
 * <p>The wrapped log must use {@link FsyncPolicy#NEVER} (it never forces by itself, but for the
 * few ordering forces a {@link FileRaftLog} with spare segments makes on the node's thread: a
 * reused file's header, the segment it leaves at a roll, the directory before a truncation into an
 * earlier segment); this log
 * reports {@link FsyncPolicy#ON_SYNC}, the policy it honours. The files are forced through handles
 * of the forcing thread's own (an fsync covers every write to the file made before it started, from
 * any descriptor), so the wrapped log is only ever touched by the node's thread.
 */
public final class BackgroundSyncLog implements RaftLog {

  private static final Logger LOG = LoggerFactory.getLogger(BackgroundSyncLog.class);
  /** The WAL's segment files; its other files (meta, lock) are replaced atomically and durably by it. */
  private static final String SEGMENT_SUFFIX = ".seg";

  /** Where completions are reported; called on the scheduler given to {@link #bind}. */
  public interface Listener {
    /** Every sync requested up to generation {@code gen} is durable. */
    void durable(long gen);

    /** A force failed: nothing requested since the last durable generation can be trusted. */
    void failed(LogException e);
  }

  private final RaftLog delegate;
  private final Path dir;
  private final Executor io;
  private final Object forceLock = new Object();
  /** A forcing handle and the identity of the file it was opened on. */
  private static final class Handle {
    final FileChannel channel;
    final Object fileKey;
    /** The file's size at its last force; a segment only grows between truncations. */
    long forcedSize = -1;

    Handle(FileChannel channel, Object fileKey) {
      this.channel = channel;
      this.fileKey = fileKey;
    }
  }

  /** Files forced, by path; touched only under {@link #forceLock}. */
  private final Map<Path, Handle> channels = new HashMap<>();
  private final Runnable forceTask = this::forceRequested;
  /**
   * Segment files the wrapped {@link FileRaftLog} wrote since they were last forced; added on the
   * node's thread before the sync generation that covers the writes is published, taken by the
   * forcing thread after it read that generation.
   */
  private final Set<Path> writtenSegments = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile long requested;
  private final java.util.concurrent.atomic.AtomicBoolean queued = new java.util.concurrent.atomic.AtomicBoolean();
  /** The newest generation forced; under {@link #forceLock}. */
  private long forced;
  private volatile LogException failure;
  private volatile Scheduler scheduler;
  private volatile Listener listener;
  private boolean closed;

  /**
   * Wraps {@code delegate}, whose files are in {@code dir}, forcing them on {@code io}.
   *
   * @throws IllegalArgumentException when the delegate forces by itself (policy other than NEVER)
   */
  public BackgroundSyncLog(RaftLog delegate, Path dir, Executor io) {
    if (delegate.fsyncPolicy() != FsyncPolicy.NEVER) {
      throw new IllegalArgumentException("the wrapped log must not force by itself: " + delegate.fsyncPolicy());
    }
    this.delegate = delegate;
    this.dir = dir;
    this.io = io;
    // What the log recovered is what its files hold: the outstanding-force bookkeeping has always
    // treated it as durable, and so does the leader's commit count.
    this.durable = delegate.lastIndex();
  }

  /** Reports completions to {@code l} on {@code s}. Call before the first sync. */
  public void bind(Scheduler s, Listener l) {
    this.scheduler = s;
    this.listener = l;
  }

  /**
   * Syncs requested and not yet reported durable to this log's owner, oldest first: each the
   * generation and the last index it covers. Node thread only.
   */
  private final java.util.ArrayDeque<long[]> outstanding = new java.util.ArrayDeque<>();
  /** The last index known forced; see {@link #durableIndex()}. Node thread only. */
  private long durable;

  /**
   * The generation whose force makes index {@code index} durable, or 0 when no requested sync that
   * is still outstanding covers it (it is durable already, or no sync was requested for it yet).
   * Node thread only.
   */
  public long generationCovering(long index) {
    for (long[] o : outstanding) {
      if (o[1] >= index) {
        return o[0];
      }
    }
    return 0;
  }

  /** The owner learned that generation {@code gen} is durable. Node thread only. */
  public void durableUpTo(long gen) {
    while (!outstanding.isEmpty() && outstanding.peek()[0] <= gen) {
      long upTo = outstanding.poll()[1];
      if (upTo > durable) {
        durable = upTo;
      }
    }
  }

  /**
   * The highest index whose force the owner learned of through {@link #durableUpTo} (or that was on
   * disk when the log was opened, or forced by a truncation), capped at the last index. Node thread
   * only.
   */
  @Override
  public long durableIndex() {
    return Math.min(durable, delegate.lastIndex());
  }

  /** The newest sync generation requested (0 before the first sync). */
  public long requestedGeneration() {
    return requested;
  }

  /** The wrapped log. */
  public RaftLog delegate() {
    return delegate;
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
    return delegate.read(index);
  }

  @Override
  public long termAt(long index) {
    return delegate.termAt(index);
  }

  @Override
  public void append(long index, long term, byte[] data) {
    checkWritable();
    delegate.append(index, term, data);
  }

  @Override
  public void appendAll(List<LogRecord> records) {
    checkWritable();
    delegate.appendAll(records);
  }

  @Override
  public Optional<LogException> failure() {
    LogException f = failure;
    return f != null ? Optional.of(f) : delegate.failure();
  }

  @Override
  public Optional<String> recoveryDamage() {
    return delegate.recoveryDamage();
  }

  @Override
  public void truncateAfter(long index) {
    checkWritable();
    delegate.truncateAfter(index);
    // Forced now, before anything is appended behind the cut (see the class comment).
    delegate.sync();
    long gen = ++requested;
    forceNow(gen);
    // Everything requested so far is durable now; an older entry would also name indexes the cut
    // has since given to other records.
    outstanding.clear();
    durable = delegate.lastIndex();
  }

  @Override
  public void compactUpTo(long index) {
    checkWritable();
    delegate.compactUpTo(index);
  }

  /**
   * Writes the buffered records out to the operating system and requests a force of them; returns
   * without waiting. Not durable until {@link Listener#durable} reports this generation.
   */
  @Override
  public void sync() {
    checkWritable();
    delegate.sync();
    if (delegate instanceof FileRaftLog f) {
      writtenSegments.addAll(f.takeWrittenSegments());
    }
    requested++;
    outstanding.add(new long[] {requested, delegate.lastIndex()});
    // One queued task at a time: it forces whatever was requested when it starts.
    if (queued.compareAndSet(false, true)) {
      io.execute(forceTask);
    }
  }

  @Override
  public FsyncPolicy fsyncPolicy() {
    return FsyncPolicy.ON_SYNC;
  }

  /** Closes the wrapped log and the forcing handles; a force still queued finds nothing to do. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      delegate.close();
    } finally {
      synchronized (forceLock) {
        closeChannels();
        forced = Long.MAX_VALUE;
      }
    }
  }

  private void checkWritable() {
    LogException f = failure;
    if (f != null) {
      throw new LogException(LogException.Kind.IO, -1, "WAL force failed earlier in " + dir, f);
    }
  }

  /** The I/O task: forces what was requested when it started, unless a later task already did. */
  private void forceRequested() {
    queued.set(false);
    long gen = requested;
    forceUpTo(gen, false);
  }

  private void forceNow(long gen) {
    forceUpTo(gen, true);
    LogException f = failure;
    if (f != null) {
      throw f;
    }
  }

  private void forceUpTo(long gen, boolean all) {
    synchronized (forceLock) {
      if (gen <= forced || failure != null) {
        return;
      }
      try {
        forceFiles(all);
        forced = gen;
      } catch (IOException | RuntimeException e) {
        LogException le = new LogException(LogException.Kind.IO, -1, "WAL force failed in " + dir, e);
        failure = le;
        LOG.error("WAL force in {} failed; the group stops", dir, e);
        closeChannels();
        report(null, le);
        return;
      }
    }
    // Reported through the scheduler even when forced inline, so the listener sees one order.
    report(gen, null);
  }

  private void report(Long gen, LogException e) {
    Scheduler s = scheduler;
    Listener l = listener;
    if (s == null || l == null) {
      return;
    }
    if (e != null) {
      s.schedule(0, () -> l.failed(e));
    } else {
      long g = gen;
      // Due at time 0: ahead of the tasks already queued (a burst of publishes), since everything
      // the node withheld waits for it.
      s.schedule(0, () -> l.durable(g));
    }
  }

  /**
   * Forces the log's segment files that grew since their last force (every one with {@code all});
   * the directory too when files appeared since.
   */
  private void forceFiles(boolean force) throws IOException {
    Set<Path> seen = new HashSet<>();
    boolean appeared = false;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (!p.getFileName().toString().endsWith(SEGMENT_SUFFIX)) {
          continue;
        }
        BasicFileAttributes attrs;
        try {
          attrs = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (NoSuchFileException gone) {
          // Deleted meanwhile (compaction): nothing of it needs to be durable.
          continue;
        }
        Object key = attrs.fileKey();
        seen.add(p);
        Handle h = channels.get(p);
        if (h != null && (key == null || !key.equals(h.fileKey))) {
          // Replaced under the same name (a reset reusing a segment name).
          h.channel.close();
          h = null;
        }
        if (h == null) {
          FileChannel ch;
          try {
            ch = FileChannel.open(p, StandardOpenOption.WRITE);
          } catch (NoSuchFileException gone) {
            seen.remove(p);
            continue;
          }
          h = new Handle(ch, key);
          channels.put(p, h);
          appeared = true;
        }
        long size = attrs.size();
        boolean written = writtenSegments.remove(p);
        if (size != h.forcedSize || force || written) {
          h.channel.force(false);
          h.forcedSize = size;
        }
      }
    }
    // Files gone since (compacted into spares or deleted) need no force; a file that appears
    // later is forced as new anyway.
    writtenSegments.retainAll(seen);
    for (Iterator<Map.Entry<Path, Handle>> it = channels.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Path, Handle> e = it.next();
      if (!seen.contains(e.getKey())) {
        e.getValue().channel.close();
        it.remove();
      }
    }
    if (appeared) {
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      } catch (IOException e) {
        // Some platforms cannot open a directory for fsync; a rename or create is then as durable
        // as they allow.
        LOG.debug("directory fsync unsupported for {}: {}", dir, e.toString());
      }
    }
  }

  private void closeChannels() {
    for (Handle h : channels.values()) {
      try {
        h.channel.close();
      } catch (IOException e) {
        LOG.debug("closing {} failed: {}", dir, e.toString());
      }
    }
    channels.clear();
  }

  @Override
  public String toString() {
    return "BackgroundSyncLog[" + delegate + "]";
  }
}
