package io.jscluster.core.sync;

import io.jscluster.raft.wire.NodeIds;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The subjects of cluster-internal stream traffic ({@code $JSC.>}). Every random subject ends
 * in an 8-character token drawn from the injected random generator, so a seeded generator gives
 * the same subjects on every run.
 *
 * <p>Token rule (as nats-server): take a non-negative 63-bit value {@code n}; eight times, emit
 * {@code ALPHABET[n % 62]} and set {@code n /= 62} (least significant digit first).
 *
 * <p>Not thread-safe unless the random generator is (the subjects are only ever made on a
 * stream's own thread).
 */
public final class SyncSubjects {

  /** Prefix of every cluster-internal subject. */
  public static final String ALL = "$JSC.>";
  /** Prefix of a stream's sync subject (where its leader serves catch-ups). */
  public static final String SYNC_PREFIX = "$JSC.SYNC";
  /** Prefix of catch-up inboxes and internal request inboxes. */
  public static final String REPLY_PREFIX = "$JSC.R";
  /** Prefix of catch-up ack subjects. */
  public static final String ACK_PREFIX = "$JSC.ACK";

  private final RandomGenerator random;

  /** Creates the helper over {@code random}, which it uses for every token. */
  public SyncSubjects(RandomGenerator random) {
    this.random = Objects.requireNonNull(random, "random");
  }

  /** {@code $JSC.SYNC.<8>}: a new stream's sync subject, kept in its assignment for life. */
  public String syncSubjForStream() {
    return syncSubject(SYNC_PREFIX);
  }

  /** {@code $JSC.R.<8>}: a follower's fresh catch-up inbox. */
  public String syncReplySubject() {
    return syncSubject(REPLY_PREFIX);
  }

  /** {@code $JSC.R.<8>}: an inbox for internal requests (same shape as the catch-up inbox). */
  public String infoReplySubject() {
    return syncSubject(REPLY_PREFIX);
  }

  /**
   * {@code $JSC.ACK.<8>.*}: the subscription a leader's catch-up run takes for its acks. Each
   * data message's reply is {@link #ackReply(String, int)} of it.
   */
  public String syncAckSubject() {
    return syncSubject(ACK_PREFIX) + ".*";
  }

  /** {@code <pre>.<8>}. */
  public String syncSubject(String pre) {
    return pre + '.' + NodeIds.token(random.nextLong() & Long.MAX_VALUE);
  }

  /**
   * The reply of one catch-up message: the ack subscription {@code $JSC.ACK.<8>.*} with its
   * wildcard replaced by the decimal byte length of the message.
   */
  public static String ackReply(String ackSubscription, int length) {
    return ackSubscription.substring(0, ackSubscription.length() - 1) + length;
  }

  /**
   * The byte length an ack subject carries in its last token, as the leader reads it: the
   * decimal digits after the last {@code '.'}; -1 when that token is empty or not all digits; 0
   * when the subject has no {@code '.'} past its first character.
   */
  public static long ackReplySize(String subject) {
    int li = subject.lastIndexOf('.');
    if (li <= 0) {
      return 0;
    }
    int n = subject.length() - li - 1;
    if (n == 0) {
      return -1;
    }
    long v = 0;
    for (int i = li + 1; i < subject.length(); i++) {
      char c = subject.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      // Go accumulates in int64 and would wrap; no real subject gets near that.
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** {@code $JSC.SI.<account>.<stream>}: cluster stream-info requests. */
  public static String clusterStreamInfo(String account, String stream) {
    return "$JSC.SI." + account + '.' + stream;
  }

  /** {@code $JSC.CI.<account>.<stream>.<consumer>}: cluster consumer-info requests. */
  public static String clusterConsumerInfo(String account, String stream, String consumer) {
    return "$JSC.CI." + account + '.' + stream + '.' + consumer;
  }

  /** {@code $JSC.ARU.<account>.*}: subscription for account usage updates. */
  public static String accountUsageSubscription(String account) {
    return "$JSC.ARU." + account + ".*";
  }

  /** {@code $JSC.ARU.<account>.<x>}: where a server publishes its account usage. */
  public static String accountUsageUpdate(String account, String x) {
    return "$JSC.ARU." + account + '.' + x;
  }
}
