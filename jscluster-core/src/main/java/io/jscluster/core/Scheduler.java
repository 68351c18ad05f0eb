package io.jscluster.core;

/**
 * The single logical thread a {@link ClusterNode} runs on, with its clock. Every task handed to a
 * scheduler runs on that thread, one at a time, in the order of its due time (ties in submission
 * order). The simulation runtime implements it in virtual time; {@link RealTimeScheduler} on one
 * real thread.
 */
public interface Scheduler {

  /** A scheduled task that can still be cancelled. */
  interface Timer {
    /** Prevents the task from running if it has not run yet. Idempotent. */
    void cancel();
  }

  /** The scheduler's clock in milliseconds (monotonic; drives Raft timers). */
  long nowMillis();

  /** Unix time in nanoseconds, used to stamp messages. Never decreases. */
  long wallNanos();

  /** Runs {@code task} on the logical thread at {@code atMillis} (or as soon as possible after). */
  Timer schedule(long atMillis, Runnable task);

  /** Runs {@code task} on the logical thread as soon as possible, after tasks already due. */
  void execute(Runnable task);
}
