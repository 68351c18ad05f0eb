package io.jscluster.raft.wal;

import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.LogException;
import io.jscluster.raft.log.LogRecord;
import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.state.DurableFiles;
import io.jscluster.raft.wal.WalRecovery.Damage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link RaftLog}: records in segment files, each with a CRC-32C, and in memory only
 * an index of their offsets and terms.
 *
 * <p><b>Durability.</b> Under {@link FsyncPolicy#ALWAYS} (the default) every mutating call is
 * fsynced before it returns, and {@link #appendAll} makes a whole batch durable with one fsync.
 * Under {@link FsyncPolicy#ON_SYNC} appends are gathered in a write buffer and {@link #sync()}
 * writes and forces them (group commit driven by the caller). {@link FsyncPolicy#INTERVAL} forces
 * at most once per {@link WalOptions#syncInterval()}; {@link FsyncPolicy#NEVER} never forces.
 * Truncations are forced at once under every policy but NEVER, so that stale records beyond the
 * cut can never reappear behind newer ones after a crash. The first index (moved by compaction and
 * resets) lives in {@code wal.meta}, replaced atomically.
 *
 * <p><b>Recovery.</b> Opening reads every segment in index order and stops at the first record
 * that is incomplete, fails its checksum, or breaks the index sequence; that record and
 * everything after it are cut off (the segment is truncated, later segments deleted) and described
 * in {@link #recovery()}, typed: a torn tail when it looks like a write cut short by a power loss,
 * anything else corruption (see below). Nothing after a damaged record is ever served. The one
 * exception is a damaged record below the first index (already compacted) in a segment that also
 * holds live records: recovery finds the next valid record and goes on, so garbage cannot cost
 * live records, and reports it as compacted damage ({@link WalRecovery#compactedDamage()}).
 *
 * <p><b>Spare segments</b> ({@link WalOptions#spareSegments()} above 0). A compaction renames
 * segment files wholly below the first index to {@code <n>.spare} instead of deleting them (up to
 * that many), and the next new segment is made from a spare: its header is written over the old
 * one and forced, then it is renamed to the segment's name; later records are written over the
 * old contents. Every write of records is then followed by an <em>end marker</em> (a record
 * header with length 0, term 0, the next index and a valid checksum) which the next write
 * overwrites, so recovery stops at the end marker and never reads the old contents behind it.
 * Those old contents cannot pass for records anyway: they hold indexes below the segment's base
 * (compaction never lowers the first index within an epoch; a reset starts a new epoch and
 * deletes the spares; truncation deletes, never recycles). Spares left by a previous process are
 * deleted on opening, and so is a segment file whose intact header names another segment (a spare
 * whose rename was lost). Recovery also cuts the file the log goes on in at its last record: after
 * a power loss the bytes behind a surviving end marker may hold records of a torn write, of the
 * indexes the log is about to write again. Writers that force the files themselves (see {@code
 * BackgroundSyncLog}) learn which segments were written from {@link #takeWrittenSegments()}, since
 * a write over a spare does not change the file's size.
 *
 * <p><b>Torn tail or corruption.</b> Without spares, damage is a torn tail when it is in the last
 * segment and the damaged record runs past the end of the file or only zeros follow it (never
 * written space), and no valid record follows it. With spares on, the bytes behind a torn write
 * in a reused file are its old contents, not zeros, so the rule is what follows the damage:
 * it is a torn tail exactly when nothing of the log follows it, that is no verified record of the
 * damaged index or a later one (within reach: each record between takes at least a header) and
 * no end marker of a later index anywhere behind it in its file, and no verified record in a
 * later segment file. Old contents never match (their indexes are lower, as argued above). To make
 * that sound, a log with spares forces a few things whatever its policy: the header of a reused
 * file before its rename, the segment it leaves before the next one is made (so no record of a
 * later segment reaches the disk before the earlier segment is complete), and the directory before
 * a truncation cuts into an earlier segment (so a cut segment never sits beside a later one). What
 * remains ambiguous: a torn write whose later page reached the disk while an earlier one did not
 * leaves a complete record behind the damage, exactly like a lost write in the middle of the log,
 * and is reported as corruption. Either way the log is cut at the same place; a torn tail is
 * logged at INFO, corruption at WARN.
 *
 * <p><b>Directories.</b> The log's directory is created durably (its parent fsynced; the parent
 * of an existing one is fsynced once on open). Creating or deleting a segment file marks the
 * directory dirty, and the next force fsyncs it together with the segments.
 *
 * <p><b>Failure.</b> The first I/O error of a write, force, truncation or compaction puts the log
 * in a failed state ({@link #failure()}): every later mutation and sync fails with kind IO. Reads
 * keep working for what is readable.
 *
 * <p><b>Threading.</b> One thread at a time, like every {@link RaftLog}. The log keeps one open
 * file channel per segment.
 */
public final class FileRaftLog implements RaftLog {

  private static final Logger LOG = LoggerFactory.getLogger(FileRaftLog.class);
  /** Locked while the log is open, so that two instances never write one directory. */
  static final String LOCK_FILE = "wal.lock";
  // Records up to this size are read with a single pread through a reused buffer.
  private static final int READ_SCRATCH_LIMIT = 1 << 20;
  /** Suffix of spare segment files (not segments: recovery deletes them). */
  static final String SPARE_SUFFIX = ".spare";

  private final Path dir;
  private final WalOptions options;
  private final ChannelOpener opener;
  private final List<Segment> segments = new ArrayList<>();
  private final ByteBuffer writeBuffer;
  private final byte[] header = new byte[WalFormat.RECORD_HEADER];
  private final byte[] endMarker = new byte[WalFormat.RECORD_HEADER];
  /** Bytes of the write buffer kept free for the end marker: its size with spares on, else 0. */
  private final int endReserve;
  /** Spare segment files, oldest first. */
  private final java.util.ArrayDeque<Path> spares = new java.util.ArrayDeque<>();
  private long spareCounter;
  /** Segment files written since the last {@link #takeWrittenSegments()}. */
  private final java.util.LinkedHashSet<Path> written = new java.util.LinkedHashSet<>();
  private final ByteBuffer readHeader =
      ByteBuffer.allocate(WalFormat.RECORD_HEADER).order(ByteOrder.LITTLE_ENDIAN);
  private final CRC32C crc = new CRC32C();
  private final WalRecovery recovery;
  private ByteBuffer readScratch = ByteBuffer.allocate(4096);

  private final FileChannel lockChannel;
  private Segment active;
  /** Offset in the active segment where the write buffer's first byte belongs. */
  private long bufferFileOffset;
  private long first;
  private long last;
  private long epoch;
  private boolean dirDirty;
  private long lastForceNanos;
  private long forces;
  private LogException failure;
  private boolean closed;

  private FileRaftLog(Path dir, WalOptions options, ChannelOpener opener) throws IOException {
    this.dir = dir;
    this.options = options;
    this.opener = opener;
    this.endReserve = options.spareSegments() > 0 ? WalFormat.RECORD_HEADER : 0;
    this.writeBuffer = ByteBuffer.allocateDirect(options.writeBufferBytes() + endReserve);
    if (!DurableFiles.createDirectories(dir)) {
      // It may have been created by a process that crashed before making its entry durable.
      DurableFiles.syncParent(dir);
    }
    this.lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      throw new IOException("WAL in " + dir + " is already open (" + LOCK_FILE + " is locked)");
    }
    try {
      this.recovery = recover();
    } catch (IOException | RuntimeException e) {
      releaseAfterFailedOpen();
      throw e;
    }
    this.lastForceNanos = options.nanoClock().getAsLong();
  }

  /**
   * Opens (creating if needed) the log in {@code dir}, recovering what is there.
   *
   * @throws LogException IO if the directory cannot be read or repaired
   */
  public static FileRaftLog open(Path dir, WalOptions options) {
    return open(dir, options, ChannelOpener.DEFAULT);
  }

  /** Opens with the default options ({@link FsyncPolicy#ALWAYS}). */
  public static FileRaftLog open(Path dir) {
    return open(dir, WalOptions.defaults());
  }

  static FileRaftLog open(Path dir, WalOptions options, ChannelOpener opener) {
    Objects.requireNonNull(options, "options");
    try {
      return new FileRaftLog(dir, options, opener);
    } catch (IOException e) {
      throw new LogException(LogException.Kind.IO, -1, "cannot open WAL in " + dir, e);
    }
  }

  /** What recovery found when this log was opened. */
  public WalRecovery recovery() {
    return recovery;
  }

  /**
   * The damage {@link #recovery()} cut off, described in one line that starts with its kind
   * ({@code "torn tail: "} or {@code "corrupt record: "}); empty when nothing was cut. Damaged
   * records below the first index that recovery stepped over ({@link
   * WalRecovery#compactedDamage()}) cost no served record and are not included; they are logged
   * and listed in {@link #recovery()}.
   */
  @Override
  public Optional<String> recoveryDamage() {
    return recovery.damage().map(Damage::describe);
  }

  /** The directory holding the segments. */
  public Path directory() {
    return dir;
  }

  /**
   * How many times data was forced to storage since opening (a force covers every dirty segment
   * and the directory); for tests and benchmarks.
   */
  public long forceCount() {
    return forces;
  }

  /** The number of segment files currently in use. */
  public int segmentCount() {
    return segments.size();
  }

  /** The number of spare segment files kept for reuse (0 unless spares are on). */
  public int spareCount() {
    return spares.size();
  }

  /**
   * The segment files written (records, end markers, headers or truncations) since the last call,
   * and forgets them. For a caller that forces the files through handles of its own: a write over
   * a spare segment leaves the file's size unchanged, so the size cannot tell it what to force.
   * Same thread as every other call.
   */
  public List<Path> takeWrittenSegments() {
    if (written.isEmpty()) {
      return List.of();
    }
    List<Path> out = new ArrayList<>(written);
    written.clear();
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // RaftLog

  @Override
  public long firstIndex() {
    checkOpen();
    return first;
  }

  @Override
  public long lastIndex() {
    checkOpen();
    return last;
  }

  @Override
  public long lastTerm() {
    checkOpen();
    return last >= first ? segmentFor(last).termOf(last) : 0;
  }

  @Override
  public long byteSize() {
    checkOpen();
    long total = 0;
    for (Segment s : segments) {
      total += s.bytesFrom(first);
    }
    return total;
  }

  @Override
  public long termAt(long index) {
    return segmentFor(checkReadable(index)).termOf(index);
  }

  @Override
  public LogRecord read(long index) {
    Segment s = segmentFor(checkReadable(index));
    long offset = s.offsetOf(index);
    long end = s.endOf(index);
    int length = (int) (end - offset - WalFormat.RECORD_HEADER);
    byte[] data = new byte[length];
    readHeader.clear();
    if (s == active && offset >= bufferFileOffset) {
      int at = (int) (offset - bufferFileOffset);
      writeBuffer.get(at, readHeader.array(), 0, WalFormat.RECORD_HEADER);
      writeBuffer.get(at + WalFormat.RECORD_HEADER, data, 0, length);
    } else {
      try {
        int size = WalFormat.RECORD_HEADER + length;
        if (size <= READ_SCRATCH_LIMIT) {
          // One positional read for header and payload: the syscall costs more than the copy.
          if (readScratch.capacity() < size) {
            readScratch = ByteBuffer.allocate(Math.max(size, readScratch.capacity() * 2));
          }
          readScratch.clear().limit(size);
          readFully(s.channel, readScratch, offset);
          System.arraycopy(readScratch.array(), 0, readHeader.array(), 0,
              WalFormat.RECORD_HEADER);
          System.arraycopy(readScratch.array(), WalFormat.RECORD_HEADER, data, 0, length);
        } else {
          readFully(s.channel, readHeader, offset);
          readFully(s.channel, ByteBuffer.wrap(data), offset + WalFormat.RECORD_HEADER);
        }
      } catch (IOException e) {
        throw new LogException(LogException.Kind.IO, index, "cannot read " + s.path, e);
      }
    }
    byte[] h = readHeader.array();
    long term = s.termOf(index);
    crc.reset();
    crc.update(h, 0, 4);
    crc.update(h, 8, 16);
    crc.update(data, 0, length);
    if (WalFormat.getInt(h, 0) != length || WalFormat.getLong(h, 8) != index
        || WalFormat.getLong(h, 16) != term || WalFormat.getInt(h, 4) != (int) crc.getValue()) {
      throw new LogException(LogException.Kind.CORRUPT, index,
          "record at offset " + offset + " of " + s.path + " changed on disk since it was written");
    }
    return new LogRecord(index, term, data);
  }

  @Override
  public void append(long index, long term, byte[] data) {
    checkWritable();
    checkAppend(index, term, data, last);
    try {
      write(index, term, data);
      if (options.fsyncPolicy() == FsyncPolicy.ALWAYS) {
        force();
      }
    } catch (IOException e) {
      throw fail(e, index);
    }
  }

  @Override
  public void appendAll(List<LogRecord> records) {
    checkWritable();
    long expected = last;
    for (LogRecord r : records) {
      checkAppend(r.index(), r.term(), r.data(), expected);
      expected = r.index();
    }
    long at = last + 1;
    try {
      for (LogRecord r : records) {
        at = r.index();
        write(r.index(), r.term(), r.data());
      }
      if (options.fsyncPolicy() == FsyncPolicy.ALWAYS && !records.isEmpty()) {
        force();
      }
    } catch (IOException e) {
      throw fail(e, at);
    }
  }

  @Override
  public void truncateAfter(long index) {
    checkWritable();
    if (index < 0) {
      throw new LogException(LogException.Kind.SEQUENCE_MISMATCH, index, "negative index");
    }
    if (index >= last) {
      return;
    }
    try {
      if (index < first) {
        // Nothing at or below index is held: the log becomes empty, starting after index.
        reset(index + 1);
        return;
      }
      Segment s = segmentFor(index + 1);
      long cut = s.offsetOf(index + 1);
      if (s == active && cut >= bufferFileOffset) {
        // Only buffered records go: the file never saw them.
        writeBuffer.position((int) (cut - bufferFileOffset));
        s.dropFrom(index + 1);
      } else {
        writeBuffer.clear();
        // Highest segments first, so a crash leaves a contiguous prefix.
        boolean deleted = false;
        while (segments.get(segments.size() - 1) != s) {
          deleteSegment(segments.remove(segments.size() - 1));
          deleted = true;
        }
        if (deleted && (options.fsyncPolicy() != FsyncPolicy.NEVER || endReserve > 0)) {
          // The deletions are durable before the cut can be: a power loss must not leave the cut
          // segment beside a later one, which would read as a gap in the log, i.e. corruption.
          DurableFiles.syncDirectory(dir);
          dirDirty = false;
        }
        s.channel.truncate(cut);
        s.dropFrom(index + 1);
        s.dirty = true;
        written.add(s.path);
        active = s;
        bufferFileOffset = cut;
        if (options.fsyncPolicy() != FsyncPolicy.NEVER) {
          force();
        }
      }
      last = index;
    } catch (IOException e) {
      throw fail(e, index);
    }
  }

  @Override
  public void compactUpTo(long index) {
    checkWritable();
    if (index < 0) {
      throw new LogException(LogException.Kind.SEQUENCE_MISMATCH, index, "negative index");
    }
    if (index < first) {
      return;
    }
    try {
      if (index >= last) {
        writeMeta(index + 1, epoch);
        writeBuffer.clear();
        while (!segments.isEmpty()) {
          retireSegment(segments.remove(0));
        }
        first = index + 1;
        last = index;
        active = createSegment(first);
      } else {
        // Record the new first index before deleting anything, so a crash in between only
        // leaves files that reopening deletes.
        writeMeta(index + 1, epoch);
        first = index + 1;
        while (segments.get(0).lastIndex() < first) {
          retireSegment(segments.remove(0));
        }
      }
      if (options.fsyncPolicy() == FsyncPolicy.ALWAYS) {
        force();
      }
    } catch (IOException e) {
      throw fail(e, index);
    }
  }

  @Override
  public void sync() {
    checkWritable();
    try {
      switch (options.fsyncPolicy()) {
        case ALWAYS, ON_SYNC -> force();
        case INTERVAL -> {
          long now = options.nanoClock().getAsLong();
          if (now - lastForceNanos >= options.syncInterval().toNanos()) {
            force();
          } else {
            flushBuffer();
          }
        }
        case NEVER -> flushBuffer();
      }
    } catch (IOException e) {
      throw fail(e, -1);
    }
  }

  @Override
  public FsyncPolicy fsyncPolicy() {
    return options.fsyncPolicy();
  }

  @Override
  public Optional<LogException> failure() {
    return Optional.ofNullable(failure);
  }

  /**
   * Hands buffered records to the operating system (without forcing, unless the policy already
   * did) and closes every file. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    IOException error = null;
    if (failure == null) {
      try {
        flushBuffer();
      } catch (IOException e) {
        error = e;
      }
    }
    for (Segment s : segments) {
      try {
        s.close();
      } catch (IOException e) {
        error = error == null ? e : error;
      }
    }
    try {
      lockChannel.close();
    } catch (IOException e) {
      error = error == null ? e : error;
    }
    if (error != null) {
      throw new LogException(LogException.Kind.IO, -1, "error closing WAL in " + dir, error);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  private void checkAppend(long index, long term, byte[] data, long previous) {
    Objects.requireNonNull(data, "data");
    if (index != previous + 1) {
      throw new LogException(LogException.Kind.SEQUENCE_MISMATCH, index,
          "expected index " + (previous + 1));
    }
    if (term <= 0) {
      throw new LogException(LogException.Kind.SEQUENCE_MISMATCH, index, "term must be positive");
    }
    if (data.length > options.maxRecordBytes()) {
      throw new LogException(LogException.Kind.SEQUENCE_MISMATCH, index, "record of "
          + data.length + " bytes exceeds the limit of " + options.maxRecordBytes());
    }
  }

  private void write(long index, long term, byte[] data) throws IOException {
    int size = WalFormat.RECORD_HEADER + data.length;
    if (active.count() > 0 && active.end + size > options.segmentBytes()) {
      flushBuffer();
      if (endReserve > 0 && active.dirty) {
        // Whatever the policy: no record of the next segment can then reach the disk unless this
        // one is complete there, so that damage followed by a record of a later segment is never
        // a torn write (see the class comment). One force per segment.
        active.channel.force(false);
        active.dirty = false;
        forces++;
      }
      active = createSegment(index);
    }
    long offset = active.end;
    WalFormat.encodeRecordHeader(header, data.length, index, term, data, crc);
    if (size > writeBuffer.remaining() - endReserve) {
      flushBuffer();
    }
    if (size <= writeBuffer.remaining() - endReserve) {
      writeBuffer.put(header).put(data);
    } else {
      // Larger than the whole buffer: straight to the file.
      writeFully(active.channel, ByteBuffer.wrap(header), offset);
      writeFully(active.channel, ByteBuffer.wrap(data), offset + WalFormat.RECORD_HEADER);
      bufferFileOffset = offset + size;
      if (endReserve > 0) {
        WalFormat.encodeEndMarker(endMarker, index + 1, crc);
        writeFully(active.channel, ByteBuffer.wrap(endMarker), bufferFileOffset);
      }
      written.add(active.path);
    }
    active.add((int) offset, term);
    active.end = offset + size;
    active.dirty = true;
    last = index;
  }

  private void flushBuffer() throws IOException {
    if (writeBuffer.position() == 0) {
      return;
    }
    int records = writeBuffer.position();
    if (endReserve > 0) {
      // Written with the records and overwritten by the next write: where recovery stops.
      WalFormat.encodeEndMarker(endMarker, last + 1, crc);
      writeBuffer.put(endMarker);
    }
    writeBuffer.flip();
    writeFully(active.channel, writeBuffer, bufferFileOffset);
    bufferFileOffset += records;
    writeBuffer.clear();
    written.add(active.path);
  }

  /** Writes out the buffer and forces every segment written since the last force. */
  private void force() throws IOException {
    flushBuffer();
    boolean forced = false;
    for (Segment s : segments) {
      if (s.dirty) {
        s.channel.force(false);
        s.dirty = false;
        forced = true;
      }
    }
    if (dirDirty) {
      DurableFiles.syncDirectory(dir);
      dirDirty = false;
      forced = true;
    }
    // A sync with nothing written (an ALWAYS append already forced) costs no fsync.
    if (forced) {
      forces++;
    }
    lastForceNanos = options.nanoClock().getAsLong();
  }

  /** Empties the log so that it continues at {@code newFirst}, under a new epoch. */
  private void reset(long newFirst) throws IOException {
    // The new epoch is recorded first: segments of older epochs are garbage from then on, so a
    // crash at any later point recovers to the reset log.
    writeMeta(newFirst, epoch + 1);
    epoch++;
    writeBuffer.clear();
    while (!segments.isEmpty()) {
      deleteSegment(segments.remove(segments.size() - 1));
    }
    // A spare's old records belong to the old epoch, whose indexes the new one may use again.
    deleteSpares();
    first = newFirst;
    last = newFirst - 1;
    active = createSegment(newFirst);
    if (options.fsyncPolicy() != FsyncPolicy.NEVER) {
      force();
    }
  }

  private Segment createSegment(long base) throws IOException {
    Path path = dir.resolve(WalFormat.segmentName(base));
    Path spare = spares.pollFirst();
    if (spare != null) {
      return reuseSpare(spare, base, path);
    }
    FileChannel ch = opener.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    Segment s = new Segment(base, path, ch, WalFormat.SEGMENT_HEADER);
    // Registered before writing so that close() releases the channel even if the write fails.
    segments.add(s);
    ByteBuffer h = WalFormat.encodeSegmentHeader(base, epoch, crc);
    writeFully(ch, h, 0);
    if (endReserve > 0) {
      WalFormat.encodeEndMarker(endMarker, base, crc);
      writeFully(ch, ByteBuffer.wrap(endMarker), WalFormat.SEGMENT_HEADER);
    }
    s.dirty = true;
    dirDirty = true;
    written.add(path);
    bufferFileOffset = WalFormat.SEGMENT_HEADER;
    return s;
  }

  /**
   * Makes segment {@code base} from a spare file: the new header and an end marker behind it are
   * written over the old header and forced before the rename, so that a file under a segment's
   * name never carries another segment's header (after a crash that would read as corruption).
   */
  private Segment reuseSpare(Path spare, long base, Path path) throws IOException {
    FileChannel ch = opener.open(spare, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      ByteBuffer h = ByteBuffer.allocate(WalFormat.SEGMENT_HEADER + WalFormat.RECORD_HEADER);
      h.put(WalFormat.encodeSegmentHeader(base, epoch, crc));
      WalFormat.encodeEndMarker(endMarker, base, crc);
      h.put(endMarker).flip();
      writeFully(ch, h, 0);
      ch.force(false);
      Files.move(spare, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      ch.close();
      Files.deleteIfExists(spare);
      throw e;
    }
    Segment s = new Segment(base, path, ch, WalFormat.SEGMENT_HEADER);
    segments.add(s);
    s.dirty = true;
    dirDirty = true;
    written.add(path);
    bufferFileOffset = WalFormat.SEGMENT_HEADER;
    return s;
  }

  private void deleteSegment(Segment s) throws IOException {
    s.close();
    Files.deleteIfExists(s.path);
    written.remove(s.path);
    dirDirty = true;
  }

  /**
   * Removes a compacted segment: kept as a spare when spares are on and there is room, else
   * deleted. Its records are all below the first index, which never decreases within the epoch.
   */
  private void retireSegment(Segment s) throws IOException {
    if (spares.size() >= options.spareSegments()) {
      deleteSegment(s);
      return;
    }
    s.close();
    written.remove(s.path);
    Path spare = dir.resolve((++spareCounter) + SPARE_SUFFIX);
    Files.move(s.path, spare, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    spares.addLast(spare);
    dirDirty = true;
  }

  private void deleteSpares() throws IOException {
    while (!spares.isEmpty()) {
      Files.deleteIfExists(spares.pollFirst());
      dirDirty = true;
    }
  }

  private void writeMeta(long newFirst, long newEpoch) throws IOException {
    DurableFiles.writeAtomically(dir.resolve(WalFormat.META_FILE),
        WalFormat.encodeMeta(newFirst, newEpoch, crc));
  }

  private LogException fail(IOException e, long index) {
    if (failure == null) {
      failure = new LogException(LogException.Kind.IO, index, "WAL write failed in " + dir, e);
      LOG.error("WAL in {} failed; no further writes are accepted", dir, e);
      return failure;
    }
    return new LogException(LogException.Kind.IO, index, "WAL failed earlier", failure);
  }

  // ---------------------------------------------------------------------------------------------
  // Lookup

  private void checkOpen() {
    if (closed) {
      throw new LogException(LogException.Kind.CLOSED, -1, "WAL closed");
    }
  }

  private void checkWritable() {
    checkOpen();
    if (failure != null) {
      throw new LogException(LogException.Kind.IO, -1, "WAL failed earlier", failure);
    }
  }

  private long checkReadable(long index) {
    checkOpen();
    if (index <= 0 || index > last) {
      throw new LogException(LogException.Kind.BEYOND_END, index, "last index is " + last);
    }
    if (index < first) {
      throw new LogException(LogException.Kind.NOT_FOUND, index, "first index is " + first);
    }
    return index;
  }

  /** The segment holding {@code index}, which must be within {@code first..last}. */
  private Segment segmentFor(long index) {
    if (active.holds(index)) {
      return active;
    }
    int lo = 0;
    int hi = segments.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (segments.get(mid).base <= index) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return segments.get(lo);
  }

  // ---------------------------------------------------------------------------------------------
  // Recovery

  private WalRecovery recover() throws IOException {
    List<String> notes = new ArrayList<>();
    boolean dirDirtyAtOpen = false;
    long metaFirst = 1;
    boolean haveMeta = false;
    byte[] meta = DurableFiles.readIfExists(dir.resolve(WalFormat.META_FILE), 4096);
    if (meta != null) {
      Optional<long[]> m = WalFormat.decodeMeta(meta, crc);
      if (m.isPresent()) {
        metaFirst = m.get()[0];
        epoch = m.get()[1];
        haveMeta = true;
      } else {
        notes.add(WalFormat.META_FILE + " failed its checksum; first index and epoch taken from"
            + " the segments");
      }
    }

    TreeMap<Long, Path> files = new TreeMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (name.endsWith(SPARE_SUFFIX)) {
          // A spare's old contents are of unknown age after a restart: not reused.
          Files.deleteIfExists(p);
          dirDirtyAtOpen = true;
          continue;
        }
        WalFormat.parseSegmentName(name).ifPresent(b -> files.put(b, p));
      }
    }

    // Read every header first: the epoch decides which segments belong to the log.
    List<Scan> scans = new ArrayList<>();
    long maxEpoch = Long.MIN_VALUE;
    int deleted = 0;
    long bytesTruncated = 0;
    Damage damage = null;
    for (var e : files.entrySet()) {
      Scan scan = new Scan(e.getKey(), e.getValue());
      scan.channel = opener.open(scan.path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      scan.size = scan.channel.size();
      scan.epoch = readSegmentHeader(scan);
      if (scan.epoch == null && scan.foreignBase) {
        // A spare given another segment's header whose rename to that segment's name never
        // became durable: nothing in it was acknowledged (a force of its records also makes the
        // rename durable), and like any spare it is not reused after a restart.
        scan.channel.close();
        Files.delete(scan.path);
        deleted++;
        notes.add("deleted " + scan.path.getFileName() + ", a spare segment whose reuse was"
            + " interrupted (its header names another segment)");
        continue;
      }
      if (scan.epoch != null) {
        maxEpoch = Math.max(maxEpoch, scan.epoch);
      }
      scans.add(scan);
    }
    if (!haveMeta && maxEpoch != Long.MIN_VALUE) {
      epoch = maxEpoch;
    }
    List<Scan> current = new ArrayList<>();
    for (Scan scan : scans) {
      if (scan.epoch != null && scan.epoch < epoch) {
        // Left over from a reset that was interrupted after recording the new epoch.
        scan.channel.close();
        Files.delete(scan.path);
        deleted++;
        notes.add("deleted " + scan.path.getFileName() + " of an earlier epoch (interrupted reset)");
      } else {
        current.add(scan);
      }
    }

    // Segments whose successor starts at or below the first index hold only compacted records (a
    // compaction was interrupted before deleting them): drop them unread, so that damage in
    // garbage cannot cost live records.
    while (haveMeta && current.size() >= 2 && current.get(1).base <= metaFirst) {
      Scan scan = current.remove(0);
      scan.channel.close();
      Files.delete(scan.path);
      deleted++;
      notes.add("deleted " + scan.path.getFileName() + ", wholly below the first index "
          + metaFirst + " (interrupted compaction)");
    }

    ScanReader reader = new ScanReader(crc);
    List<Damage> compacted = new ArrayList<>();
    long expected = -1;
    int kept = 0;
    // With spares on, a file may be a reused one: behind a torn write lie its old contents, not
    // zeros, so whether anything of the log follows decides between torn tail and corruption.
    boolean reuseAware = options.spareSegments() > 0;
    for (; kept < current.size(); kept++) {
      Scan scan = current.get(kept);
      boolean lastFile = kept == current.size() - 1;
      List<Scan> later = current.subList(kept + 1, current.size());
      if (scan.epoch == null) {
        // A bad header is never stepped over, even below the first index: without its epoch the
        // segment could be one an interrupted reset left behind, whose records are stale.
        long at = expected < 0 ? scan.base : expected;
        boolean torn = reuseAware
            ? !reader.logFollows(scan, WalFormat.SEGMENT_HEADER, Math.max(at, scan.base),
                WalFormat.SEGMENT_HEADER, later, options.maxRecordBytes())
            : lastFile && (scan.size < WalFormat.SEGMENT_HEADER
                || reader.zeroToEnd(scan.channel, 0, scan.size));
        damage = new Damage(torn ? Damage.Kind.TORN_TAIL : Damage.Kind.CORRUPT, scan.path, 0, at,
            "segment header missing or invalid");
        break;
      }
      if (scan.epoch > epoch) {
        damage = new Damage(Damage.Kind.CORRUPT, scan.path, 0,
            expected < 0 ? scan.base : expected,
            "segment epoch " + scan.epoch + " is newer than the log's " + epoch);
        break;
      }
      if (expected >= 0 && scan.base != expected) {
        // A later segment whose predecessor lost its last records: after a power loss that cut
        // the predecessor's unforced write while the new segment's file (made from a spare, its
        // header forced) survived, this is a torn tail if the new segment holds no record.
        boolean torn = reuseAware && scan.base > expected
            && !reader.logFollows(scan, WalFormat.SEGMENT_HEADER, scan.base,
                WalFormat.SEGMENT_HEADER, later, options.maxRecordBytes());
        damage = new Damage(torn ? Damage.Kind.TORN_TAIL : Damage.Kind.CORRUPT, scan.path, 0,
            expected, "segment starts at index " + scan.base + " where " + expected
                + " was expected");
        break;
      }
      Segment seg = new Segment(scan.base, scan.path, scan.channel, WalFormat.SEGMENT_HEADER);
      scan.segment = seg;
      // Without wal.meta the first index is not known, so no record counts as compacted.
      damage = reader.scan(seg, scan.size, options.maxRecordBytes(), haveMeta ? metaFirst : 1,
          compacted);
      expected = seg.lastIndex() + 1;
      if (damage != null) {
        boolean torn;
        if (reuseAware) {
          torn = !reader.logFollows(scan, damage.offset() + 1, damage.index(), damage.offset(),
              later, options.maxRecordBytes());
        } else {
          torn = lastFile && (reader.partial() || reader.zeroToEnd(scan.channel, damage.offset(),
              scan.size))
              && !reader.recordFollows(scan.channel, damage.offset() + 1, scan.size,
                  damage.index(), damage.offset(), options.maxRecordBytes());
        }
        damage = new Damage(torn ? Damage.Kind.TORN_TAIL : Damage.Kind.CORRUPT, damage.segment(),
            damage.offset(), damage.index(), damage.reason());
        kept++;
        break;
      }
    }
    // Cut the damaged segment and drop everything after it.
    if (damage != null) {
      for (int i = current.size() - 1; i >= kept; i--) {
        Scan scan = current.get(i);
        bytesTruncated += scan.size;
        scan.channel.close();
        Files.delete(scan.path);
        deleted++;
      }
      if (kept > 0 && current.get(kept - 1).segment != null
          && current.get(kept - 1).path.equals(damage.segment())) {
        Scan scan = current.get(kept - 1);
        bytesTruncated += scan.size - damage.offset();
        scan.channel.truncate(damage.offset());
        scan.channel.force(false);
      }
      if (damage.tornTail()) {
        // What a power loss leaves behind; nothing that was forced is lost.
        LOG.info("WAL in {}: {}; {} bytes from there on dropped", dir, damage.describe(),
            bytesTruncated);
      } else {
        LOG.warn("WAL in {}: {}; {} bytes from there on dropped", dir, damage.describe(),
            bytesTruncated);
      }
    }
    for (Damage d : compacted) {
      LOG.warn("WAL in {}: {}; below the first index {}, the records after it are kept", dir,
          d.describe(), metaFirst);
    }
    for (int i = 0; i < Math.min(kept, current.size()); i++) {
      if (current.get(i).segment != null) {
        segments.add(current.get(i).segment);
      }
    }

    // The first index: the metadata's, unless the segments start later.
    long lastRecord = segments.isEmpty() ? -1 : segments.get(segments.size() - 1).lastIndex();
    first = metaFirst;
    if (!segments.isEmpty() && segments.get(0).base > first) {
      if (haveMeta) {
        notes.add("records " + first + ".." + (segments.get(0).base - 1) + " are missing; the log"
            + " starts at " + segments.get(0).base);
      }
      first = segments.get(0).base;
    } else if (segments.isEmpty() && damage != null && damage.index() > first && !haveMeta) {
      first = damage.index();
    }
    // Segments wholly below the first index are what an interrupted compaction left.
    while (!segments.isEmpty() && segments.get(0).lastIndex() < first) {
      Segment s = segments.remove(0);
      s.close();
      Files.delete(s.path);
      deleted++;
    }
    if (segments.isEmpty() || lastRecord < first) {
      last = first - 1;
    } else {
      last = lastRecord;
    }
    dirDirty = deleted > 0 || dirDirtyAtOpen;
    if (segments.isEmpty()) {
      active = createSegment(first);
    } else {
      active = segments.get(segments.size() - 1);
      bufferFileOffset = active.end;
      dropBytesBehindTheEnd(active);
    }
    // Repairs are durable before anything is served.
    force();
    forces = 0;
    written.clear();
    return new WalRecovery(first, last, last - first + 1, scans.size(), bytesTruncated, deleted,
        Optional.ofNullable(damage), compacted, notes);
  }

  /**
   * Cuts the file of the segment the log goes on in at its last record. With spares on, recovery
   * stops at an end marker and the bytes behind it may be more than a reused file's old contents:
   * the pages of a write torn by a power loss whose first page was lost (so that the previous end
   * marker survived) hold records of the same indexes the log will now write again, with other
   * terms. Left there, a later torn write could expose them as records. Forced with the rest of
   * the repairs, before anything is written.
   */
  private void dropBytesBehindTheEnd(Segment s) throws IOException {
    long size = s.channel.size();
    if (size > s.end) {
      s.channel.truncate(s.end);
      s.dirty = true;
      LOG.debug("WAL in {}: cut {} bytes behind the end of {}", dir, size - s.end,
          s.path.getFileName());
    }
  }

  private void releaseAfterFailedOpen() {
    for (Segment s : segments) {
      try {
        s.close();
      } catch (IOException ignored) {
        // Already failing; the first error is the one reported.
      }
    }
    try {
      lockChannel.close();
    } catch (IOException ignored) {
      // As above.
    }
  }

  /** The epoch in a segment header, or null when the header is short, invalid or misnamed. */
  private Long readSegmentHeader(Scan scan) throws IOException {
    if (scan.size < WalFormat.SEGMENT_HEADER) {
      return null;
    }
    ByteBuffer h = ByteBuffer.allocate(WalFormat.SEGMENT_HEADER);
    readFully(scan.channel, h, 0);
    byte[] b = h.array();
    for (int i = 0; i < WalFormat.MAGIC.length; i++) {
      if (b[i] != WalFormat.MAGIC[i]) {
        return null;
      }
    }
    if (WalFormat.getInt(b, 8) != WalFormat.VERSION
        || WalFormat.getInt(b, 12) != WalFormat.segmentHeaderCrc(b, crc)) {
      return null;
    }
    if (WalFormat.getLong(b, 16) != scan.base) {
      // Intact, but another segment's: what reusing a spare leaves if its rename is lost.
      scan.foreignBase = true;
      return null;
    }
    return WalFormat.getLong(b, 24);
  }

  /** A segment file being recovered. */
  private static final class Scan {
    final long base;
    final Path path;
    FileChannel channel;
    long size;
    Long epoch;
    /** The header is intact but names another base. */
    boolean foreignBase;
    Segment segment;

    Scan(long base, Path path) {
      this.base = base;
      this.path = path;
    }
  }

  /** Reads a segment front to back through one reusable buffer, indexing valid records. */
  private static final class ScanReader {
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc;
    private long bufStart;
    /** The file the buffer holds bytes of: recovery reads several through it. */
    private FileChannel bufChannel;
    private boolean lastPartial;

    ScanReader(CRC32C crc) {
      this.crc = crc;
    }

    /**
     * Indexes the records of {@code seg}; returns the damage where the log must be cut, or null.
     * The damage's kind is provisional ({@link Damage.Kind#CORRUPT}): the caller classifies it,
     * {@link #partial()} telling whether the damaged record ran past the end of the file. A
     * damaged record below {@code firstLive} is stepped over when the next valid record can be
     * found (added to {@code compacted}, its indexes held by placeholders that are never served).
     */
    Damage scan(Segment seg, long size, int maxRecord, long firstLive, List<Damage> compacted)
        throws IOException {
      lastPartial = false;
      bufStart = 0;
      buf.clear().limit(0);
      long pos = WalFormat.SEGMENT_HEADER;
      long index = seg.base;
      while (pos < size) {
        String problem;
        // A record that ends beyond the file is partial; one that fits but fails is corrupt.
        boolean partial = false;
        long length = -1;
        if (size - pos < WalFormat.RECORD_HEADER) {
          problem = "incomplete record header";
          partial = true;
        } else {
          fill(seg.channel, pos, WalFormat.RECORD_HEADER);
          int at = (int) (pos - bufStart);
          length = Integer.toUnsignedLong(buf.getInt(at));
          long storedIndex = buf.getLong(at + 8);
          long term = buf.getLong(at + 16);
          long end = pos + WalFormat.RECORD_HEADER + length;
          if (length == 0 && term == 0 && storedIndex == index
              && checksumMatches(seg.channel, pos, 0)) {
            // The end marker of a segment written with spares on: what follows is not the log.
            return null;
          }
          if (length > maxRecord) {
            problem = "record length " + length + " exceeds the limit";
            partial = end > size;
          } else if (end > size) {
            problem = "record runs past the end of the file";
            partial = true;
          } else if (!checksumMatches(seg.channel, pos, length)) {
            problem = "checksum mismatch";
          } else if (storedIndex != index) {
            problem = "record holds index " + storedIndex;
          } else if (term <= 0) {
            problem = "record holds term " + term;
          } else {
            seg.add((int) pos, term);
            seg.end = end;
            pos = end;
            index++;
            continue;
          }
        }
        if (index < firstLive) {
          long[] next = resync(seg.channel, pos, length, size, index, firstLive, maxRecord);
          if (next != null) {
            compacted.add(new Damage(Damage.Kind.COMPACTED, seg.path, pos, index, problem));
            for (long i = index; i < next[1]; i++) {
              seg.add((int) pos, 0);
            }
            seg.end = next[0];
            pos = next[0];
            index = next[1];
            continue;
          }
        }
        lastPartial = partial;
        return new Damage(Damage.Kind.CORRUPT, seg.path, pos, index, problem);
      }
      return null;
    }

    /** Whether the damaged record the last {@link #scan} returned ran past the end of its file. */
    boolean partial() {
      return lastPartial;
    }

    /**
     * Whether anything the log wrote after the damage at {@code reachBase} of {@code scan} (where
     * record {@code index} should be) is on disk: a verified record of an index from {@code
     * index} on, or an end marker of a later index, at any byte from {@code from} to the end of
     * the file, or a verified record in any of the {@code later} segment files. If not, the
     * damage is a torn tail: a write that a power loss cut short, with nothing of the log behind
     * it.
     *
     * <p>The old contents of a reused file cannot pass for such a record: a file becomes a spare
     * only once all its records lie below the first index, the first index never decreases while
     * spares exist (a reset, the one way down, deletes them and starts a new epoch), and a segment
     * starts at an index at or above the first index; so every old record holds an index below
     * the base of the segment written over it, and every old end marker one at most that base
     * (the damaged index is at least the base, and a marker must name a later one). Records of
     * the current segment written before the damage lie before it. What can pass is a record a
     * torn write put on disk in a page behind one that was lost: that is indistinguishable from a
     * record behind real damage and is reported as corruption.
     */
    boolean logFollows(Scan scan, long from, long index, long reachBase, List<Scan> later,
        int maxRecord) throws IOException {
      if (recordFollows(scan.channel, from, scan.size, index, reachBase, maxRecord)) {
        return true;
      }
      for (Scan s : later) {
        if (recordFollows(s.channel, WalFormat.SEGMENT_HEADER, s.size, Math.max(index, s.base),
            WalFormat.SEGMENT_HEADER, maxRecord)) {
          return true;
        }
      }
      return false;
    }

    /**
     * Whether a verified record of an index in {@code [index, reachable]}, or an end marker of an
     * index in {@code (index, reachable]}, starts at a byte in {@code [from, size)}, where record
     * {@code index} would start at {@code reachBase}: {@code reachable} grows by one per header
     * length of distance from there, since each record between takes at least a header.
     */
    boolean recordFollows(FileChannel ch, long from, long size, long index, long reachBase,
        int maxRecord) throws IOException {
      for (long p = Math.max(from, reachBase); p + WalFormat.RECORD_HEADER <= size; p++) {
        fill(ch, p, WalFormat.RECORD_HEADER);
        int at = (int) (p - bufStart);
        long storedIndex = buf.getLong(at + 8);
        long reachable = index + (p - reachBase) / WalFormat.RECORD_HEADER;
        // The cheap tests first: this runs at every byte of what follows the damage.
        if (storedIndex < index || storedIndex > reachable) {
          continue;
        }
        long length = Integer.toUnsignedLong(buf.getInt(at));
        long term = buf.getLong(at + 16);
        boolean record = term > 0 && length <= maxRecord
            && p + WalFormat.RECORD_HEADER + length <= size;
        boolean marker = term == 0 && length == 0 && storedIndex > index;
        if ((record || marker) && checksumMatches(ch, p, length)) {
          return true;
        }
      }
      return false;
    }

    /**
     * Where scanning can go on after the damaged record at {@code pos} (which should hold {@code
     * index}, below {@code firstLive}): {@code [offset, index]} of the next record to read, or
     * null when no place can be trusted. Tried in order: the end the record's length gives, if a
     * valid record of the next index starts there; the first valid record of an index in {@code
     * (index, firstLive]} at any later byte whose own successor (if any) is valid too; the end of
     * the file, if the record's length reaches exactly there.
     */
    private long[] resync(FileChannel ch, long pos, long length, long size, long index,
        long firstLive, int maxRecord) throws IOException {
      long byLength = length < 0 ? -1 : pos + WalFormat.RECORD_HEADER + length;
      if (byLength > pos && byLength < size
          && validRecordAt(ch, byLength, size, index + 1, index + 1, maxRecord) == index + 1) {
        return new long[] {byLength, index + 1};
      }
      for (long p = pos + 1; p + WalFormat.RECORD_HEADER <= size; p++) {
        // The records index..found-1 lie in [pos, p), each taking at least a header: an index
        // further ahead than that cannot be this segment's next record.
        long reachable = index + (p - pos) / WalFormat.RECORD_HEADER;
        long found = validRecordAt(ch, p, size, index + 1, Math.min(firstLive, reachable),
            maxRecord);
        if (found < 0) {
          continue;
        }
        long end = p + WalFormat.RECORD_HEADER + recordLength(ch, p);
        if (end == size || validRecordAt(ch, end, size, found + 1, found + 1, maxRecord) >= 0) {
          return new long[] {p, found};
        }
      }
      if (byLength == size) {
        return new long[] {size, index + 1};
      }
      return null;
    }

    /**
     * The index of a complete, verified record at {@code p} whose index lies in {@code [lo,
     * hi]}, or -1.
     */
    private long validRecordAt(FileChannel ch, long p, long size, long lo, long hi, int maxRecord)
        throws IOException {
      if (p + WalFormat.RECORD_HEADER > size) {
        return -1;
      }
      fill(ch, p, WalFormat.RECORD_HEADER);
      int at = (int) (p - bufStart);
      long length = Integer.toUnsignedLong(buf.getInt(at));
      long storedIndex = buf.getLong(at + 8);
      long term = buf.getLong(at + 16);
      // The cheap tests first: a byte-by-byte search calls this at every offset.
      if (storedIndex < lo || storedIndex > hi || term <= 0 || length > maxRecord
          || p + WalFormat.RECORD_HEADER + length > size) {
        return -1;
      }
      return checksumMatches(ch, p, length) ? storedIndex : -1;
    }

    private long recordLength(FileChannel ch, long p) throws IOException {
      fill(ch, p, WalFormat.RECORD_HEADER);
      return Integer.toUnsignedLong(buf.getInt((int) (p - bufStart)));
    }

    /** Whether the record at {@code pos}, whose payload is {@code length} bytes, verifies. */
    private boolean checksumMatches(FileChannel ch, long pos, long length) throws IOException {
      fill(ch, pos, WalFormat.RECORD_HEADER);
      int at = (int) (pos - bufStart);
      int storedCrc = buf.getInt(at + 4);
      crc.reset();
      crc.update(buf.array(), at, 4);
      crc.update(buf.array(), at + 8, 16);
      long end = pos + WalFormat.RECORD_HEADER + length;
      long p = pos + WalFormat.RECORD_HEADER;
      while (p < end) {
        int n = (int) Math.min(end - p, buf.capacity());
        fill(ch, p, n);
        crc.update(buf.array(), (int) (p - bufStart), n);
        p += n;
      }
      return (int) crc.getValue() == storedCrc;
    }

    /** Whether bytes {@code [pos, size)} of the file are all zero (space never written). */
    boolean zeroToEnd(FileChannel ch, long pos, long size) throws IOException {
      for (long p = pos; p < size; ) {
        int n = (int) Math.min(size - p, buf.capacity());
        fill(ch, p, n);
        int at = (int) (p - bufStart);
        byte[] a = buf.array();
        for (int i = 0; i < n; i++) {
          if (a[at + i] != 0) {
            return false;
          }
        }
        p += n;
      }
      return true;
    }

    /** Makes {@code [pos, pos + n)} available in the buffer ({@code n <= capacity}). */
    private void fill(FileChannel ch, long pos, int n) throws IOException {
      if (ch == bufChannel && pos >= bufStart && pos + n <= bufStart + buf.limit()) {
        return;
      }
      buf.clear();
      bufChannel = ch;
      bufStart = pos;
      while (buf.position() < n) {
        if (ch.read(buf, pos + buf.position()) < 0) {
          throw new IOException("file shrank during recovery");
        }
      }
      buf.flip();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // I/O helpers

  private static void writeFully(FileChannel ch, ByteBuffer src, long position)
      throws IOException {
    long pos = position;
    while (src.hasRemaining()) {
      pos += ch.write(src, pos);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
    long pos = position;
    while (dst.hasRemaining()) {
      int n = ch.read(dst, pos);
      if (n < 0) {
        throw new IOException("unexpected end of file at " + pos);
      }
      pos += n;
    }
  }

  /**
   * The index of the record holding byte {@code offset} of the segment file named {@code
   * fileName}: its base for a header byte, one past its last record beyond them. For crash tests.
   */
  long indexAtOffset(String fileName, long offset) {
    for (Segment s : segments) {
      if (s.path.getFileName().toString().equals(fileName)) {
        if (offset < WalFormat.SEGMENT_HEADER) {
          return s.base;
        }
        for (long i = s.base; i <= s.lastIndex(); i++) {
          if (offset < s.endOf(i)) {
            return i;
          }
        }
        return s.lastIndex() + 1;
      }
    }
    throw new IllegalArgumentException("no segment " + fileName);
  }

  @Override
  public String toString() {
    return "FileRaftLog[" + dir + ", " + first + ".." + last + ", " + segments.size()
        + " segments, " + options.fsyncPolicy() + "]";
  }
}
