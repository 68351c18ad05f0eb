package io.jscluster.core.sync;

/**
 * Tunables of the catch-up protocol. {@link #DEFAULT} holds nats-server's values; tests shorten
 * the intervals, and embedders may change the per-catch-up budgets. Times are nanoseconds.
 *
 * @param maxOutBytes per catch-up run: bytes sent and not yet acknowledged before the run pauses
 *     (checked inclusively before each message, so one message may overshoot)
 * @param maxOutMsgs per catch-up run: messages sent and not yet acknowledged before it pauses
 * @param minBatchMsgs after sending, a run waits until more than this many message slots are
 *     free before sending again (nats-server's "min batch" gate); must be below
 *     {@code maxOutMsgs}
 * @param minBatchWaitNanos longest the leader waits at the min-batch gate
 * @param retryTickNanos the leader retries sending after this long without any event
 * @param activityIntervalNanos leader: a run with no ack for this long stalls and ends; follower:
 *     no message for this long abandons the attempt and retries
 * @param startIntervalNanos follower: time allowed for the first message of an attempt, and the
 *     one wait for a leader to appear
 * @param maxRetries follower: attempts before giving up with "too many retries"
 * @param minRetryWaitNanos follower: least time between a request and its retry
 * @param loadNextDeletesThreshold the leader walks with "load next" (jumping over gaps) when its
 *     stream has more interior deletes than this, or more than twice its message count
 */
public record CatchupConfig(
    long maxOutBytes,
    int maxOutMsgs,
    int minBatchMsgs,
    long minBatchWaitNanos,
    long retryTickNanos,
    long activityIntervalNanos,
    long startIntervalNanos,
    int maxRetries,
    long minRetryWaitNanos,
    long loadNextDeletesThreshold) {

  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;

  /** nats-server's values: 64 MiB, 262,144 msgs, 4,096, 5 s, 500 ms, 30 s, 5 s, 3, 2 s, 1,000,000. */
  public static final CatchupConfig DEFAULT =
      new CatchupConfig(
          64L * 1024 * 1024, 256 * 1024, 4096, 5 * S, 500 * MS, 30 * S, 5 * S, 3, 2 * S, 1_000_000);

  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException for a non-positive budget or interval, a negative retry
   *     count or threshold, or a min batch not below the message budget
   */
  public CatchupConfig {
    if (maxOutBytes <= 0 || maxOutMsgs <= 0) {
      throw new IllegalArgumentException("catch-up budgets must be positive");
    }
    if (minBatchMsgs < 0 || minBatchMsgs >= maxOutMsgs) {
      throw new IllegalArgumentException(
          "minBatchMsgs must be in [0, maxOutMsgs): " + minBatchMsgs + " vs " + maxOutMsgs);
    }
    if (minBatchWaitNanos < 0
        || retryTickNanos <= 0
        || activityIntervalNanos <= 0
        || startIntervalNanos <= 0
        || minRetryWaitNanos < 0) {
      throw new IllegalArgumentException("catch-up intervals must be positive");
    }
    if (maxRetries < 1 || loadNextDeletesThreshold < 0) {
      throw new IllegalArgumentException("maxRetries must be >= 1 and the threshold >= 0");
    }
  }

  /** This config with other per-catch-up budgets (min batch scaled down when needed). */
  public CatchupConfig withBudget(long bytes, int msgs) {
    int minBatch = Math.min(minBatchMsgs, Math.max(0, msgs / 2));
    return new CatchupConfig(
        bytes, msgs, minBatch, minBatchWaitNanos, retryTickNanos, activityIntervalNanos,
        startIntervalNanos, maxRetries, minRetryWaitNanos, loadNextDeletesThreshold);
  }

  /** This config with other activity and start intervals. */
  public CatchupConfig withIntervals(long activityNanos, long startNanos) {
    return new CatchupConfig(
        maxOutBytes, maxOutMsgs, minBatchMsgs, minBatchWaitNanos, retryTickNanos, activityNanos,
        startNanos, maxRetries, minRetryWaitNanos, loadNextDeletesThreshold);
  }
}
