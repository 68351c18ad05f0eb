package io.jscluster.core;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamStore;
import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.log.TermVoteStore;
import io.jscluster.raft.snapshot.MemorySnapshotStorage;
import io.jscluster.raft.snapshot.SnapshotStorage;
import java.util.function.LongSupplier;

/**
 * Where a {@link ClusterNode} keeps its durable state: one Raft log and term/vote store per group
 * (the meta group {@code _meta_} and one per replicated stream) and one store per stream. A node
 * restarted with the same storage recovers from it. Implementations: {@link MemoryNodeStorage}
 * (heap, survives a simulated crash in the in-process cluster) and {@link FileNodeStorage}.
 */
public interface NodeStorage {

  /** Opens (or creates) the Raft log of {@code group}; {@code storage} is the group's storage type. */
  RaftLog raftLog(String group, StorageType storage);

  /** Opens (or creates) the term/vote store of {@code group}. */
  TermVoteStore termVote(String group, StorageType storage);

  /** Opens (or creates) the store of {@code stream}. */
  StreamStore streamStore(String stream, StorageType storage, StreamLimits limits, LongSupplier clock);

  /**
   * Opens (or creates) the store of {@code stream}; {@code replicated} says whether the stream's
   * replica has a Raft group (so a log) for its whole life. By default the same as the four-argument
   * form.
   */
  default StreamStore streamStore(String stream, StorageType storage, StreamLimits limits, LongSupplier clock,
      boolean replicated) {
    return streamStore(stream, storage, limits, clock);
  }

  /**
   * Where the replica of a replicated stream forces its store after an apply batch instead of on
   * the node's thread, or null (the default) to force inline. A store handed out for such a
   * stream must then not force per batch itself.
   */
  default java.util.concurrent.Executor storeForcer() {
    return null;
  }

  /**
   * Where a replicated stream whose store is forced by {@link #storeForcer()} writes and forces the
   * file of a threshold snapshot before the node's thread adopts it
   * ({@link io.jscluster.raft.SnapshotCheckpoint#stage}), or null (the default) to write it on the
   * node's thread. Tasks must run one at a time; a simulation passes an executor that runs them in
   * virtual time.
   */
  default java.util.concurrent.Executor snapshotWriter() {
    return null;
  }

  /**
   * The snapshot storage of {@code group} (nats-server's {@code snapshots/} directory of the group).
   * By default a fresh heap store, which does not survive a restart; both implementations here keep
   * snapshots as long as the group's log.
   */
  default SnapshotStorage snapshots(String group, StorageType storage) {
    return new MemorySnapshotStorage(group);
  }

  /**
   * The committed-membership store of {@code group} (NRG's {@code peers.idx} beside the group's
   * log), read by the group's Raft node at start-up when no snapshot supplies the membership. By
   * default a fresh heap store, which does not survive a restart (the node then starts from its
   * configured peers and its log); both implementations here keep it as long as the group's log.
   */
  default io.jscluster.raft.log.PeerStateStore peerState(String group, StorageType storage) {
    return new io.jscluster.raft.log.MemoryPeerStateStore();
  }

  /** Deletes everything kept for {@code group}; its log must no longer be in use. */
  void removeGroup(String group);

  /** Deletes the store of {@code stream}; it must be closed. */
  void removeStream(String stream);

  /**
   * Durably records stream {@code stream}'s count of failed clustered proposals (CLFS). Until
   * Raft snapshots carry it, this is what keeps a restarted replica's log replay aligned.
   */
  void saveFailed(String stream, long clfs);

  /** The count saved by {@link #saveFailed}, or 0. */
  long loadFailed(String stream);

  /** The node no longer uses {@code log} (it stopped); by default closes it. */
  default void release(RaftLog log) {
    log.close();
  }

  /** The node no longer uses {@code store} (it stopped); by default closes it. */
  default void release(StreamStore store) {
    store.close();
  }
}
