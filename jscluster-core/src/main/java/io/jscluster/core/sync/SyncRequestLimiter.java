package io.jscluster.core.sync;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The per-server cap on follower catch-ups that have a sync request in flight (nats-server's
 * {@code syncOutSem}, {@value #DEFAULT_PERMITS} permits). A follower that finds no permit
 * registers a waker and is woken, in arrival order, when one is released.
 *
 * <p>Thread-safe. Wakers run after the lock is released, on the releasing thread; they must only
 * schedule the waiting catch-up's next step, never run it inline.
 */
public final class SyncRequestLimiter {

  /** nats-server's {@code maxConcurrentSyncRequests}. */
  public static final int DEFAULT_PERMITS = 32;

  private final int permits;
  private int available;
  private final Deque<Runnable> waiters = new ArrayDeque<>();

  /** A limiter with {@link #DEFAULT_PERMITS} permits. */
  public SyncRequestLimiter() {
    this(DEFAULT_PERMITS);
  }

  /**
   * A limiter with {@code permits} permits.
   *
   * @throws IllegalArgumentException when {@code permits < 1}
   */
  public SyncRequestLimiter(int permits) {
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be at least 1: " + permits);
    }
    this.permits = permits;
    this.available = permits;
  }

  /**
   * Takes a permit if one is free. Otherwise queues {@code waker} (once) to run when a permit is
   * released and returns false; the woken caller must call this method again (another caller may
   * have taken the permit in between).
   */
  public synchronized boolean tryAcquire(Runnable waker) {
    if (available > 0) {
      available--;
      waiters.remove(waker);
      return true;
    }
    if (!waiters.contains(waker)) {
      waiters.addLast(waker);
    }
    return false;
  }

  /** Forgets a queued waker (its catch-up ended while waiting). */
  public synchronized void cancel(Runnable waker) {
    waiters.remove(waker);
  }

  /** Returns a permit and wakes the longest-waiting caller, if any. */
  public void release() {
    Runnable next;
    synchronized (this) {
      if (available < permits) {
        available++;
      }
      next = waiters.pollFirst();
    }
    if (next != null) {
      next.run();
    }
  }

  /** Permits free right now. */
  public synchronized int available() {
    return available;
  }
}
