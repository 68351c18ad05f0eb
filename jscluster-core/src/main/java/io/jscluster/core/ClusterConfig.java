package io.jscluster.core;

import io.jscluster.core.sync.CatchupBudget;
import io.jscluster.raft.RaftTiming;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link ClusterNode} is set up.
 *
 * @param name this server's name (its Raft node id is derived from it)
 * @param peers the names of every server of the cluster, this one included
 * @param clusterName the cluster name reported in stream info
 * @param storage where durable state lives; with {@link FileNodeStorage#withBackgroundWalSync()} the
 *     WAL and store fsyncs run on I/O threads of the storage instead of the node's thread, and an
 *     acknowledgement still follows the fsync of the leader's WAL, a quorum's WALs and the
 *     leader's store (see docs/architecture.md, Storage)
 * @param catchupMaxBytes the per-server catch-up budget ({@code max_outstanding_catchup}); 0 means
 *     the default of 64 MiB
 * @param timing the Raft timers of every group
 * @param publishTimeoutMillis a publish not acknowledged within this fails with a timeout
 * @param raftCatchupProgress whether the Raft groups (meta and streams) use catch-up progress reports
 *     ({@link io.jscluster.raft.RaftConfig#catchupProgress()}): a catching-up follower reports what
 *     it stored, so the leader streams the log continuously instead of in 2 MiB rounds separated by
 *     NRG's 2 s stall; on by default, like the Raft switch itself (off: exactly NRG's rounds)
 */
public record ClusterConfig(String name, List<String> peers, String clusterName, NodeStorage storage,
    long catchupMaxBytes, RaftTiming timing, long publishTimeoutMillis, boolean raftCatchupProgress) {

  /** A configuration with Raft catch-up progress reports (the default). */
  public ClusterConfig(String name, List<String> peers, String clusterName, NodeStorage storage,
      long catchupMaxBytes, RaftTiming timing, long publishTimeoutMillis) {
    this(name, peers, clusterName, storage, catchupMaxBytes, timing, publishTimeoutMillis, true);
  }

  /** Validates and copies. */
  public ClusterConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(timing, "timing");
    peers = List.copyOf(peers);
    if (!peers.contains(name)) {
      throw new IllegalArgumentException("peers must include " + name);
    }
    if (catchupMaxBytes < 0) {
      throw new IllegalArgumentException("catchupMaxBytes must not be negative");
    }
    if (catchupMaxBytes == 0) {
      catchupMaxBytes = CatchupBudget.DEFAULT_MAX_BYTES;
    }
    if (publishTimeoutMillis <= 0) {
      throw new IllegalArgumentException("publishTimeoutMillis must be positive");
    }
    clusterName = clusterName == null ? "" : clusterName;
  }

  /** A configuration with NRG timers, the default catch-up budget and a 10 s publish timeout. */
  public static ClusterConfig of(String name, List<String> peers, NodeStorage storage) {
    return new ClusterConfig(name, peers, "jscluster", storage, 0, RaftTiming.NRG_DEFAULTS, 10_000);
  }

  /** This configuration with other Raft timers. */
  public ClusterConfig withTiming(RaftTiming t) {
    return new ClusterConfig(name, peers, clusterName, storage, catchupMaxBytes, t, publishTimeoutMillis,
        raftCatchupProgress);
  }

  /** This configuration with another storage. */
  public ClusterConfig withStorage(NodeStorage s) {
    return new ClusterConfig(name, peers, clusterName, s, catchupMaxBytes, timing, publishTimeoutMillis,
        raftCatchupProgress);
  }

  /** This configuration with Raft catch-up progress reports on or off for every group. */
  public ClusterConfig withRaftCatchupProgress(boolean on) {
    return new ClusterConfig(name, peers, clusterName, storage, catchupMaxBytes, timing, publishTimeoutMillis,
        on);
  }
}
