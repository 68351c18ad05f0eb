package io.jscluster.core;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.store.FileStoreConfig;
import io.jscluster.core.store.FileStreamStore;
import io.jscluster.core.store.MemoryStreamStore;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamStore;
import io.jscluster.core.store.SyncPolicy;
import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.log.TermVoteStore;
import io.jscluster.raft.state.DurableFiles;
import io.jscluster.raft.state.TermVoteFile;
import io.jscluster.raft.wal.FileRaftLog;
import io.jscluster.raft.wal.WalOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * {@link NodeStorage} in a directory, laid out like nats-server's: {@code _js_/<group>/} holds a
 * group's WAL ({@code wal/}) and {@code tav.idx}; {@code streams/<name>/} a file stream store.
 * Memory-storage streams and their groups live on the heap and start empty after a restart, as in
 * nats-server (they are rebuilt from peers).
 */
public final class FileNodeStorage implements NodeStorage {

  /** The default fsync policy of the Raft WALs. */
  public static final FsyncPolicy DEFAULT_WAL_POLICY = FsyncPolicy.ON_SYNC;
  /** The default sync policy of the file stream stores. */
  public static final SyncPolicy DEFAULT_STORE_POLICY = SyncPolicy.ALWAYS;
  /** The default interval of {@link SyncPolicy#INTERVAL} store syncs: one second. */
  public static final long DEFAULT_STORE_SYNC_INTERVAL_NANOS = 1_000_000_000L;

  private final Path dir;
  private final FsyncPolicy walPolicy;
  private final SyncPolicy storePolicy;
  private final long storeSyncIntervalNanos;

  /**
   * Storage under {@code dir}.
   *
   * @param walPolicy when Raft WAL writes are forced
   * @param storePolicy when stream store writes are forced
   */
  public FileNodeStorage(Path dir, FsyncPolicy walPolicy, SyncPolicy storePolicy) {
    this(dir, walPolicy, storePolicy, DEFAULT_STORE_SYNC_INTERVAL_NANOS);
  }

  /**
   * Storage under {@code dir} whose {@link SyncPolicy#INTERVAL} stores sync every {@code
   * storeSyncIntervalNanos} (real time, on the stores' shared background thread).
   */
  public FileNodeStorage(Path dir, FsyncPolicy walPolicy, SyncPolicy storePolicy,
      long storeSyncIntervalNanos) {
    this.dir = dir;
    this.walPolicy = walPolicy;
    this.storePolicy = storePolicy;
    this.storeSyncIntervalNanos = storeSyncIntervalNanos;
  }

  /** Storage under {@code dir} with the default policies ({@link #DEFAULT_WAL_POLICY}, {@link #DEFAULT_STORE_POLICY}). */
  public FileNodeStorage(Path dir) {
    this(dir, DEFAULT_WAL_POLICY, DEFAULT_STORE_POLICY);
  }

  /** The root directory. */
  public Path directory() {
    return dir;
  }

  /** The directory of {@code group}. */
  public Path groupDir(String group) {
    return dir.resolve("_js_").resolve(group);
  }

  /** The directory of stream {@code stream}'s store. */
  public Path streamDir(String stream) {
    return dir.resolve("streams").resolve(stream);
  }

  @Override
  public RaftLog raftLog(String group, StorageType storage) {
    if (storage == StorageType.MEMORY) {
      return new MemoryRaftLog(walPolicy);
    }
    return FileRaftLog.open(groupDir(group).resolve("wal"),
        WalOptions.defaults().withFsyncPolicy(walPolicy));
  }

  @Override
  public TermVoteStore termVote(String group, StorageType storage) {
    if (storage == StorageType.MEMORY) {
      return new MemoryTermVoteStore();
    }
    try {
      DurableFiles.createDirectories(groupDir(group));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new TermVoteFile(groupDir(group));
  }

  @Override
  public StreamStore streamStore(String stream, StorageType storage, StreamLimits limits,
      LongSupplier clock) {
    if (storage == StorageType.MEMORY) {
      return new MemoryStreamStore(limits, clock);
    }
    return FileStreamStore.open(FileStoreConfig.of(streamDir(stream)).withSync(storePolicy, storeSyncIntervalNanos)
        .withLimits(limits).withClock(clock));
  }

  @Override
  public void saveFailed(String stream, long clfs) {
    Path f = dir.resolve("streams").resolve(stream + ".clfs");
    try {
      // Written, forced, renamed and the directory forced: the count survives a power cut.
      DurableFiles.writeAtomically(f, Long.toUnsignedString(clfs).getBytes(
          java.nio.charset.StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public long loadFailed(String stream) {
    Path f = dir.resolve("streams").resolve(stream + ".clfs");
    try {
      return Files.exists(f) ? Long.parseUnsignedLong(Files.readString(f).trim()) : 0;
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  /** NRG's layout: {@code snapshots/} under the group directory, beside {@code wal}. */
  @Override
  public io.jscluster.raft.snapshot.SnapshotStorage snapshots(String group, StorageType storage) {
    return new io.jscluster.raft.snapshot.SnapshotStore(groupDir(group), group);
  }

  @Override
  public void removeGroup(String group) {
    deleteTree(groupDir(group));
  }

  @Override
  public void removeStream(String stream) {
    deleteTree(streamDir(stream));
    try {
      if (Files.deleteIfExists(dir.resolve("streams").resolve(stream + ".clfs"))) {
        DurableFiles.syncDirectory(dir.resolve("streams"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes {@code p} and everything under it, durably: a power cut does not bring it back. */
  private static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
      Path parent = p.toAbsolutePath().getParent();
      if (parent != null) {
        DurableFiles.syncDirectory(parent);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
