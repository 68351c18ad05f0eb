package io.jscluster.raft.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loop of the runtime: a single thread (or, in tests, the caller of {@link #runOnce}) that owns
 * a set of members, so each {@link io.jscluster.raft.RaftNode} is only ever touched by it.
 *
 * <p>Everything from other threads arrives through one JCTools MPSC queue: received messages,
 * proposals and tasks. One iteration drains a bounded number of commands, fires the due timers of
 * the {@link TimerHeap}, then finishes every member touched ({@link RaftMember#afterInput}: submit
 * the proposals drained in this iteration as batches, flush, apply, notify, re-arm the member's
 * timer from {@code nextDeadline()}). So a burst of proposals becomes one {@code proposeMulti} per
 * log batch, and an idle member costs nothing until its single deadline.
 *
 * <p>Sleeping: the loop sets {@code sleeping}, re-checks the queue, then parks until its earliest
 * deadline. A producer offers first, then reads {@code sleeping} and, if it wins the CAS that
 * clears it, unparks. Both sides do a sequentially consistent write then read (the queue's index
 * update / the volatile flag), so at least one of them sees the other: no lost wake-up. A producer
 * that loses the CAS knows another one already woke the loop, which drains the queue before it
 * can set the flag again.
 */
final class EventLoop implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);

  /** Commands drained per iteration, so timers and member completion are never starved. */
  static final int DRAIN_LIMIT = 4096;

  /**
   * An idle loop sleeps until its earliest deadline rounded up to this many milliseconds, so the
   * timers of thousands of idle members are fired in a few wake-ups per second instead of up to
   * one per millisecond. NRG's timers are a second and more; a few ms late is harmless.
   */
  static final long TIMER_GRANULARITY_MS = 8;

  /** A unit of work for one member, executed on the loop thread. */
  abstract static class Command {
    final RaftMember member;

    Command(RaftMember member) {
      this.member = member;
    }

    abstract void execute(long now);
  }

  final int index;
  private final RaftClock clock;
  private final int idleSpins;
  private final MessagePassingQueue<Command> inbox = new MpscUnboundedXaddArrayQueue<>(1024);
  private final TimerHeap timers = new TimerHeap();
  private final List<RaftMember> touched = new ArrayList<>();
  private final List<RaftMember> members = new ArrayList<>();
  private final MessagePassingQueue.Consumer<Command> dispatcher = this::dispatch;
  private long now;

  private volatile Thread thread;
  private volatile boolean sleeping;
  private static final java.lang.invoke.VarHandle SLEEPING;

  static {
    try {
      SLEEPING = java.lang.invoke.MethodHandles.lookup()
          .findVarHandle(EventLoop.class, "sleeping", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
  private volatile boolean closing;
  private volatile boolean closed;

  // Written only by the loop thread, published once per iteration.
  private long commandCount;
  private long tickCount;
  private long parkCount;
  private volatile long publishedCommands;
  private volatile long publishedTicks;
  private volatile long publishedParks;

  EventLoop(int index, RaftClock clock, int idleSpins) {
    this.index = index;
    this.clock = clock;
    this.idleSpins = idleSpins;
  }

  /** Starts a daemon thread running this loop. */
  void startThread(String name) {
    Thread t = new Thread(this, name);
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  Thread thread() {
    return thread;
  }

  /** Hands {@code c} to the loop; callable from any thread. */
  void enqueue(Command c) {
    inbox.offer(c);
    // Only the producer that flips the flag wakes the loop: a burst of messages to a parked loop
    // costs one unpark, not one per message.
    if (sleeping && SLEEPING.compareAndSet(this, true, false)) {
      Thread t = thread;
      if (t != null) {
        LockSupport.unpark(t);
      }
    }
  }

  /** True when called on this loop's thread (always true for a manually driven loop). */
  boolean inLoop() {
    Thread t = thread;
    return t == null || t == Thread.currentThread();
  }

  /** The loop's current iteration time. */
  long now() {
    return now;
  }

  void register(RaftMember m) {
    members.add(m);
  }

  void unregister(RaftMember m) {
    members.remove(m);
    timers.remove(m);
  }

  List<RaftMember> members() {
    return members;
  }

  /**
   * Re-arms {@code m}'s single timer. A deadline that moved later is left where it is (lazy): a
   * follower's election timer is pushed back by every heartbeat, and re-sorting the heap each time
   * would be the dominant cost of an idle loop. When the stale entry comes due, {@link
   * RaftMember#timerDue} re-arms it at the real deadline instead of ticking.
   */
  void arm(RaftMember m, long deadline) {
    if (deadline == Long.MAX_VALUE || m.heapIndex < 0 || deadline < m.deadline) {
      timers.arm(m, deadline);
    }
  }

  /** Re-arms {@code m} exactly (used when a lazily kept entry came due early). */
  void rearmExactly(RaftMember m, long deadline) {
    timers.arm(m, deadline);
  }

  /** Records that {@code m} received input in this iteration and must be finished. */
  void touch(RaftMember m) {
    if (!m.touched) {
      m.touched = true;
      touched.add(m);
    }
  }

  /** Earliest armed deadline ({@code Long.MAX_VALUE} when none). */
  long nextDeadline() {
    return timers.peekDeadline();
  }

  /** Number of armed timers. */
  int armedTimers() {
    return timers.size();
  }

  boolean hasQueuedCommands() {
    return !inbox.isEmpty();
  }

  /**
   * One iteration at time {@code time}: drain commands, fire due timers, finish touched members.
   * Returns the number of commands and timers handled.
   */
  int runOnce(long time) {
    now = time;
    int work = inbox.drain(dispatcher, DRAIN_LIMIT);
    commandCount += work;
    TimerHeap.Slot s;
    // The due slot stays at the root and is re-keyed in place (one sift, not a remove and a push).
    while ((s = timers.peekDue(time)) != null) {
      RaftMember m = (RaftMember) s;
      if (m.timerDue(time)) {
        tickCount++;
        work++;
        touch(m);
      }
    }
    for (int i = 0; i < touched.size(); i++) {
      RaftMember m = touched.get(i);
      m.touched = false;
      try {
        m.afterInput(time);
      } catch (RuntimeException e) {
        LOG.error("loop {}: finishing member {} failed", index, m, e);
      }
    }
    touched.clear();
    publishedCommands = commandCount;
    publishedTicks = tickCount;
    return work;
  }

  private void dispatch(Command c) {
    try {
      c.execute(now);
    } catch (RuntimeException e) {
      LOG.error("loop {}: command for {} failed", index, c.member, e);
    }
    if (c.member != null) {
      touch(c.member);
    }
  }

  @Override
  public void run() {
    try {
      while (!closing) {
        if (runOnce(clock.millis()) == 0) {
          idle();
        }
      }
      // Commands queued before close() (including the stop tasks) still run.
      while (runOnce(clock.millis()) > 0) {
        // drain
      }
    } catch (Throwable t) {
      LOG.error("loop {} died", index, t);
    } finally {
      closed = true;
    }
  }

  private void idle() {
    for (int i = 0; i < idleSpins; i++) {
      if (!inbox.isEmpty() || closing) {
        return;
      }
      Thread.onSpinWait();
    }
    long deadline = timers.peekDeadline();
    sleeping = true;
    try {
      if (!inbox.isEmpty() || closing) {
        return;
      }
      parkCount++;
      publishedParks = parkCount;
      if (deadline == Long.MAX_VALUE) {
        LockSupport.park(this);
      } else {
        long wake = (deadline + TIMER_GRANULARITY_MS - 1) / TIMER_GRANULARITY_MS
            * TIMER_GRANULARITY_MS;
        long wait = wake - clock.millis();
        if (wait > 0) {
          LockSupport.parkNanos(this, wait * 1_000_000L);
        }
      }
    } finally {
      sleeping = false;
    }
  }

  /** Asks the thread to finish the queued commands and exit. */
  void close() {
    closing = true;
    Thread t = thread;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  boolean isClosed() {
    return closed;
  }

  /** Commands executed so far (published once per iteration). */
  long commands() {
    return publishedCommands;
  }

  /** Timer firings so far (published once per iteration). */
  long ticks() {
    return publishedTicks;
  }

  /** Times the loop parked for lack of work. */
  long parks() {
    return publishedParks;
  }
}
