package io.jscluster.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.CommittedEntry;
import io.jscluster.raft.RaftException;
import io.jscluster.raft.RaftState;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Loop mechanics on a manual clock: deterministic, no threads. */
class EventLoopRuntimeTest {

  private static byte[] payload(int i, int size) {
    byte[] b = new byte[size];
    b[0] = (byte) i;
    b[size - 1] = (byte) (i >>> 8);
    return b;
  }

  @Test
  void electsLeaderAndCompletesProposalsWithTheirCommittedIndex() throws Exception {
    ManualGroup g = new ManualGroup(1);
    RaftMember leader = g.elect(0);
    assertThat(leader).isSameAs(g.members.get(0));
    assertThat(leader.state()).isEqualTo(RaftState.LEADER);

    List<CompletableFuture<Long>> fs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      fs.add(leader.propose(payload(i, 16)));
      g.runtime.runUntilQuiet();
    }
    for (CompletableFuture<Long> f : fs) {
      assertThat(f).isDone();
    }
    assertThat(fs.get(1).get()).isEqualTo(fs.get(0).get() + 1);
    assertThat(fs.get(2).get()).isEqualTo(fs.get(1).get() + 1);
    long last = fs.get(2).get();
    for (ManualGroup.Recorder r : g.recorders) {
      assertThat(r.markers).isEqualTo(1);
      assertThat(r.normalEntries()).isEqualTo(3);
      assertThat(r.applied.get(r.applied.size() - 1).index()).isEqualTo(last);
    }
  }

  @Test
  void proposalsDrainedInOneIterationBecomeOneLogIndexPerCoreBatch() throws Exception {
    ManualGroup g = new ManualGroup(2);
    RaftMember leader = g.elect(1);
    // 16-byte entries: the core's 4096-entry limit cuts before its 256 KiB limit; the loop drains
    // at most 4096 commands per iteration, so 8292 proposals make 4096 + 4096 + 100: 3 indexes.
    int n = 2 * EventLoop.DRAIN_LIMIT + 100;
    List<CompletableFuture<Long>> fs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      fs.add(leader.propose(payload(i, 16)));
    }
    g.runtime.runUntilQuiet();
    TreeSet<Long> indexes = new TreeSet<>();
    for (CompletableFuture<Long> f : fs) {
      assertThat(f).isDone();
      indexes.add(f.get());
    }
    assertThat(indexes).hasSize(3);
    assertThat(indexes.last() - indexes.first()).isEqualTo(2);
    assertThat(fs.get(4095).get()).isEqualTo(indexes.first());
    assertThat(fs.get(4096).get()).isEqualTo(indexes.first() + 1);
    assertThat(fs.get(n - 1).get()).isEqualTo(indexes.last());
    for (ManualGroup.Recorder r : g.recorders) {
      assertThat(r.normalEntries()).isEqualTo(n);
    }
    // Entries are applied in proposal order.
    List<CommittedEntry> applied = g.recorders.get(0).applied;
    int k = 0;
    for (CommittedEntry ce : applied) {
      for (var e : ce.entries()) {
        assertThat(e.data()).isEqualTo(payload(k++, 16));
      }
    }
  }

  @Test
  void batchesAreCutAtTheCoreByteLimit() throws Exception {
    ManualGroup g = new ManualGroup(11);
    RaftMember leader = g.elect(0);
    // 1 KiB entries count 1025 bytes each: the 256 KiB limit is reached at the 256th.
    List<CompletableFuture<Long>> fs = new ArrayList<>();
    for (int i = 0; i < 512; i++) {
      fs.add(leader.propose(payload(i, 1024)));
    }
    g.runtime.runUntilQuiet();
    assertThat(fs.get(255).get()).isEqualTo(fs.get(0).get());
    assertThat(fs.get(256).get()).isEqualTo(fs.get(0).get() + 1);
    assertThat(fs.get(511).get()).isEqualTo(fs.get(0).get() + 1);
  }

  @Test
  void proposalOnFollowerFailsNotLeader() {
    ManualGroup g = new ManualGroup(3);
    g.elect(0);
    CompletableFuture<Long> f = g.members.get(2).propose(payload(1, 8));
    g.runtime.runUntilQuiet();
    assertThat(f).isCompletedExceptionally();
    assertThat(f.handle((v, t) -> t).join())
        .isInstanceOfSatisfying(RaftException.class,
            e -> assertThat(e.error()).isEqualTo(RaftException.Error.NOT_LEADER));
  }

  @Test
  void steppingDownFailsInflightProposalsAsOutcomeUnknown() {
    ManualGroup g = new ManualGroup(4);
    RaftMember leader = g.elect(0);
    CompletableFuture<Long> f = leader.propose(payload(1, 8));
    g.runtime.runOnce(); // stored and sent; the followers have not answered yet
    assertThat(f).isNotDone();
    leader.call((n, now) -> {
      n.stepDown(now);
      return null;
    });
    g.runtime.runOnce();
    assertThat(f).isCompletedExceptionally();
    assertThat(f.handle((v, t) -> t).join()).isInstanceOf(ProposalOutcomeUnknownException.class);
    // The group elects again (the transfer target campaigns) and keeps working.
    assertThat(g.runUntil(() -> g.leader() != null && g.leader() != leader, 60_000)).isTrue();
  }

  @Test
  void leaderListenersSeeElectionAndStepDown() {
    ManualGroup g = new ManualGroup(5);
    List<String> events = new ArrayList<>();
    RaftMember m0 = g.members.get(0);
    m0.addLeaderListener((lead, term) -> events.add(lead + "@" + term));
    g.elect(0);
    long term = m0.term();
    assertThat(events).containsExactly("true@" + term);
    m0.call((n, now) -> {
      n.stepDown(now);
      return null;
    });
    g.runtime.runUntilQuiet();
    assertThat(events).startsWith("true@" + term, "false@" + term);
  }

  @Test
  void idleGroupOnlyWakesForHeartbeatsAndQuorumChecks() {
    ManualGroup g = new ManualGroup(6);
    RaftMember leader = g.elect(0);
    g.runFor(5_000); // settle
    long term = leader.term();
    long firings = g.runtime.timerFirings();
    long commands = g.runtime.commandsExecuted();
    g.runFor(60_000);
    long fired = g.runtime.timerFirings() - firings;
    long handled = g.runtime.commandsExecuted() - commands;
    // One heartbeat per second plus one quorum check per 10 s on the leader; followers' election
    // timers are pushed back by every heartbeat and never fire.
    assertThat(fired).isBetween(60L, 72L);
    // Per heartbeat: 2 AE deliveries and 2 responses.
    assertThat(handled).isBetween(4L * 60, 4L * 66);
    for (RaftMember m : g.members) {
      assertThat(m.term()).isEqualTo(term);
    }
    assertThat(leader.isLeader()).isTrue();
    // One armed timer per member, no more.
    assertThat(g.runtime.loop(0).armedTimers()).isEqualTo(3);
  }

  @Test
  void membersOnDifferentLoopsReplicate() throws Exception {
    ManualGroup g = new ManualGroup(3, 7, c -> c);
    assertThat(g.members.get(0).loopIndex()).isZero();
    assertThat(g.members.get(2).loopIndex()).isEqualTo(2);
    RaftMember leader = g.elect(2);
    CompletableFuture<Long> f = leader.propose(payload(9, 64));
    g.runtime.runUntilQuiet();
    assertThat(f.get()).isPositive();
    for (ManualGroup.Recorder r : g.recorders) {
      assertThat(r.normalEntries()).isEqualTo(1);
    }
  }

  @Test
  void stopFailsQueuedProposalsAndDisarmsTheTimer() throws Exception {
    ManualGroup g = new ManualGroup(8);
    RaftMember leader = g.elect(0);
    CompletableFuture<Long> f = leader.propose(payload(1, 8));
    CompletableFuture<Void> stopped = leader.stop();
    g.runtime.runUntilQuiet();
    assertThat(stopped).isDone();
    // The proposal was drained before the stop command and stored, but is not seen committed.
    assertThat(f).isCompletedExceptionally();
    assertThat(leader.state()).isEqualTo(RaftState.CLOSED);
    assertThat(g.runtime.loop(0).armedTimers()).isEqualTo(2);
    CompletableFuture<Long> late = leader.propose(payload(2, 8));
    g.runtime.runUntilQuiet();
    assertThat(late.handle((v, t) -> t).join())
        .isInstanceOfSatisfying(RaftException.class,
            e -> assertThat(e.error()).isEqualTo(RaftException.Error.CLOSED));
    // The other two elect a new leader.
    assertThat(g.runUntil(() -> g.leader() != null, 60_000)).isTrue();
  }

  @Test
  void callRunsOnTheLoopWithItsTime() throws ExecutionException, InterruptedException {
    ManualGroup g = new ManualGroup(9);
    g.time.set(12_345);
    CompletableFuture<Long> f = g.members.get(1).call((n, now) -> now);
    g.runtime.runUntilQuiet();
    assertThat(f.get()).isEqualTo(12_345L);
    CompletableFuture<Object> boom = g.members.get(1).call((n, now) -> {
      throw new IllegalStateException("boom");
    });
    g.runtime.runUntilQuiet();
    assertThat(boom).isCompletedExceptionally();
  }

  @Test
  void anApplierThatThrowsLeavesTheIndexUnconfirmed() throws Exception {
    ManualGroup g = new ManualGroup(12);
    RaftMember leader = g.elect(0);
    g.recorders.get(2).failOnFirstByte = 99;
    CompletableFuture<Long> f = leader.propose(payload(99, 8));
    g.runtime.runUntilQuiet();
    long index = f.get();
    CompletableFuture<Long> applied2 = g.members.get(2).call((n, now) -> n.appliedIndex());
    CompletableFuture<Long> applied1 = g.members.get(1).call((n, now) -> n.appliedIndex());
    g.runtime.runUntilQuiet();
    assertThat(applied1.get()).isEqualTo(index);
    assertThat(applied2.get()).isLessThan(index);
    assertThat(g.recorders.get(2).failures).isEqualTo(1);
  }

  @Test
  void closeStopsEveryMember() {
    ManualGroup g = new ManualGroup(10);
    g.elect(0);
    g.runtime.close();
    for (RaftMember m : g.members) {
      assertThat(m.stopFuture()).isDone();
      assertThat(m.state()).isEqualTo(RaftState.CLOSED);
    }
    assertThat(g.network.subjectCount()).isZero();
  }
}
