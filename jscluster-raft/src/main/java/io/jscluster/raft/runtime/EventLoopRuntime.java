package io.jscluster.raft.runtime;

import io.jscluster.raft.RaftConfig;
import io.jscluster.raft.log.MemoryPeerStateStore;
import io.jscluster.raft.log.PeerStateStore;
import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.log.TermVoteStore;
import io.jscluster.raft.snapshot.MemorySnapshotStorage;
import io.jscluster.raft.snapshot.SnapshotStorage;
import io.jscluster.raft.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * The production runtime: a small fixed pool of event loops multiplexing many Raft group members
 * per process on the real clock.
 *
 * <p>Each member is pinned to one loop for its lifetime (round-robin unless chosen), so its
 * {@link io.jscluster.raft.RaftNode} stays single-threaded. Transport handlers, proposals and API
 * calls only enqueue into the loop's MPSC inbox; each loop keeps one timer per member in a deadline
 * heap armed from the core's {@code nextDeadline()}, so an idle member costs one heap entry and
 * wakes only when its own timer is due (heartbeats, election timeout). See {@link EventLoop} for an
 * iteration and {@link RaftMember} for the member API and its threading rules.
 *
 * <p>Storage runs on the loop thread: a {@link RaftLog} that blocks on fsync delays every member of
 * that loop.
 */
public final class EventLoopRuntime implements AutoCloseable {

  private final EventLoop[] loops;
  private final RaftClock clock;
  private final boolean threaded;
  private final AtomicInteger nextLoop = new AtomicInteger();
  private volatile boolean closed;

  private EventLoopRuntime(int loopCount, RaftClock clock, int idleSpins, boolean threaded,
      String namePrefix) {
    if (loopCount < 1) {
      throw new IllegalArgumentException("loopCount must be at least 1");
    }
    this.clock = Objects.requireNonNull(clock, "clock");
    this.threaded = threaded;
    this.loops = new EventLoop[loopCount];
    for (int i = 0; i < loopCount; i++) {
      loops[i] = new EventLoop(i, clock, idleSpins);
    }
    if (threaded) {
      for (EventLoop l : loops) {
        l.startThread(namePrefix + "-" + l.index);
      }
    }
  }

  /** Starts {@code loopCount} loop threads on the system clock. */
  public static EventLoopRuntime start(int loopCount) {
    return new EventLoopRuntime(loopCount, RaftClock.system(), 0, true, "raft-loop");
  }

  /**
   * Starts {@code loopCount} loop threads named {@code namePrefix-i} on {@code clock}; an idle loop
   * polls its inbox {@code idleSpins} times before parking (0 parks at once: best for many idle
   * groups; a few hundred lowers hand-off latency under load at the price of CPU).
   */
  public static EventLoopRuntime start(int loopCount, RaftClock clock, int idleSpins,
      String namePrefix) {
    return new EventLoopRuntime(loopCount, clock, idleSpins, true, namePrefix);
  }

  /**
   * A runtime without threads: the caller drives every loop with {@link #runOnce()} on its own
   * thread. For deterministic tests with a manual clock.
   */
  static EventLoopRuntime manual(int loopCount, RaftClock clock) {
    return new EventLoopRuntime(loopCount, clock, 0, false, "manual");
  }

  /** Number of loops. */
  public int loopCount() {
    return loops.length;
  }

  /** Adds and starts a member on the next loop (round-robin) with a fresh random generator. */
  public RaftMember add(RaftConfig config, RaftLog log, TermVoteStore termVoteStore,
      Transport transport, RaftApplier applier) {
    int loop = Math.floorMod(nextLoop.getAndIncrement(), loops.length);
    return add(loop, config, log, termVoteStore, new SplittableRandom(), transport, applier);
  }

  /**
   * Adds a member pinned to loop {@code loopIndex}; it starts on that loop (log replay, subscribe,
   * election timer) asynchronously.
   */
  public RaftMember add(int loopIndex, RaftConfig config, RaftLog log, TermVoteStore termVoteStore,
      RandomGenerator random, Transport transport, RaftApplier applier) {
    return add(loopIndex, config, log, termVoteStore,
        new MemorySnapshotStorage(config.group()), random, transport, applier);
  }

  /**
   * Adds a member with durable snapshots (for example a {@link
   * io.jscluster.raft.snapshot.SnapshotStore} beside a {@link io.jscluster.raft.wal.FileRaftLog})
   * on the next loop (round-robin); at start the node adopts the newest valid snapshot and replays
   * the log after it.
   */
  public RaftMember add(RaftConfig config, RaftLog log, TermVoteStore termVoteStore,
      SnapshotStorage snapshots, Transport transport, RaftApplier applier) {
    int loop = Math.floorMod(nextLoop.getAndIncrement(), loops.length);
    return add(loop, config, log, termVoteStore, snapshots, new SplittableRandom(), transport,
        applier);
  }

  /**
   * Adds a member with durable snapshots pinned to loop {@code loopIndex}; it starts on that loop
   * (snapshot recovery, log replay, subscribe, election timer) asynchronously. The stores belong to
   * the member from now on and are used only on its loop thread.
   */
  public RaftMember add(int loopIndex, RaftConfig config, RaftLog log, TermVoteStore termVoteStore,
      SnapshotStorage snapshots, RandomGenerator random, Transport transport,
      RaftApplier applier) {
    return add(loopIndex, config, log, termVoteStore, new MemoryPeerStateStore(), snapshots,
        random, transport, applier);
  }

  /**
   * Adds a member with durable snapshots and a durable membership store ({@code peers.idx}, for
   * example a {@link io.jscluster.raft.state.PeerStateFile} beside the log) pinned to loop {@code
   * loopIndex}; at start the node adopts the stored membership when no snapshot supplies one,
   * exactly as {@link io.jscluster.raft.RaftNode} documents. The stores belong to the member from now on and are
   * used only on its loop thread.
   */
  public RaftMember add(int loopIndex, RaftConfig config, RaftLog log, TermVoteStore termVoteStore,
      PeerStateStore peerStateStore, SnapshotStorage snapshots, RandomGenerator random,
      Transport transport, RaftApplier applier) {
    if (closed) {
      throw new IllegalStateException("runtime closed");
    }
    EventLoop loop = loops[loopIndex];
    RaftMember m = new RaftMember(loop, config, log, termVoteStore, peerStateStore, snapshots,
        random, transport, applier);
    loop.enqueue(new EventLoop.Command(m) {
      @Override
      void execute(long now) {
        member.startOnLoop(now);
      }
    });
    return m;
  }

  /** Total commands (messages, proposals, tasks) executed by all loops so far. */
  public long commandsExecuted() {
    long n = 0;
    for (EventLoop l : loops) {
      n += l.commands();
    }
    return n;
  }

  /** Total timer firings (member ticks) so far. */
  public long timerFirings() {
    long n = 0;
    for (EventLoop l : loops) {
      n += l.ticks();
    }
    return n;
  }

  /** Total times a loop parked for lack of work. */
  public long parks() {
    long n = 0;
    for (EventLoop l : loops) {
      n += l.parks();
    }
    return n;
  }

  /** The loop threads (empty for a manual runtime). */
  public List<Thread> threads() {
    List<Thread> out = new ArrayList<>();
    for (EventLoop l : loops) {
      if (l.thread() != null) {
        out.add(l.thread());
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ manual driving (tests)

  EventLoop loop(int i) {
    return loops[i];
  }

  /** Manual runtime: one iteration of every loop at the clock's time; returns the work done. */
  int runOnce() {
    checkManual();
    int work = 0;
    long now = clock.millis();
    for (EventLoop l : loops) {
      work += l.runOnce(now);
    }
    return work;
  }

  /** Manual runtime: iterates until no loop has work at the current time. */
  int runUntilQuiet() {
    int total = 0;
    int w;
    while ((w = runOnce()) > 0) {
      total += w;
    }
    return total;
  }

  /** Earliest timer of all loops. */
  long nextDeadline() {
    long d = Long.MAX_VALUE;
    for (EventLoop l : loops) {
      d = Math.min(d, l.nextDeadline());
    }
    return d;
  }

  private void checkManual() {
    if (threaded) {
      throw new IllegalStateException("threaded runtime");
    }
  }

  /**
   * Stops every member (failing their pending proposals), lets each loop finish what is queued
   * and waits up to 10 s for the threads to exit. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (EventLoop l : loops) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      stops.add(done);
      l.enqueue(new EventLoop.Command(null) {
        @Override
        void execute(long now) {
          for (RaftMember m : new ArrayList<>(l.members())) {
            m.stopOnLoop();
          }
          done.complete(null);
        }
      });
    }
    if (!threaded) {
      runUntilQuiet();
      return;
    }
    try {
      CompletableFuture.allOf(stops.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Fall through: the loops are told to exit regardless.
    }
    for (EventLoop l : loops) {
      l.close();
    }
    for (EventLoop l : loops) {
      try {
        l.thread().join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
