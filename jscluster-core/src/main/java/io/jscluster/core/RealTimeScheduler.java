package io.jscluster.core;

import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Scheduler} on one daemon thread with a deadline heap, for embedding a {@link ClusterNode}
 * in a real server. Tasks may be submitted from any thread; a task that throws is logged and the
 * loop continues. {@link #close()} stops the thread; tasks still queued are dropped.
 */
public final class RealTimeScheduler implements Scheduler, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RealTimeScheduler.class);

  private final class Task implements Timer, Comparable<Task> {
    final long at;
    final long seq;
    final Runnable action;
    volatile boolean cancelled;

    Task(long at, long seq, Runnable action) {
      this.at = at;
      this.seq = seq;
      this.action = action;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }

    @Override
    public int compareTo(Task o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final PriorityQueue<Task> heap = new PriorityQueue<>();
  private final long originNanos = System.nanoTime();
  private final Thread thread;
  private long seq;
  private long lastWall;
  private volatile boolean closed;

  /** Starts the scheduler thread, named {@code name}. */
  public RealTimeScheduler(String name) {
    thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public long nowMillis() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - originNanos);
  }

  @Override
  public synchronized long wallNanos() {
    java.time.Instant i = java.time.Instant.now();
    long w = i.getEpochSecond() * 1_000_000_000L + i.getNano();
    lastWall = Math.max(lastWall + 1, w);
    return lastWall;
  }

  @Override
  public Timer schedule(long atMillis, Runnable task) {
    lock.lock();
    try {
      Task t = new Task(atMillis, seq++, task);
      heap.add(t);
      changed.signal();
      return t;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void execute(Runnable task) {
    schedule(nowMillis(), task);
  }

  /** Whether the caller runs on the scheduler thread. */
  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  private void loop() {
    while (!closed) {
      Task next;
      lock.lock();
      try {
        next = heap.peek();
        if (next == null) {
          changed.awaitUninterruptibly();
          continue;
        }
        long wait = next.at - nowMillis();
        if (wait > 0) {
          changed.await(wait, TimeUnit.MILLISECONDS);
          continue;
        }
        heap.poll();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        lock.unlock();
      }
      if (!next.cancelled) {
        try {
          next.action.run();
        } catch (RuntimeException e) {
          LOG.error("scheduled task failed", e);
        }
      }
    }
  }

  /** Stops the thread; idempotent. */
  @Override
  public void close() {
    closed = true;
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
