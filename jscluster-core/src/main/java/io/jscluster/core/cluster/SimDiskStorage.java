package io.jscluster.core.cluster;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.FileNodeStorage;
import io.jscluster.core.NodeStorage;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamStore;
import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.log.TermVoteStore;
import io.jscluster.raft.sim.SimDisk;
import io.jscluster.raft.snapshot.SnapshotStorage;
import java.util.function.LongSupplier;

/**
 * A node's {@link FileNodeStorage} on its own {@link SimDisk}, forwarding every method (the
 * replicated-store form and the store forcer included). It only adds one thing: while the
 * machine is going down (a kill or a power cut of the in-process cluster), closing a log or store
 * that cannot flush, or that a power loss interrupted in the middle of a write, is not an error:
 * the dead process's files keep what the simulation decides.
 */
final class SimDiskStorage implements NodeStorage {

  private final SimDisk disk;
  private final FileNodeStorage files;
  private boolean goingDown;

  SimDiskStorage(SimDisk disk, FileNodeStorage files) {
    this.disk = disk;
    this.files = files;
  }

  /** The disk. */
  SimDisk disk() {
    return disk;
  }

  /** While true, failures to release a log or store are ignored. */
  void goingDown(boolean on) {
    goingDown = on;
  }

  /** The file storage on the disk. */
  FileNodeStorage files() {
    return files;
  }

  @Override
  public RaftLog raftLog(String group, StorageType storage) {
    return files.raftLog(group, storage);
  }

  @Override
  public TermVoteStore termVote(String group, StorageType storage) {
    return files.termVote(group, storage);
  }

  @Override
  public StreamStore streamStore(String stream, StorageType storage, StreamLimits limits,
      LongSupplier clock) {
    return files.streamStore(stream, storage, limits, clock);
  }

  @Override
  public StreamStore streamStore(String stream, StorageType storage, StreamLimits limits,
      LongSupplier clock, boolean replicated) {
    return files.streamStore(stream, storage, limits, clock, replicated);
  }

  @Override
  public java.util.concurrent.Executor storeForcer() {
    return files.storeForcer();
  }

  @Override
  public java.util.concurrent.Executor snapshotWriter() {
    return files.snapshotWriter();
  }

  @Override
  public SnapshotStorage snapshots(String group, StorageType storage) {
    return files.snapshots(group, storage);
  }

  @Override
  public io.jscluster.raft.log.PeerStateStore peerState(String group, StorageType storage) {
    return files.peerState(group, storage);
  }

  @Override
  public void removeGroup(String group) {
    files.removeGroup(group);
  }

  @Override
  public void removeStream(String stream) {
    files.removeStream(stream);
  }

  @Override
  public void saveFailed(String stream, long clfs) {
    files.saveFailed(stream, clfs);
  }

  @Override
  public long loadFailed(String stream) {
    return files.loadFailed(stream);
  }

  @Override
  public void release(RaftLog log) {
    try {
      files.release(log);
    } catch (RuntimeException e) {
      if (!goingDown) {
        throw e;
      }
    }
  }

  @Override
  public void release(StreamStore store) {
    try {
      files.release(store);
    } catch (RuntimeException e) {
      if (!goingDown) {
        throw e;
      }
    }
  }
}
