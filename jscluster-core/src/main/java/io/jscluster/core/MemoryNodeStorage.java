package io.jscluster.core;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.store.MemoryStreamStore;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamStore;
import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.log.TermVoteStore;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * {@link NodeStorage} on the heap. The objects outlive the {@link ClusterNode} that used them, so a
 * node rebuilt on the same instance "restarts" from them; {@link #crash(int)} applies the Raft
 * logs' crash model (unsynced writes are lost or torn). Stream stores are kept whole: a memory
 * store models a store whose every acknowledged write is durable. Single-threaded use only.
 */
public final class MemoryNodeStorage implements NodeStorage {

  private final FsyncPolicy policy;
  private final Map<String, MemoryRaftLog> logs = new TreeMap<>();
  private final Map<String, MemoryTermVoteStore> votes = new TreeMap<>();
  private final Map<String, MemoryStreamStore> stores = new TreeMap<>();
  private final Map<String, Long> failed = new TreeMap<>();
  private final Map<String, io.jscluster.raft.snapshot.MemorySnapshotStorage> snapshots = new TreeMap<>();
  private final Map<String, io.jscluster.raft.log.MemoryPeerStateStore> peerStates = new TreeMap<>();

  /** Storage whose Raft logs use {@code policy}. */
  public MemoryNodeStorage(FsyncPolicy policy) {
    this.policy = policy;
  }

  /** Storage with {@link FsyncPolicy#ALWAYS}. */
  public MemoryNodeStorage() {
    this(FsyncPolicy.ALWAYS);
  }

  @Override
  public RaftLog raftLog(String group, StorageType storage) {
    return logs.computeIfAbsent(group, g -> new MemoryRaftLog(policy));
  }

  @Override
  public TermVoteStore termVote(String group, StorageType storage) {
    return votes.computeIfAbsent(group, g -> new MemoryTermVoteStore());
  }

  @Override
  public StreamStore streamStore(String stream, StorageType storage, StreamLimits limits,
      LongSupplier clock) {
    MemoryStreamStore s = stores.get(stream);
    if (s == null) {
      s = new MemoryStreamStore(limits, clock);
      stores.put(stream, s);
    } else {
      s.updateLimits(limits);
    }
    return s;
  }

  @Override
  public void saveFailed(String stream, long clfs) {
    failed.put(stream, clfs);
  }

  @Override
  public long loadFailed(String stream) {
    return failed.getOrDefault(stream, 0L);
  }

  /** Kept across simulated crashes: a snapshot write is durable when it returns. */
  @Override
  public io.jscluster.raft.snapshot.SnapshotStorage snapshots(String group, StorageType storage) {
    return snapshots.computeIfAbsent(group, io.jscluster.raft.snapshot.MemorySnapshotStorage::new);
  }

  /** Kept across simulated crashes: a peer-state write is durable when it returns. */
  @Override
  public io.jscluster.raft.log.PeerStateStore peerState(String group, StorageType storage) {
    return peerStates.computeIfAbsent(group, g -> new io.jscluster.raft.log.MemoryPeerStateStore());
  }

  @Override
  public void removeGroup(String group) {
    logs.remove(group);
    votes.remove(group);
    snapshots.remove(group);
    peerStates.remove(group);
  }

  @Override
  public void removeStream(String stream) {
    stores.remove(stream);
    failed.remove(stream);
  }

  /** Keeps the log: a later {@link #crash(int)} decides what of it survives. */
  @Override
  public void release(RaftLog log) {}

  /** Keeps the store for the next incarnation. */
  @Override
  public void release(StreamStore store) {}

  /**
   * Applies a crash to every Raft log: of the writes not yet synced, the first
   * {@code survivingUnsynced} survive ({@code Integer.MAX_VALUE}: a clean stop). Must be called
   * between stopping a node and building its next incarnation, which needs reopened logs.
   */
  public void crash(int survivingUnsynced) {
    logs.replaceAll((g, l) -> l.afterCrash(survivingUnsynced));
  }

  /** The group names with a log. */
  public java.util.Set<String> groups() {
    return java.util.Collections.unmodifiableSet(logs.keySet());
  }
}
