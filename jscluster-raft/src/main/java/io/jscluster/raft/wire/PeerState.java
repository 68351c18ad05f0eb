package io.jscluster.raft.wire;

import java.util.List;
import java.util.Objects;

/**
 * A group's membership as NRG persists and replicates it: the payload of an {@code
 * EntryPeerState} entry, the content of {@code peers.idx} and the peer state embedded in every
 * snapshot.
 *
 * <p>{@code clusterSize} is an unsigned 32-bit value held in an {@code int} with the same bits.
 * Peer ids are at most {@value PeerStateCodec#ID_LENGTH} bytes; each char of a peer id stands for
 * one byte (ISO-8859-1), so ids read from disk round-trip exactly even when they are not ASCII.
 * {@code domainExt} is the unsigned 16-bit extension state, kept as read so that unknown values
 * survive a decode/encode cycle; see {@link #EXT_UNDETERMINED}, {@link #EXT_EXTENDED}, {@link
 * #EXT_NOT_EXTENDED}.
 *
 * @param clusterSize the cluster size the group counts quorum against (u32)
 * @param knownPeers the peer ids, in stored order (an immutable copy is kept)
 * @param domainExt the JetStream domain extension state (u16)
 */
public record PeerState(int clusterSize, List<String> knownPeers, int domainExt) {

  /** Extension state: not yet known. */
  public static final int EXT_UNDETERMINED = 0;
  /** Extension state: every peer supports the domain extension over a leafnode. */
  public static final int EXT_EXTENDED = 1;
  /** Extension state: the domain is not extended. */
  public static final int EXT_NOT_EXTENDED = 2;

  /** Copies the peer list and checks that {@code domainExt} fits in 16 bits. */
  public PeerState {
    knownPeers = List.copyOf(Objects.requireNonNull(knownPeers, "knownPeers"));
    if (domainExt < 0 || domainExt > 0xFFFF) {
      throw new IllegalArgumentException("domainExt out of u16 range: " + domainExt);
    }
  }

  /** The cluster size as the unsigned value it stands for. */
  public long clusterSizeUnsigned() {
    return Integer.toUnsignedLong(clusterSize);
  }
}
