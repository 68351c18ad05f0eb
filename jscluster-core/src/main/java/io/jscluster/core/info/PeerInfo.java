package io.jscluster.core.info;

import java.util.Objects;

/**
 * One replica in cluster info (Go {@code PeerInfo}). JSON: {@code name}, {@code current},
 * {@code offline} (omitempty), {@code active} (nanoseconds), {@code lag} (omitempty, uint64),
 * {@code peer}, {@code pending} (omitempty). {@code cluster} is kept for migrations and never
 * serialized.
 *
 * @param name server name, or "Server name unknown at this time (peerID: &lt;id&gt;)"
 * @param current seen recently and caught up
 * @param offline not seen recently (per the node table)
 * @param activeNanos time since the peer was last heard from, in nanoseconds (0 if never)
 * @param lag entries (or messages, when catching up) behind, uint64 bits
 * @param peer 8-character node id
 * @param pending assigned to the group but not (yet) a peer of its Raft node
 * @param cluster the peer's cluster, not serialized
 */
public record PeerInfo(
    String name,
    boolean current,
    boolean offline,
    long activeNanos,
    long lag,
    String peer,
    boolean pending,
    String cluster) {

  /** Normalises null strings to "". */
  public PeerInfo {
    name = Objects.requireNonNullElse(name, "");
    peer = Objects.requireNonNullElse(peer, "");
    cluster = Objects.requireNonNullElse(cluster, "");
  }

  /** This peer reported as catching up with {@code lag} remaining: not current. */
  public PeerInfo catchingUp(long lag) {
    return new PeerInfo(name, false, offline, activeNanos, lag, peer, pending, cluster);
  }
}
