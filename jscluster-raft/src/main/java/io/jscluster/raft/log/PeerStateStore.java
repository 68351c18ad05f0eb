package io.jscluster.raft.log;

import io.jscluster.raft.wire.PeerState;
import java.util.Optional;

/**
 * Stable storage for a group's committed membership ({@code peers.idx} in NRG). The core writes
 * here whenever the committed membership or cluster size changes (a membership change committed
 * or reverted, a peer state received from the leader or a snapshot, {@code reset()}), and reads it
 * at start-up, before the log is replayed, when no snapshot supplied the membership.
 *
 * <p>One thread at a time; implementations need not be thread-safe.
 */
public interface PeerStateStore {

  /**
   * The last durably stored peer state; empty when none was ever stored (a new group, which then
   * starts from its configured peers).
   *
   * @throws LogException CORRUPT when something is stored but is not a peer state, IO when it
   *     cannot be read; the node then refuses to start rather than guess its membership
   */
  Optional<PeerState> load();

  /**
   * Stores {@code value}; it is durable when this returns. Storing a value equal to the last stored
   * one may be skipped.
   *
   * @throws LogException IO on failure (the caller treats this as a sticky write error)
   */
  void save(PeerState value);
}
