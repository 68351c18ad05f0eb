package io.jscluster.bench.raft;

import io.jscluster.raft.CommittedEntry;
import io.jscluster.raft.RaftConfig;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.runtime.EventLoopRuntime;
import io.jscluster.raft.runtime.LocalNetwork;
import io.jscluster.raft.runtime.ProposalCallback;
import io.jscluster.raft.runtime.RaftApplier;
import io.jscluster.raft.runtime.RaftClock;
import io.jscluster.raft.runtime.RaftMember;
import io.jscluster.raft.wire.NodeIds;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Three members on the event-loop runtime (real clock, loop threads, MPSC inboxes) connected by
 * {@link LocalNetwork}: every message is the NRG byte encoding the core produced, decoded again by
 * the receiver. Memory logs; the upper layer compacts what it applied (no snapshots in the core
 * yet). Proposals go one by one through {@link RaftMember#propose(byte[], ProposalCallback)} from
 * the benchmark thread; the loop batches them.
 */
final class EventLoopHarness implements CommitHarness {

  private final EventLoopRuntime runtime;
  private final List<RaftMember> members = new ArrayList<>();
  private final RaftMember leader;
  private final AtomicInteger remaining = new AtomicInteger();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile Thread waiter;
  private final ProposalCallback callback = new ProposalCallback() {
    @Override
    public void committed(long index) {
      if (remaining.decrementAndGet() == 0) {
        LockSupport.unpark(waiter);
      }
    }

    @Override
    public void failed(Throwable cause) {
      failure.compareAndSet(null, cause);
      if (remaining.decrementAndGet() == 0) {
        LockSupport.unpark(waiter);
      }
    }
  };

  /** Applies nothing, compacts the log behind it. */
  private static final class CompactingApplier implements RaftApplier {
    final MemoryRaftLog log;

    CompactingApplier(MemoryRaftLog log) {
      this.log = log;
    }

    @Override
    public void apply(CommittedEntry entry) {
      long index = entry.index();
      // Keep the live set (what every young GC copies) to the last two batches.
      if (index > 2) {
        log.compactUpTo(index - 2);
      }
    }
  }

  EventLoopHarness(int loops, int idleSpins) throws InterruptedException {
    runtime = EventLoopRuntime.start(loops, RaftClock.system(), idleSpins, "bench-loop");
    LocalNetwork net = new LocalNetwork();
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      ids.add(NodeIds.fromServerName("n" + i));
    }
    CountDownLatch elected = new CountDownLatch(1);
    for (int i = 0; i < 3; i++) {
      MemoryRaftLog log = new MemoryRaftLog();
      RaftMember m = runtime.add(RaftConfig.of("BENCH", ids.get(i), ids), log,
          new MemoryTermVoteStore(), net.endpoint("n" + (i + 1)), new CompactingApplier(log));
      members.add(m);
    }
    RaftMember first = members.get(0);
    first.addLeaderListener((lead, term) -> {
      if (lead) {
        elected.countDown();
      }
    });
    first.call((n, now) -> {
      n.campaign(now);
      return null;
    });
    if (!elected.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("no leader elected");
    }
    leader = first;
  }

  @Override
  public void commitWindow(byte[] payload, int count) {
    waiter = Thread.currentThread();
    remaining.set(count);
    for (int i = 0; i < count; i++) {
      leader.propose(payload, callback);
    }
    while (remaining.get() > 0) {
      LockSupport.park(this);
    }
    Throwable t = failure.getAndSet(null);
    if (t != null) {
      throw new IllegalStateException("proposal failed", t);
    }
  }

  @Override
  public void close() {
    runtime.close();
  }
}
