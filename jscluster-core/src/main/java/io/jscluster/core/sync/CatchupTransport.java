package io.jscluster.core.sync;

/**
 * How a catch-up machine talks to the network: subject-addressed messages as in NATS. The
 * driver routes messages arriving on a subscribed subject back to the machine that subscribed
 * ({@link FollowerCatchup#onMessage}, {@link LeaderCatchup#onAck}).
 *
 * <p>Calls are made on the machine's thread and must not block; a publish may be dropped (the
 * protocol recovers through time-outs and retries). Ownership of {@code payload} passes to the
 * transport.
 */
public interface CatchupTransport {

  /** Sends {@code payload} (possibly empty) to {@code subject} with {@code reply} ("" for none). */
  void publish(String subject, String reply, byte[] payload);

  /** Starts delivering messages published to {@code subject} (may end in {@code .*}). */
  void subscribe(String subject);

  /** Stops delivering messages for {@code subject}. */
  void unsubscribe(String subject);
}
