package io.jscluster.raft.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.stream.Stream;

/**
 * A {@link ChannelOpener} whose channels remember, per file, what was forced and what was written
 * since, so that a test can build what a power loss would leave on disk: the content at the last
 * force plus any part of the later writes. Unlike cutting files back to their size at the last
 * sync, this sees writes over existing bytes (spare segments), which do not change the size.
 *
 * <p>Files are told apart by their file key (inode), so a spare renamed to a segment keeps its
 * history. Only segment files go through the opener; every other file of the log (meta, lock) is
 * copied as it is (they are replaced atomically and forced by the log itself). Directory entries
 * are taken as they are: creations, renames and deletions all survive.
 */
final class ForceTracker implements ChannelOpener {

  /** The page size of the page-granular crash images. */
  static final int PAGE = 4096;

  /** A change to a file made after its last force. */
  sealed interface Op permits Write, Truncate {
    void applyTo(Content c);
  }

  /** A write of {@code bytes} at {@code position}. */
  record Write(long position, byte[] bytes) implements Op {
    @Override
    public void applyTo(Content c) {
      c.write(position, bytes, 0, bytes.length);
    }
  }

  /** A truncation to {@code size}. */
  record Truncate(long size) implements Op {
    @Override
    public void applyTo(Content c) {
      c.truncate(size);
    }
  }

  /** A file's bytes. */
  static final class Content {
    byte[] bytes;

    Content(byte[] bytes) {
      this.bytes = bytes;
    }

    Content copy() {
      return new Content(bytes.clone());
    }

    void write(long position, byte[] src, int from, int length) {
      int end = (int) position + length;
      if (end > bytes.length) {
        bytes = Arrays.copyOf(bytes, end);
      }
      System.arraycopy(src, from, bytes, (int) position, length);
    }

    void truncate(long size) {
      if (size < bytes.length) {
        bytes = Arrays.copyOf(bytes, (int) size);
      }
    }
  }

  /** What is known of one file. */
  static final class FileState {
    /** The content as of the last force. */
    Content durable;
    /** Changes since, in order. */
    final List<Op> pending = new ArrayList<>();
    int forces;

    FileState(byte[] durable) {
      this.durable = new Content(durable);
    }

    /** The content with every change applied: what the operating system shows. */
    Content current() {
      Content c = durable.copy();
      pending.forEach(op -> op.applyTo(c));
      return c;
    }

    void force() {
      durable = current();
      pending.clear();
      forces++;
    }
  }

  private final Map<Object, FileState> files = new HashMap<>();
  /** Whether a force also forces the real file (off for throwaway images: fsyncs cost time). */
  private final boolean forceFiles;

  /** A tracker whose forces reach the real files too. */
  ForceTracker() {
    this(true);
  }

  /** A tracker whose forces reach the real files only if {@code forceFiles}. */
  ForceTracker(boolean forceFiles) {
    this.forceFiles = forceFiles;
  }

  @Override
  public FileChannel open(Path path, OpenOption... options) throws IOException {
    boolean existed = Files.exists(path);
    boolean truncate = Arrays.asList(options).contains(StandardOpenOption.TRUNCATE_EXISTING);
    FileChannel ch = FileChannel.open(path, options);
    Object key = key(path);
    FileState state = files.get(key);
    if (state == null || !existed || truncate) {
      // A new file (or one emptied on opening, or an inode number used again): nothing of it is
      // known to be durable but what it holds now, taken as durable.
      state = new FileState(existed && !truncate ? Files.readAllBytes(path) : new byte[0]);
      files.put(key, state);
    }
    return new Tracking(ch, state, forceFiles);
  }

  private static Object key(Path p) throws IOException {
    Object key = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    if (key == null) {
      throw new IOException("no file keys on this platform: cannot track " + p);
    }
    return key;
  }

  /** The state of the file now at {@code path}, or null when it never went through this opener. */
  FileState state(Path path) throws IOException {
    return files.get(key(path));
  }

  /** How often the file at {@code path} was forced through this opener's channels. */
  int forces(Path path) throws IOException {
    FileState s = state(path);
    return s == null ? 0 : s.forces;
  }

  /** What a power loss now leaves of a tracked file: chooses from its durable and pending state. */
  @FunctionalInterface
  interface Survivor {
    byte[] content(Path file, FileState state);
  }

  /** Only what was forced survives. */
  static final Survivor FORCED_ONLY = (file, state) -> state.durable.bytes.clone();

  /**
   * The changes since the last force reach the disk in order up to byte {@code n} of them (counted
   * over their written bytes; a truncation counts as none and survives once reached): the write
   * holding that byte survives only up to it. For the file {@code only}; every other file keeps
   * only what was forced.
   */
  static Survivor prefix(Path only, long n) {
    return (file, state) -> {
      if (!file.getFileName().equals(only.getFileName())) {
        return state.durable.bytes.clone();
      }
      Content c = state.durable.copy();
      long left = n;
      for (Op op : state.pending) {
        if (op instanceof Write w) {
          int part = (int) Math.min(left, w.bytes().length);
          c.write(w.position(), w.bytes(), 0, part);
          left -= part;
          if (part < w.bytes().length) {
            break;
          }
        } else {
          op.applyTo(c);
        }
      }
      return c.bytes;
    };
  }

  /**
   * Every change since the last force is in the page cache, and the pages of the file (file offset
   * / {@link #PAGE}) for which {@code persisted} holds reached the disk with their current content;
   * the others hold what was forced. The size is the current one (bytes never forced in a page that
   * did not reach the disk read as zeros). Only for files whose pending changes are writes. For the
   * file {@code only}; every other file keeps only what was forced.
   */
  static Survivor pages(Path only, IntPredicate persisted) {
    return (file, state) -> {
      if (!file.getFileName().equals(only.getFileName())) {
        return state.durable.bytes.clone();
      }
      for (Op op : state.pending) {
        if (!(op instanceof Write)) {
          throw new IllegalStateException("page images need pending writes only: " + op);
        }
      }
      byte[] now = state.current().bytes;
      byte[] out = Arrays.copyOf(state.durable.bytes, now.length);
      for (int page = 0; page * (long) PAGE < now.length; page++) {
        if (persisted.test(page)) {
          int from = page * PAGE;
          System.arraycopy(now, from, out, from, Math.min(PAGE, now.length - from));
        }
      }
      return out;
    };
  }

  /**
   * Writes into {@code to} what a power loss now leaves of the log directory {@code from}: every
   * tracked file as {@code survivor} chooses, every other file as it is. Checks first that each
   * tracked file holds what its history says (else the tracking missed a change).
   */
  Path crashImage(Path from, Path to, Survivor survivor) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : s.sorted().toList()) {
        Path target = to.resolve(p.getFileName().toString());
        FileState state = files.get(key(p));
        String name = p.getFileName().toString();
        boolean segmentOrSpare = name.endsWith(WalFormat.SEGMENT_SUFFIX)
            || name.endsWith(FileRaftLog.SPARE_SUFFIX);
        if (state == null || !segmentOrSpare) {
          Files.copy(p, target);
          continue;
        }
        byte[] actual = Files.readAllBytes(p);
        if (!Arrays.equals(actual, state.current().bytes)) {
          throw new IllegalStateException("tracking of " + p + " lost a change");
        }
        Files.write(target, survivor.content(p, state));
      }
    }
    return to;
  }

  /** Tracks the changes made through one channel. */
  private static final class Tracking extends FileChannel {
    private final FileChannel delegate;
    private final FileState state;
    private final boolean forceFiles;

    Tracking(FileChannel delegate, FileState state, boolean forceFiles) {
      this.delegate = delegate;
      this.state = state;
      this.forceFiles = forceFiles;
    }

    private void record(ByteBuffer src, long position, int n) {
      byte[] b = new byte[n];
      src.get(src.position() - n, b);
      state.pending.add(new Write(position, b));
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return delegate.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      long at = delegate.position();
      int n = delegate.write(src);
      record(src, at, n);
      return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      throw new UnsupportedOperationException("gathering writes are not tracked");
    }

    @Override
    public long position() throws IOException {
      return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      delegate.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      delegate.truncate(size);
      state.pending.add(new Truncate(size));
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      if (forceFiles) {
        delegate.force(metaData);
      }
      state.force();
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target)
        throws IOException {
      return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
      throw new UnsupportedOperationException("transferFrom is not tracked");
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return delegate.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      int n = delegate.write(src, position);
      record(src, position, n);
      return n;
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException("mapped writes are not tracked");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      delegate.close();
    }
  }
}
