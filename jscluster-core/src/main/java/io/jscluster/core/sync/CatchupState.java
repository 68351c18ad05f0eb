package io.jscluster.core.sync;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A stream replica's "catching up" flag and the currency rule built on it. The stream owns one;
 * only the follower catch-up sets the flag (for the whole of a snapshot catch-up), anyone may
 * read it. Thread-safe.
 */
public final class CatchupState {

  private final AtomicBoolean catchingUp = new AtomicBoolean();

  /** Whether a snapshot catch-up is running on this replica. */
  public boolean isCatchingUp() {
    return catchingUp.get();
  }

  /** Marks the start of a snapshot catch-up. */
  public void setCatchingUp() {
    catchingUp.set(true);
  }

  /** Marks its end, however it ended. */
  public void clearCatchingUp() {
    catchingUp.set(false);
  }

  /**
   * nats-server's {@code isCurrent} for a replica: true without a Raft node (R1), otherwise the
   * node is current and no catch-up is running.
   *
   * @param hasNode whether the stream has a Raft node
   * @param nodeCurrent the node's own {@code Current()} (ignored without a node)
   */
  public boolean isCurrent(boolean hasNode, boolean nodeCurrent) {
    return !hasNode || (nodeCurrent && !catchingUp.get());
  }
}
