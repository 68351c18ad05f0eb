package io.jscluster.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.RaftConfig;
import io.jscluster.raft.RaftTiming;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.wire.NodeIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Real threads, real clock: liveness only. Bounds are generous (30 s) and decide nothing but
 * "eventually"; the loop mechanics are tested deterministically in {@link EventLoopRuntimeTest}.
 */
class EventLoopRuntimeLivenessTest {

  private static final RaftTiming FAST = new RaftTiming(150, 300, 20, 60, 10, 10, 50, 2_000,
      48L * 3600_000, 100, 400, 500, 500, 100, 150);

  @Test
  void threadedGroupElectsCommitsFromManyThreadsAndClosesCleanly() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      ids.add(NodeIds.fromServerName("n" + i));
    }
    LocalNetwork net = new LocalNetwork();
    Set<String> applyThreads = ConcurrentHashMap.newKeySet();
    AtomicLong appliedEntries = new AtomicLong();
    CountDownLatch leaderElected = new CountDownLatch(1);
    List<RaftMember> members = new ArrayList<>();
    List<Thread> loopThreads = new ArrayList<>();
    try (EventLoopRuntime rt = EventLoopRuntime.start(2, RaftClock.system(), 0, "test-loop")) {
      for (int i = 0; i < 3; i++) {
        RaftConfig cfg = RaftConfig.of("L", ids.get(i), ids).withTiming(FAST);
        RaftMember m = rt.add(cfg, new MemoryRaftLog(), new MemoryTermVoteStore(),
            net.endpoint("n" + i), ce -> {
              applyThreads.add(Thread.currentThread().getName());
              appliedEntries.addAndGet(ce.entries().size());
            });
        m.addLeaderListener((lead, term) -> {
          if (lead) {
            leaderElected.countDown();
          }
        });
        members.add(m);
      }
      assertThat(leaderElected.await(30, TimeUnit.SECONDS)).isTrue();
      RaftMember leader = members.stream().filter(RaftMember::isLeader).findFirst().orElseThrow();
      int perThread = 2_000;
      List<List<CompletableFuture<Long>>> perProducer = new ArrayList<>();
      List<Thread> producers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        List<CompletableFuture<Long>> mine = new ArrayList<>();
        perProducer.add(mine);
        producers.add(new Thread(() -> {
          for (int i = 0; i < perThread; i++) {
            mine.add(leader.propose(new byte[128]));
          }
        }));
      }
      producers.forEach(Thread::start);
      List<CompletableFuture<Long>> futures = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        producers.get(t).join(30_000);
        assertThat(producers.get(t).isAlive()).isFalse();
        futures.addAll(perProducer.get(t));
      }
      CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
      for (List<CompletableFuture<Long>> mine : perProducer) {
        long prev = 0;
        for (CompletableFuture<Long> f : mine) {
          // One producer's proposals commit in its order (indexes never go back).
          assertThat(f.get()).isGreaterThanOrEqualTo(prev).isPositive();
          prev = f.get();
        }
      }
      // Every member applies every entry eventually; poll by loop round-trips, not sleeps.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (appliedEntries.get() < 3L * 2 * perThread && System.nanoTime() < deadline) {
        for (RaftMember m : members) {
          m.call((n, now) -> null).get(30, TimeUnit.SECONDS);
        }
      }
      assertThat(appliedEntries.get()).isEqualTo(3L * 2 * perThread);
      assertThat(applyThreads).allMatch(n -> n.startsWith("test-loop-"));
      assertThat(rt.threads()).hasSize(2);
      loopThreads.addAll(rt.threads());
    }
    for (Thread t : loopThreads) {
      assertThat(t.isAlive()).as(t.getName()).isFalse();
    }
    for (RaftMember m : members) {
      assertThat(m.stopFuture()).isDone();
    }
  }
}
