package io.jscluster.raft.runtime;

import io.jscluster.raft.CommittedEntry;
import io.jscluster.raft.RaftConfig;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.NodeIds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * A 3-member group on a manually driven {@link EventLoopRuntime} with a manual clock: time moves
 * only when the test says, straight to the next armed deadline, so runs are deterministic.
 */
final class ManualGroup {

  /** Records what one member applied. */
  static final class Recorder implements RaftApplier {
    final List<CommittedEntry> applied = new ArrayList<>();
    final List<Thread> threads = new ArrayList<>();
    int markers;
    /** When set, an entry whose data starts with this byte makes {@link #apply} throw. */
    int failOnFirstByte = -1;
    int failures;

    @Override
    public void apply(CommittedEntry entry) {
      for (Entry e : entry.entries()) {
        if (failOnFirstByte >= 0 && e.data().length > 0 && e.data()[0] == failOnFirstByte) {
          failures++;
          throw new IllegalStateException("refusing index " + entry.index());
        }
      }
      applied.add(entry);
      threads.add(Thread.currentThread());
    }

    @Override
    public void marker() {
      markers++;
    }

    long normalEntries() {
      long n = 0;
      for (CommittedEntry ce : applied) {
        for (Entry e : ce.entries()) {
          if (e.type() == io.jscluster.raft.wire.EntryType.NORMAL) {
            n++;
          }
        }
      }
      return n;
    }
  }

  final AtomicLong time = new AtomicLong(1);
  final EventLoopRuntime runtime;
  final LocalNetwork network = new LocalNetwork();
  final List<RaftMember> members = new ArrayList<>();
  final List<Recorder> recorders = new ArrayList<>();

  ManualGroup(int loops, long seed, UnaryOperator<RaftConfig> customize) {
    runtime = EventLoopRuntime.manual(loops, time::get);
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      ids.add(NodeIds.fromServerName("n" + i));
    }
    for (int i = 0; i < 3; i++) {
      Recorder r = new Recorder();
      recorders.add(r);
      RaftConfig cfg = customize.apply(RaftConfig.of("G", ids.get(i), ids));
      members.add(runtime.add(i % loops, cfg, new MemoryRaftLog(), new MemoryTermVoteStore(),
          new SplittableRandom(seed + i), network.endpoint("n" + (i + 1)), r));
    }
    runtime.runUntilQuiet();
  }

  ManualGroup(long seed) {
    this(1, seed, c -> c);
  }

  /** Jumps to the next deadline (if any is before {@code limit}) and runs until quiet. */
  boolean step(long limit) {
    long d = runtime.nextDeadline();
    if (d == Long.MAX_VALUE || d > limit) {
      time.set(Math.max(time.get(), limit));
      runtime.runUntilQuiet();
      return false;
    }
    time.set(Math.max(time.get(), d));
    runtime.runUntilQuiet();
    return true;
  }

  /** Runs virtual time forward until {@code cond} holds or {@code maxMillis} passed. */
  boolean runUntil(BooleanSupplier cond, long maxMillis) {
    long limit = time.get() + maxMillis;
    runtime.runUntilQuiet();
    while (!cond.getAsBoolean()) {
      if (!step(limit)) {
        return cond.getAsBoolean();
      }
    }
    return true;
  }

  /** Advances {@code millis} of virtual time, firing every deadline on the way. */
  void runFor(long millis) {
    long limit = time.get() + millis;
    while (step(limit)) {
      // keep going
    }
  }

  RaftMember leader() {
    for (RaftMember m : members) {
      if (m.isLeader()) {
        return m;
      }
    }
    return null;
  }

  /** Makes member {@code i} campaign and runs until a complete leader exists. */
  RaftMember elect(int i) {
    members.get(i).call((n, now) -> {
      n.campaign(now);
      return null;
    });
    runUntil(() -> leader() != null, 60_000);
    return leader();
  }
}
