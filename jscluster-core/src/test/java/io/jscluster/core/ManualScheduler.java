package io.jscluster.core;

import java.util.ArrayDeque;

/**
 * A {@link Scheduler} for unit tests that runs nothing until the test asks: handed-over tasks wait
 * in {@link #tasks}, in order, and the clock stays at zero.
 */
public final class ManualScheduler implements Scheduler {

  /** Tasks waiting to run, oldest first; tests may inspect or poll it directly. */
  public final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

  /** How many tasks {@link #runAll()} has run; tests may reset it. */
  public int executed;

  private final boolean timersQueued;

  /**
   * @param timersQueued true: a scheduled timer is queued like any task (its due time ignored) and
   *     cancelling it removes it; false: timers never become due
   */
  public ManualScheduler(boolean timersQueued) {
    this.timersQueued = timersQueued;
  }

  @Override
  public long nowMillis() {
    return 0;
  }

  @Override
  public long wallNanos() {
    return 0;
  }

  @Override
  public Timer schedule(long atMillis, Runnable task) {
    if (!timersQueued) {
      return () -> { };
    }
    tasks.add(task);
    return () -> tasks.remove(task);
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
  }

  /** Runs queued tasks, including those they queue, until none is left. */
  public void runAll() {
    while (!tasks.isEmpty()) {
      tasks.poll().run();
      executed++;
    }
  }
}
