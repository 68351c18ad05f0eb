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

  private final Path dir;
  private final FsyncPolicy walPolicy;
  private final SyncPolicy storePolicy;

  /**
   * Storage under {@code dir}.
   *
   * @param walPolicy when Raft WAL writes are forced
   * @param storePolicy when stream store writes are forced
   */
  public FileNodeStorage(Path dir, FsyncPolicy walPolicy, SyncPolicy storePolicy) {
    this.dir = dir;
    this.walPolicy = walPolicy;
    this.storePolicy = storePolicy;
  }

  /** Storage under {@code dir} with the default policies (WAL forced on sync, store always). */
  public FileNodeStorage(Path dir) {
    this(dir, FsyncPolicy.ON_SYNC, SyncPolicy.ALWAYS);
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
      Files.createDirectories(groupDir(group));
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
    return FileStreamStore.open(FileStoreConfig.of(streamDir(stream)).withSync(storePolicy, 1_000_000_000L)
        .withLimits(limits).withClock(clock));
  }

  @Override
  public void saveFailed(String stream, long clfs) {
    Path f = dir.resolve("streams").resolve(stream + ".clfs");
    Path tmp = dir.resolve("streams").resolve(stream + ".clfs.tmp");
    try {
      Files.createDirectories(f.getParent());
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
          java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(java.nio.ByteBuffer.wrap(Long.toUnsignedString(clfs).getBytes(
            java.nio.charset.StandardCharsets.US_ASCII)));
        ch.force(true);
      }
      Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
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
      Files.deleteIfExists(dir.resolve("streams").resolve(stream + ".clfs"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
