package io.jscluster.core.stream;

import io.jscluster.core.Scheduler;

/**
 * One machine's wake-up on the node's scheduler, re-armed after every event with the machine's
 * next deadline. A catch-up moves its deadline later on every message or ack batch; re-scheduling
 * each time would leave one cancelled task per batch in the scheduler's queue until its (far)
 * due time. Instead a timer due no later than the new deadline is kept: it may fire early, and
 * the machines' {@code tick} ignores calls before their deadline, after which the driver re-arms
 * at the real one. Only a deadline earlier than the armed one replaces the task.
 *
 * <p>Not thread-safe: the node's logical thread only.
 */
final class DeadlineTimer {

  private final Scheduler scheduler;
  private final Runnable onFire;
  private Scheduler.Timer timer;
  private long dueMillis;
  private long scheduled;

  /**
   * @param scheduler the node's scheduler
   * @param onFire runs on the logical thread when the armed time comes (the timer is then
   *     disarmed; the callback re-arms it as needed)
   */
  DeadlineTimer(Scheduler scheduler, Runnable onFire) {
    this.scheduler = scheduler;
    this.onFire = onFire;
  }

  /**
   * Makes sure the callback runs at or before {@code deadlineNanos} (scheduler nanoseconds,
   * rounded up to its milliseconds); {@link Long#MAX_VALUE} disarms.
   */
  void arm(long deadlineNanos) {
    if (deadlineNanos == Long.MAX_VALUE) {
      cancel();
      return;
    }
    long due = Math.max(scheduler.nowMillis(), (deadlineNanos + 999_999) / 1_000_000);
    if (timer != null) {
      if (dueMillis <= due) {
        return;
      }
      timer.cancel();
    }
    dueMillis = due;
    scheduled++;
    Scheduler.Timer[] self = new Scheduler.Timer[1];
    self[0] = scheduler.schedule(due, () -> {
      if (timer != self[0]) {
        return;
      }
      timer = null;
      onFire.run();
    });
    timer = self[0];
  }

  /** Disarms. */
  void cancel() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  /** Whether a wake-up is armed. */
  boolean armed() {
    return timer != null;
  }

  /** Tasks handed to the scheduler so far (for tests: re-arming to a later deadline adds none). */
  long scheduledTasks() {
    return scheduled;
  }
}
