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
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * {@link NodeStorage} in a directory, laid out like nats-server's: {@code _js_/<group>/} holds a
 * group's WAL ({@code wal/}) and {@code tav.idx}; {@code streams/<name>/} a file stream store.
 * Memory-storage streams and their groups live on the heap and start empty after a restart, as in
 * nats-server (they are rebuilt from peers).
 *
 * <p><b>Sync policy.</b> By default the WAL is forced on every Raft sync and a store on every
 * write or batch, on the node's thread. {@link #withBackgroundWalSync()} keeps those guarantees
 * (an acknowledgement follows the fsync of the leader's WAL, a quorum's WALs and the leader's
 * store) but runs the forces on two I/O threads of this storage: WALs through
 * {@link BackgroundSyncLog}, whose host withholds what the node emits until the force completed,
 * and replicated file stores under {@link SyncPolicy#INTERVAL}, forced after each apply batch by
 * {@link #storeForcer()} before the batch's results are completed; the WALs then also keep two
 * spare segments ({@link io.jscluster.raft.wal.WalOptions#spareSegments()}). The stream store is
 * never treated as a cache the WAL could rebuild.
 */
public final class FileNodeStorage implements NodeStorage {

  /** The default fsync policy of the Raft WALs. */
  public static final FsyncPolicy DEFAULT_WAL_POLICY = FsyncPolicy.ON_SYNC;
  /** The default sync policy of the file stream stores. */
  public static final SyncPolicy DEFAULT_STORE_POLICY = SyncPolicy.ALWAYS;
  /** The default interval of {@link SyncPolicy#INTERVAL} store syncs: one second. */
  public static final long DEFAULT_STORE_SYNC_INTERVAL_NANOS = 1_000_000_000L;
  /**
   * Spare WAL segments kept per group with {@link #withBackgroundWalSync()}: compacted segment
   * files are written over by later segments instead of new files being grown, which on this
   * kind of machine costs far less per byte (no fresh page-cache pages, no block allocation).
   */
  static final int SPARE_WAL_SEGMENTS = 2;

  private final Path dir;
  private final FsyncPolicy walPolicy;
  private final SyncPolicy storePolicy;
  private final long storeSyncIntervalNanos;
  /** Forces file WALs in the background (null: on the node's thread). */
  private final Executor walForcer;
  /** Forces replicated file stores in the background (null when {@link #walForcer} is). */
  private final Executor storeForcer;
  /** Writes threshold snapshots' files in the background (null when {@link #storeForcer} is). */
  private final Executor snapshotWriter;
  /** Write-behind buffers of the file stores opened here (0: writes on the caller's thread). */
  private final int storeWriteBehind;

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
    this(dir, walPolicy, storePolicy, storeSyncIntervalNanos, null, null, null, 0);
  }

  private FileNodeStorage(Path dir, FsyncPolicy walPolicy, SyncPolicy storePolicy, long storeSyncIntervalNanos,
      Executor walForcer, Executor storeForcer, Executor snapshotWriter, int storeWriteBehind) {
    this.dir = dir;
    this.walPolicy = walPolicy;
    this.storePolicy = storePolicy;
    this.storeSyncIntervalNanos = storeSyncIntervalNanos;
    this.walForcer = walForcer;
    this.storeForcer = storeForcer;
    this.snapshotWriter = snapshotWriter;
    this.storeWriteBehind = storeWriteBehind;
  }

  /**
   * This storage with forces moved off the node's thread, when the WAL policy is
   * {@link FsyncPolicy#ON_SYNC} and the store policy {@link SyncPolicy#ALWAYS} (the defaults):
   * <ul>
   *   <li>each file group's Raft log is a {@link BackgroundSyncLog} forced by an I/O thread of this
   *       storage; its {@link RaftGroupHost} withholds everything the node emits after a sync until
   *       that force completed;</li>
   *   <li>the store of a replicated file stream is written without a force per batch and forced by a
   *       second I/O thread ({@link #storeForcer()}); the replica completes a publish (or purge,
   *       delete) only after a force that began after the batch applying it.</li>
   * </ul>
   * So an acknowledgement still follows the fsync of the leader's WAL, a quorum's WALs and the
   * leader's store, exactly as with inline forces, while the node's thread keeps accepting and
   * batching proposals; forces coalesce under load. The threads are daemons that end when idle.
   * For real-time schedulers; a simulation passes its own executor to
   * {@link #withBackgroundWalSync(Executor)}. Store writes stay on the node's thread unless
   * {@link #withStoreWriteBehind(int)} is chosen too.
   */
  public FileNodeStorage withBackgroundWalSync() {
    return withBackgroundWalSync(ioThread("wal-force-"), ioThread("store-force-"), ioThread("snapshot-write-"));
  }

  /**
   * This storage with its file stream stores opened with {@code buffers} write-behind buffers
   * ({@code 0}: off, writes on the caller's thread; otherwise
   * {@code 2..}{@value FileStoreConfig#MAX_WRITE_BEHIND_BUFFERS}, see
   * {@link FileStoreConfig#withWriteBehind(int)}): a full write buffer goes to a writer thread while
   * the node's thread goes on; every read and force still waits for the writes in flight, so no
   * guarantee changes. Off by default: with three replicas on two cores it showed no gain in the
   * cluster benchmarks (docs/benchmarks/cluster.md), and it pays only with a spare core. Only for
   * real-time use: the writes then happen on a writer thread, which a deterministic simulation must
   * not have.
   *
   * @throws IllegalArgumentException when {@code buffers} is out of range
   */
  public FileNodeStorage withStoreWriteBehind(int buffers) {
    if (buffers != 0 && (buffers < 2 || buffers > FileStoreConfig.MAX_WRITE_BEHIND_BUFFERS)) {
      throw new IllegalArgumentException("store write-behind buffers must be 0 or 2.."
          + FileStoreConfig.MAX_WRITE_BEHIND_BUFFERS + ": " + buffers);
    }
    return new FileNodeStorage(dir, walPolicy, storePolicy, storeSyncIntervalNanos, walForcer, storeForcer,
        snapshotWriter, buffers);
  }

  /** Write-behind buffers of the file stream stores opened here (0: off). */
  public int storeWriteBehind() {
    return storeWriteBehind;
  }

  /**
   * As {@link #withBackgroundWalSync()}, with the forces run by tasks handed to {@code io}, which
   * must run them one at a time in the order given (WAL and store forces share it).
   */
  public FileNodeStorage withBackgroundWalSync(Executor io) {
    java.util.Objects.requireNonNull(io, "io");
    return withBackgroundWalSync(io, io, io);
  }

  private FileNodeStorage withBackgroundWalSync(Executor wal, Executor store, Executor snapshots) {
    return new FileNodeStorage(dir, walPolicy, storePolicy, storeSyncIntervalNanos, wal, store, snapshots,
        storeWriteBehind);
  }

  private ThreadPoolExecutor ioThread(String prefix) {
    ThreadPoolExecutor io = new ThreadPoolExecutor(1, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, prefix + dir.getFileName());
      t.setDaemon(true);
      return t;
    });
    io.allowCoreThreadTimeOut(true);
    return io;
  }

  /**
   * Where replicated file streams' stores are forced, or null when they are forced inline (see
   * {@link #withBackgroundWalSync()}).
   */
  @Override
  public Executor storeForcer() {
    return backgroundStores() ? storeForcer : null;
  }

  /**
   * Where replicated file streams write their threshold snapshots' files before adopting them, or
   * null when they write them on the node's thread: with {@link #withBackgroundWalSync()} a third
   * I/O thread (a snapshot write would otherwise hold up the store forces that acknowledgements
   * wait for), with {@link #withBackgroundWalSync(Executor)} that executor.
   */
  @Override
  public Executor snapshotWriter() {
    return backgroundStores() ? snapshotWriter : null;
  }

  private boolean backgroundStores() {
    return storeForcer != null && walPolicy == FsyncPolicy.ON_SYNC && storePolicy == SyncPolicy.ALWAYS;
  }

  /** Whether file WALs are forced in the background. */
  public boolean backgroundWalSync() {
    return walForcer != null;
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
    Path wal = groupDir(group).resolve("wal");
    if (walForcer != null && walPolicy == FsyncPolicy.ON_SYNC) {
      // Two spare segments: later segments are written over compacted ones instead of growing new
      // files (see WalOptions#spareSegments).
      return new BackgroundSyncLog(FileRaftLog.open(wal, WalOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER)
          .withSpareSegments(SPARE_WAL_SEGMENTS)), wal, walForcer);
    }
    return FileRaftLog.open(wal, WalOptions.defaults().withFsyncPolicy(walPolicy));
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
    return streamStore(stream, storage, limits, clock, false);
  }

  /**
   * With background forces ({@link #withBackgroundWalSync()}) a replicated file stream's store is
   * opened under {@link SyncPolicy#INTERVAL}: no force on the node's thread; its replica forces it
   * through {@link #storeForcer()} before completing what a batch applied.
   */
  @Override
  public StreamStore streamStore(String stream, StorageType storage, StreamLimits limits,
      LongSupplier clock, boolean replicated) {
    if (storage == StorageType.MEMORY) {
      return new MemoryStreamStore(limits, clock);
    }
    SyncPolicy p = replicated && backgroundStores() ? SyncPolicy.INTERVAL : storePolicy;
    return FileStreamStore.open(FileStoreConfig.of(streamDir(stream)).withSync(p, storeSyncIntervalNanos)
        .withLimits(limits).withClock(clock).withWriteBehind(storeWriteBehind));
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

  /**
   * NRG's layout: {@code peers.idx} in the group directory, written atomically; a memory group
   * keeps it on the heap like its log.
   */
  @Override
  public io.jscluster.raft.log.PeerStateStore peerState(String group, StorageType storage) {
    if (storage == StorageType.MEMORY) {
      return new io.jscluster.raft.log.MemoryPeerStateStore();
    }
    try {
      DurableFiles.createDirectories(groupDir(group));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new io.jscluster.raft.state.PeerStateFile(groupDir(group));
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
