package io.jscluster.raft;

import java.util.List;
import java.util.Objects;

/**
 * How one Raft group member is set up.
 *
 * @param group the group name (used in subjects)
 * @param selfId this node's 8-character id
 * @param peers the bootstrap peer ids, including self
 * @param clusterSize the expected cluster size (at least the number of peers)
 * @param observer start as observer (never campaigns)
 * @param managed membership is owned by an upper layer: unknown responders are not auto-added
 * @param recovering the group existed before (a fresh empty log is then not "initializing")
 * @param preVote run a pre-vote before incrementing the term on election timeout (extension,
 *     jscluster only; switch off in clusters mixed with nats-server nodes)
 * @param readIndex serve {@link RaftNode#readIndex(long, long)} (extension)
 * @param maxBatchBytes flush a proposal batch at this many bytes (sum of {@code len + 1})
 * @param maxBatchEntries flush a proposal batch at this many entries (at most 65535)
 * @param catchupWindowBytes encoded bytes a catch-up streamer may have outstanding
 * @param timing the timers
 * @param catchupProgress a catching-up follower reports each stored catch-up batch to the leader
 *     (a rejection without reply, which counts for nothing but the stream's window), so the
 *     leader streams continuously instead of NRG's 2 MiB rounds separated by a 2 s stall
 *     (extension, jscluster only; an NRG leader ignores the reports, an NRG follower never sends
 *     them, so mixed groups fall back to NRG's rounds). Switched off, a node behaves exactly as
 *     NRG on both sides (a leader then ignores reports and releases only the exact index of a
 *     progress value). On by default
 */
public record RaftConfig(String group, String selfId, List<String> peers, int clusterSize,
    boolean observer, boolean managed, boolean recovering, boolean preVote, boolean readIndex,
    int maxBatchBytes, int maxBatchEntries, int catchupWindowBytes, RaftTiming timing,
    boolean catchupProgress) {

  /** Validates the configuration and copies the peer list. */
  public RaftConfig {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(selfId, "selfId");
    Objects.requireNonNull(timing, "timing");
    peers = List.copyOf(peers);
    if (selfId.length() != 8) {
      throw new IllegalArgumentException("selfId must be 8 characters");
    }
    if (clusterSize < peers.size()) {
      clusterSize = peers.size();
    }
    if (maxBatchEntries < 1 || maxBatchEntries > 0xFFFF || maxBatchBytes < 1) {
      throw new IllegalArgumentException("invalid batch limits");
    }
  }

  /** As the canonical constructor with {@code catchupProgress} on (the default). */
  public RaftConfig(String group, String selfId, List<String> peers, int clusterSize,
      boolean observer, boolean managed, boolean recovering, boolean preVote, boolean readIndex,
      int maxBatchBytes, int maxBatchEntries, int catchupWindowBytes, RaftTiming timing) {
    this(group, selfId, peers, clusterSize, observer, managed, recovering, preVote, readIndex,
        maxBatchBytes, maxBatchEntries, catchupWindowBytes, timing, true);
  }

  /**
   * A configuration with NRG defaults plus the jscluster extensions switched on: pre-vote,
   * read-index and catch-up progress reports. Switch an extension off (for example {@link
   * #withCatchupProgress(boolean)}) to behave exactly as NRG on that point.
   */
  public static RaftConfig of(String group, String selfId, List<String> peers) {
    return new RaftConfig(group, selfId, peers, peers.size(), false, false, false, true, true,
        256 * 1024, 4096, 2 * 1024 * 1024, RaftTiming.NRG_DEFAULTS, true);
  }

  /** This configuration with {@code catchupProgress} set. */
  public RaftConfig withCatchupProgress(boolean on) {
    return new RaftConfig(group, selfId, peers, clusterSize, observer, managed, recovering, preVote,
        readIndex, maxBatchBytes, maxBatchEntries, catchupWindowBytes, timing, on);
  }

  /** This configuration with another catch-up stream window (encoded bytes outstanding). */
  public RaftConfig withCatchupWindowBytes(int bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("catchupWindowBytes must be positive");
    }
    return new RaftConfig(group, selfId, peers, clusterSize, observer, managed, recovering, preVote,
        readIndex, maxBatchBytes, maxBatchEntries, bytes, timing, catchupProgress);
  }

  /** This configuration with {@code preVote} set. */
  public RaftConfig withPreVote(boolean on) {
    return new RaftConfig(group, selfId, peers, clusterSize, observer, managed, recovering, on,
        readIndex, maxBatchBytes, maxBatchEntries, catchupWindowBytes, timing, catchupProgress);
  }

  /** This configuration with {@code readIndex} set. */
  public RaftConfig withReadIndex(boolean on) {
    return new RaftConfig(group, selfId, peers, clusterSize, observer, managed, recovering, preVote,
        on, maxBatchBytes, maxBatchEntries, catchupWindowBytes, timing, catchupProgress);
  }

  /** This configuration with {@code observer} set. */
  public RaftConfig withObserver(boolean on) {
    return new RaftConfig(group, selfId, peers, clusterSize, on, managed, recovering, preVote,
        readIndex, maxBatchBytes, maxBatchEntries, catchupWindowBytes, timing, catchupProgress);
  }

  /** This configuration with {@code recovering} set. */
  public RaftConfig withRecovering(boolean on) {
    return new RaftConfig(group, selfId, peers, clusterSize, observer, managed, on, preVote,
        readIndex, maxBatchBytes, maxBatchEntries, catchupWindowBytes, timing, catchupProgress);
  }

  /** This configuration with another cluster size. */
  public RaftConfig withClusterSize(int size) {
    return new RaftConfig(group, selfId, peers, size, observer, managed, recovering, preVote,
        readIndex, maxBatchBytes, maxBatchEntries, catchupWindowBytes, timing, catchupProgress);
  }

  /** This configuration with other timers. */
  public RaftConfig withTiming(RaftTiming t) {
    return new RaftConfig(group, selfId, peers, clusterSize, observer, managed, recovering, preVote,
        readIndex, maxBatchBytes, maxBatchEntries, catchupWindowBytes, t, catchupProgress);
  }
}
