package io.jscluster.raft.snapshot;

import io.jscluster.raft.snapshot.SnapshotFileName.TermIndex;
import io.jscluster.raft.snapshot.SnapshotRecovery.Finding;
import io.jscluster.raft.snapshot.SnapshotRecovery.Reason;
import io.jscluster.raft.snapshot.SnapshotRecovery.Recovered;
import io.jscluster.raft.state.DurableFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code snapshots/} directory of one group: writes snapshot files atomically and finds the
 * one to start from after a restart.
 *
 * <p>Recovery never deletes or rewrites anything: it reads candidate files newest first (highest
 * term, then highest index, as nats-server orders them) and adopts the first that passes its
 * checksum, so a corrupt newest file falls back to an older valid one instead of losing the
 * group's state. Everything it skipped is listed in the {@link SnapshotRecovery}. Deleting old
 * files is a separate, explicit step ({@link #removeObsolete}). Note the difference from
 * nats-server, which fails node creation when its newest snapshot is corrupt.
 *
 * <p><b>Cache.</b> The last snapshot {@link #read(long, long)} verified is kept (one, never more),
 * so that a leader serving the same snapshot to follower after follower reads and checksums the
 * file once, not once per catch-up. Any write, deletion or {@link #deleteAll} drops it; {@link
 * #recover} always reads the files.
 *
 * <p><b>Durability of the directory.</b> The first write through this object creates the
 * directory if needed and makes its entry in the group's directory durable, so a power cut cannot
 * take a durable snapshot file with the directory that names it.
 *
 * <p>All file operations are serialised on this object, so concurrent installs cannot interleave.
 * This is the file implementation of {@link SnapshotStorage}.
 */
public final class SnapshotStore implements SnapshotStorage {

  /** The directory name inside a group's store directory. */
  public static final String DIR_NAME = "snapshots";

  /** The default limit on the size of a snapshot file read back (256 MiB). */
  public static final int DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);

  private final Path dir;
  private final SnapshotCodec codec;
  private final int maxFileBytes;
  /** The last snapshot read and verified, and the file it came from; null when none. */
  private Path cachedFile;
  private Snapshot cached;
  private boolean dirDurable;
  private long fileReads;

  /** A store under {@code storeDir/snapshots} for {@code groupName}, with the default size limit. */
  public SnapshotStore(Path storeDir, String groupName) {
    this(storeDir, groupName, DEFAULT_MAX_FILE_BYTES);
  }

  /**
   * A store under {@code storeDir/snapshots} for {@code groupName}; files larger than {@code
   * maxFileBytes} are refused when read. Touches no file.
   */
  public SnapshotStore(Path storeDir, String groupName, int maxFileBytes) {
    if (maxFileBytes < SnapshotCodec.MIN_LENGTH) {
      throw new IllegalArgumentException("maxFileBytes too small: " + maxFileBytes);
    }
    this.dir = storeDir.resolve(DIR_NAME);
    this.codec = new SnapshotCodec(groupName);
    this.maxFileBytes = maxFileBytes;
  }

  /** The snapshots directory. */
  public Path directory() {
    return dir;
  }

  /** The path {@code snap} is (or would be) stored at. */
  public Path pathOf(Snapshot snap) {
    return dir.resolve(snap.fileName());
  }

  /**
   * Writes {@code snap} as {@code snap.<lastTerm>.<lastIndex>} through a temporary file; durable
   * (file and directory entry) when this returns. Replaces a file of the same name.
   *
   * @throws IOException if writing failed; an existing file of that name is then unchanged
   */
  @Override
  public synchronized void write(Snapshot snap) throws IOException {
    writeFile(snap);
  }

  /**
   * As {@link #write}, returning the file written.
   *
   * @throws IOException if writing failed; an existing file of that name is then unchanged
   */
  public synchronized Path writeFile(Snapshot snap) throws IOException {
    Path file = pathOf(snap);
    invalidate();
    ensureDirectory();
    DurableFiles.writeAtomically(file, codec.encode(snap));
    return file;
  }

  /**
   * {@inheritDoc} Here the snapshot is encoded now (on the calling, node's, thread), {@code write}
   * writes and forces it as {@code snap.<lastTerm>.<lastIndex>.staged.tmp} without taking this
   * store's lock (so reads and other writes go on meanwhile), and {@code publish} renames it over
   * {@code snap.<lastTerm>.<lastIndex>} and fsyncs the directory. The staging file is never
   * created in a directory that is gone (a removed group): its {@code write} then fails.
   */
  @Override
  public synchronized StagedWrite stage(Snapshot snap) throws IOException {
    ensureDirectory();
    Path target = pathOf(snap);
    Path staged = dir.resolve(snap.fileName() + STAGED_SUFFIX + DurableFiles.TMP_SUFFIX);
    byte[] bytes = codec.encode(snap);
    return new StagedWrite() {
      @Override
      public void write() throws IOException {
        DurableFiles.writeForced(staged, bytes);
      }

      @Override
      public void publish() throws IOException {
        synchronized (SnapshotStore.this) {
          invalidate();
          DurableFiles.replaceDurably(staged, target);
        }
      }

      @Override
      public void discard() {
        try {
          Files.deleteIfExists(staged);
        } catch (IOException e) {
          LOG.warn("cannot delete staged snapshot {}: {}", staged, e.toString());
        }
      }
    };
  }

  /** Infix of a staged write's file name, before the temporary-file suffix. */
  static final String STAGED_SUFFIX = ".staged";

  /**
   * {@inheritDoc} Served from the cache when it is the snapshot read last, otherwise read,
   * verified and cached (replacing the previous one).
   */
  @Override
  public synchronized Snapshot read(long term, long index) throws IOException {
    Path file = dir.resolve(SnapshotFileName.format(term, index));
    if (cached != null && file.equals(cachedFile)) {
      return cached;
    }
    Snapshot snap = read(file);
    cachedFile = file;
    cached = snap;
    return snap;
  }

  /**
   * How many times a snapshot file was read and verified through this object (cache hits do not
   * count); for tests and diagnostics.
   */
  public synchronized long fileReads() {
    return fileReads;
  }

  @Override
  public synchronized void delete(long term, long index) throws IOException {
    delete(dir.resolve(SnapshotFileName.format(term, index)));
  }

  /**
   * Reads and verifies one snapshot file.
   *
   * @throws SnapshotCorruptException if it fails verification
   * @throws IOException if it cannot be read, does not exist, or exceeds the size limit
   */
  public synchronized Snapshot read(Path file) throws IOException {
    fileReads++;
    byte[] bytes = DurableFiles.readIfExists(file, maxFileBytes);
    if (bytes == null) {
      throw new NoSuchFileException(file.toString());
    }
    return codec.decode(bytes);
  }

  /** Deletes {@code file} if present and makes the deletion durable. */
  public synchronized void delete(Path file) throws IOException {
    if (file.equals(cachedFile)) {
      invalidate();
    }
    if (Files.deleteIfExists(file)) {
      DurableFiles.syncDirectory(dir);
    }
  }

  /**
   * Scans the directory and picks the snapshot to start from; reads only, never deletes. A
   * missing directory means no snapshot.
   *
   * @throws IOException if the directory exists but cannot be listed
   */
  @Override
  public synchronized SnapshotRecovery recover() throws IOException {
    List<Finding> findings = new ArrayList<>();
    List<Candidate> candidates = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return new SnapshotRecovery(Optional.empty(), findings);
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (name.endsWith(DurableFiles.TMP_SUFFIX)) {
          findings.add(new Finding(p, Reason.TMP_LEFTOVER, "interrupted write"));
          continue;
        }
        Optional<TermIndex> ti = SnapshotFileName.parse(name);
        if (ti.isEmpty()) {
          findings.add(new Finding(p, Reason.UNPARSEABLE_NAME, "not snap.<term>.<index>"));
        } else {
          candidates.add(new Candidate(p, ti.get()));
        }
      }
    }
    candidates.sort(NEWEST_FIRST);
    Recovered chosen = null;
    for (Candidate c : candidates) {
      if (chosen != null) {
        findings.add(new Finding(c.file, Reason.SUPERSEDED, "older than " + chosen.file()));
        continue;
      }
      if (c.position.index() == 0) {
        findings.add(new Finding(c.file, Reason.LEGACY_ZERO_INDEX, "snapshot at index 0"));
        continue;
      }
      Snapshot snap;
      try {
        snap = read(c.file);
      } catch (SnapshotCorruptException e) {
        LOG.warn("snapshot {} is corrupt, trying an older one: {}", c.file, e.getMessage());
        findings.add(new Finding(c.file, Reason.CORRUPT, e.getMessage()));
        continue;
      } catch (IOException e) {
        LOG.warn("snapshot {} cannot be read, trying an older one: {}", c.file, e.toString());
        findings.add(new Finding(c.file, Reason.UNREADABLE, e.toString()));
        continue;
      }
      if (snap.lastTerm() != c.position.term() || snap.lastIndex() != c.position.index()) {
        String detail = "header says " + snap.fileName();
        LOG.warn("snapshot {} does not match its name ({}), trying an older one", c.file, detail);
        findings.add(new Finding(c.file, Reason.NAME_MISMATCH, detail));
        continue;
      }
      chosen = new Recovered(c.file, snap);
    }
    return new SnapshotRecovery(Optional.ofNullable(chosen), findings);
  }

  /**
   * Deletes what a recovery found to be garbage: interrupted {@code .tmp} writes, index-0 legacy
   * files and valid snapshots older than the adopted one. Corrupt, unreadable, mismatched and
   * unknown files are kept for inspection.
   *
   * @return the number of files deleted
   */
  @Override
  public synchronized int removeObsolete(SnapshotRecovery recovery) throws IOException {
    int deleted = 0;
    for (Finding f : recovery.findings()) {
      if (f.reason() == Reason.TMP_LEFTOVER || f.reason() == Reason.LEGACY_ZERO_INDEX
          || f.reason() == Reason.SUPERSEDED) {
        if (f.file().equals(cachedFile)) {
          invalidate();
        }
        if (Files.deleteIfExists(f.file())) {
          deleted++;
        }
      }
    }
    if (deleted > 0) {
      DurableFiles.syncDirectory(dir);
    }
    return deleted;
  }

  /**
   * Deletes the whole directory and creates it empty (the snapshot half of a Raft reset).
   *
   * @throws IOException if something could not be deleted
   */
  @Override
  public synchronized void deleteAll() throws IOException {
    invalidate();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path p : entries) {
          Files.delete(p);
        }
      }
    }
    DurableFiles.createDirectories(dir);
    DurableFiles.syncDirectory(dir);
    DurableFiles.syncDirectory(dir.toAbsolutePath().getParent());
    dirDurable = true;
  }

  private void invalidate() {
    cachedFile = null;
    cached = null;
  }

  /**
   * Creates the directory durably, or, when it exists, fsyncs its parent once anyway: it may have
   * been created by a process that crashed before its entry was made durable.
   */
  private void ensureDirectory() throws IOException {
    if (!dirDurable) {
      if (!DurableFiles.createDirectories(dir)) {
        DurableFiles.syncParent(dir);
      }
      dirDurable = true;
    }
  }

  private record Candidate(Path file, TermIndex position) {}

  private static final Comparator<Candidate> NEWEST_FIRST =
      Comparator.<Candidate, Long>comparing(c -> c.position.term(), Long::compareUnsigned)
          .thenComparing(c -> c.position.index(), Long::compareUnsigned)
          .reversed();
}
