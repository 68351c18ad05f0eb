package io.jscluster.bench.raft;

import io.jscluster.raft.RaftConfig;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.runtime.EventLoopRuntime;
import io.jscluster.raft.runtime.LocalNetwork;
import io.jscluster.raft.runtime.RaftMember;
import io.jscluster.raft.wire.NodeIds;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Scale check (not a unit test): one JVM hosts {@code groups} idle 3-member groups on the
 * event-loop runtime with NRG's default timers (elections 4–9 s, heartbeat 1 s, quorum check
 * 10 s). It waits until every group has a complete leader, then watches {@code seconds} of idle
 * time and reports leader changes and term increases in that window (target: none) and the
 * process CPU time over wall time (target: below 0.20 of one core).
 *
 * <p>Run: {@code java -Xmx6g -cp jscluster-bench/target/jscluster-benchmarks.jar
 * io.jscluster.bench.raft.IdleGroupsScaleCheck [groups=10000] [seconds=60] [loops=2]}. Exits
 * with status 1 when a target is missed.
 */
public final class IdleGroupsScaleCheck {

  private IdleGroupsScaleCheck() {}

  /** Entry point; see the class documentation for the arguments. */
  public static void main(String[] args) throws Exception {
    int groups = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    int loops = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    List<String> ids = List.of(NodeIds.fromServerName("s1"), NodeIds.fromServerName("s2"),
        NodeIds.fromServerName("s3"));
    LocalNetwork net = new LocalNetwork();
    AtomicInteger leaders = new AtomicInteger();
    AtomicLong leaderEvents = new AtomicLong();
    List<RaftMember> members = new ArrayList<>(groups * 3);
    long t0 = System.nanoTime();
    try (EventLoopRuntime rt = EventLoopRuntime.start(loops)) {
      for (int g = 0; g < groups; g++) {
        String group = "G" + g;
        for (int i = 0; i < 3; i++) {
          RaftMember m = rt.add(RaftConfig.of(group, ids.get(i), ids), new MemoryRaftLog(),
              new MemoryTermVoteStore(), net.endpoint(group + "/s" + (i + 1)), ce -> { });
          m.addLeaderListener((lead, term) -> {
            leaderEvents.incrementAndGet();
            if (lead) {
              leaders.incrementAndGet();
            }
          });
          members.add(m);
        }
      }
      System.out.printf("created %d groups (%d members) on %d loops in %.1f s%n", groups,
          members.size(), loops, (System.nanoTime() - t0) / 1e9);

      // Settle: every group has exactly one complete leader, and 3 more seconds pass quietly.
      long settleDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      while (System.nanoTime() < settleDeadline) {
        int n = countLeaders(members);
        if (n == groups) {
          break;
        }
        System.out.printf("  %.0f s: %d groups with a leader%n", (System.nanoTime() - t0) / 1e9, n);
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(5));
      }
      int settled = countLeaders(members);
      System.out.printf("settled: %d/%d groups with a leader after %.1f s (%d leader elections)%n",
          settled, groups, (System.nanoTime() - t0) / 1e9, leaders.get());
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3));
      System.gc();

      long[] terms = new long[members.size()];
      boolean[] wasLeader = new boolean[members.size()];
      for (int i = 0; i < members.size(); i++) {
        terms[i] = members.get(i).term();
        wasLeader[i] = members.get(i).isLeader();
      }
      long events0 = leaderEvents.get();
      long msgs0 = rt.commandsExecuted();
      long ticks0 = rt.timerFirings();
      long parks0 = rt.parks();
      long cpu0 = os.getProcessCpuTime();
      long w0 = System.nanoTime();
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(seconds));
      long wall = System.nanoTime() - w0;
      long cpu = os.getProcessCpuTime() - cpu0;
      long msgs = rt.commandsExecuted() - msgs0;
      long ticks = rt.timerFirings() - ticks0;
      long events = leaderEvents.get() - events0;
      long parks = rt.parks() - parks0;
      int termChanges = 0;
      int leaderFlips = 0;
      for (int i = 0; i < members.size(); i++) {
        if (members.get(i).term() != terms[i]) {
          termChanges++;
        }
        if (members.get(i).isLeader() != wasLeader[i]) {
          leaderFlips++;
        }
      }
      double cpuShare = (double) cpu / wall;
      long heapMb = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
      System.out.printf("idle window %.1f s: leader-change signals %d, members whose term changed "
              + "%d, members whose leadership flipped %d%n", wall / 1e9, events, termChanges,
          leaderFlips);
      System.out.printf("idle CPU: %.3f s CPU over %.1f s wall = %.1f%% of one core; %d "
              + "commands (%.0f/s), %d timer firings (%.0f/s), %d loop wake-ups from park (%.0f/s); heap in use %d MiB%n",
          cpu / 1e9, wall / 1e9, 100 * cpuShare, msgs, msgs / (wall / 1e9), ticks,
          ticks / (wall / 1e9), parks, parks / (wall / 1e9), heapMb);
      boolean ok = settled == groups && events == 0 && termChanges == 0 && cpuShare < 0.20;
      System.out.println(ok ? "RESULT: targets met" : "RESULT: target missed");
      if (!ok) {
        System.exit(1);
      }
    }
  }

  private static int countLeaders(List<RaftMember> members) {
    int n = 0;
    for (RaftMember m : members) {
      if (m.isLeader()) {
        n++;
      }
    }
    return n;
  }
}
