package io.jscluster.raft;

/**
 * Everything a {@link RaftNode} asks of the outside world, called synchronously from within the
 * node's input methods on the driving thread.
 *
 * <p><b>Contract for runtimes:</b> implementations must not block for long and must never call
 * back into the same {@link RaftNode} from inside one of these methods (queue the work instead).
 * Payload arrays handed out are owned by the receiver afterwards; the node does not modify them.
 */
public interface RaftEffects {

  /** Publishes {@code payload} on {@code subject} with an optional {@code reply} subject (may be null). */
  void send(String subject, String reply, byte[] payload);

  /** Starts delivering messages published on {@code subject} to this node's {@code receive}. */
  void subscribe(String subject);

  /** Stops delivering {@code subject}; messages already queued may still arrive and are ignored. */
  void unsubscribe(String subject);

  /** Appends one committed index to the upper layer's apply queue. */
  void apply(CommittedEntry entry);

  /**
   * Appends NRG's {@code nil} marker to the apply queue: "startup replay done", or "end of the
   * catch-up entries" after an {@code EntryCatchup} signal.
   */
  void applyMarker();

  /**
   * Discards every element of the apply queue not yet handed to the upper layer (NRG drains its
   * apply queue on {@link RaftNode#reset(long)} and {@link RaftNode#drainAndReplaySnapshot(long)}).
   * Elements the upper layer already took are unaffected. A runtime whose apply queue is always
   * empty between inputs may keep the default, which does nothing.
   */
  default void drainApplyQueue() {}

  /**
   * Leadership changed. {@code isLeader} true is emitted only once the election noop has been
   * processed by the upper layer ({@link RaftNode#isLeader()}); {@code term} is the term proposals
   * must carry.
   */
  void leaderChanged(boolean isLeader, long term);

  /**
   * A linearizable read requested with {@link RaftNode#readIndex(long, long)} may be served once
   * the upper layer has applied {@code index}.
   */
  default void readIndexReady(long requestId, long index) {}

  /** A read request failed (leadership lost or not leader); the caller should retry elsewhere. */
  default void readIndexFailed(long requestId) {}
}
