package io.jscluster.raft.transport;

/**
 * Subject-addressed messaging for one node. Implementations must be safe to call from the node's
 * driving thread and must never call a {@link MessageHandler} synchronously from within {@link
 * #send} (deliveries are asynchronous, even in memory).
 */
public interface Transport {

  /**
   * Publishes {@code payload} to every current subscriber of {@code subject} (at most once each,
   * best effort: messages may be lost, delayed or reordered). The array must not be modified
   * afterwards.
   *
   * @param subject the subject
   * @param reply an optional reply subject (null for none)
   * @param payload the message bytes
   */
  void send(String subject, String reply, byte[] payload);

  /** Subscribes {@code handler} to exact-match {@code subject}. */
  Subscription subscribe(String subject, MessageHandler handler);
}
