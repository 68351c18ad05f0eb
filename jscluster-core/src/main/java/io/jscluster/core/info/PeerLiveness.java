package io.jscluster.core.info;

import io.jscluster.raft.RaftNode;
import java.util.HashMap;
import java.util.Map;

/**
 * Decides which peers a node may report {@code offline} in cluster info, from what its own Raft
 * groups (the meta group and every stream group it hosts) let it observe. nats-server takes this
 * flag from server presence (statsz and routes), which jscluster does not have; the Raft traffic
 * is the only evidence a node holds.
 *
 * <p>A node only expects to hear from a peer on a group it leads (followers answer its
 * heartbeats) or on a group the peer leads (the peer sends heartbeats). A follower hears nothing
 * from its fellow followers, so their silence is not evidence. Hence, per peer:
 * <ul>
 *   <li>{@link Verdict#ONLINE} when any group heard from it within the offline interval;
 *   <li>{@link Verdict#OFFLINE} when, in at least one group that should carry its traffic, it was
 *       last heard longer ago than the interval (or never, once this node has been up that long);
 *   <li>{@link Verdict#UNKNOWN} otherwise: no group this node takes part in would show whether the
 *       peer is alive, and the peer is not reported offline.
 * </ul>
 * Collect with {@link #observe} for every group, then ask {@link #verdict}. Not thread-safe.
 */
public final class PeerLiveness {

  /** What a node knows about one peer's liveness. */
  public enum Verdict {
    /** Heard from recently on some group. */
    ONLINE,
    /** Silent on a group where it would be heard if alive. */
    OFFLINE,
    /** Nothing this node observes would tell. */
    UNKNOWN
  }

  private final long offlineAfterMillis;
  private final Map<String, long[]> peers = new HashMap<>();

  /** A fresh collection; a peer silent for more than {@code offlineAfterMillis} counts as offline. */
  public PeerLiveness(long offlineAfterMillis) {
    this.offlineAfterMillis = offlineAfterMillis;
  }

  /** Forgets every observation (start of a new refresh). */
  public void clear() {
    peers.clear();
  }

  /**
   * Adds what {@code node} (one Raft group of this node) observed of its peers: when it last heard
   * from each, and whether it expects to hear from them (it leads the group, or the peer does).
   */
  public void observe(RaftNode node, long now) {
    String self = node.id();
    boolean leads = node.isLeader();
    String leader = node.leaderId();
    for (io.jscluster.raft.PeerInfo p : node.peerInfos(now)) {
      if (p.id().equals(self)) {
        continue;
      }
      // {heard (max over groups, -1 never), expected on some group (1/0)}
      long[] s = peers.computeIfAbsent(p.id(), k -> new long[] {-1, 0});
      s[0] = Math.max(s[0], p.lastHeardMillis());
      if (leads || p.id().equals(leader)) {
        s[1] = 1;
      }
    }
  }

  /**
   * The verdict on {@code peer} at {@code now} for a node that started at {@code startedAtMillis}
   * (a peer never heard from is not offline before this node has been up for the interval).
   */
  public Verdict verdict(String peer, long now, long startedAtMillis) {
    long[] s = peers.get(peer);
    if (s == null) {
      return Verdict.UNKNOWN;
    }
    if (s[0] >= 0 && now - s[0] <= offlineAfterMillis) {
      return Verdict.ONLINE;
    }
    if (s[1] == 0) {
      return Verdict.UNKNOWN;
    }
    long silentSince = s[0] >= 0 ? s[0] : startedAtMillis;
    return now - silentSince > offlineAfterMillis ? Verdict.OFFLINE : Verdict.UNKNOWN;
  }
}
