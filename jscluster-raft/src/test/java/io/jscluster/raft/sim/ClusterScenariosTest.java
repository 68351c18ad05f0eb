package io.jscluster.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.raft.RaftException;
import io.jscluster.raft.RaftState;
import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.NodeIds;
import io.jscluster.raft.wire.RaftCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whole-group scenarios ported from nats-server's raft_test.go, run in virtual time. */
class ClusterScenariosTest {

  private SimCluster cluster;

  private SimCluster start(long seed, int size) {
    cluster = new SimCluster(seed, size).start();
    return cluster;
  }

  @AfterEach
  void invariantsHeld() {
    if (cluster != null) {
      cluster.checker().checkLogMatching(cluster.alive());
      assertThat(cluster.checker().violations()).as("seed %d", cluster.sim().seed()).isEmpty();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static long proposeAndWait(SimCluster c, int count) {
    for (int i = 0; i < count; i++) {
      assertThat(c.propose(bytes("m" + c.sim().now() + "-" + i))).isTrue();
    }
    long target = c.leader().raft().lastIndex();
    assertThat(c.awaitApplied(target, 30_000)).as(Chaos.describe(c)).isTrue();
    return target;
  }

  @Test
  @DisplayName("Go: TestNRGSimple")
  void simple() {
    SimCluster c = start(1, 3);
    assertThat(c.awaitLeader(30_000)).isNotNull();
    long target = proposeAndWait(c, 20);
    c.checker().checkConverged(c.alive());
    for (SimNode n : c.alive()) {
      assertThat(n.raft().commitIndex()).isGreaterThanOrEqualTo(target);
    }
  }

  @Test
  @DisplayName("Go: TestNRGSimpleElection")
  void simpleElection() {
    SimCluster c = start(2, 5);
    long lastTerm = 0;
    for (int round = 0; round < 3; round++) {
      SimNode l = c.awaitLeader(60_000);
      assertThat(l).isNotNull();
      assertThat(l.raft().term()).isGreaterThan(lastTerm);
      lastTerm = l.raft().term();
      proposeAndWait(c, 3);
      l.crash(0);
    }
    assertThat(c.awaitLeader(60_000)).isNull();
  }

  @Test
  @DisplayName("Go: TestNRGInlineStepdown")
  void inlineStepdown() {
    SimCluster c = start(3, 3);
    SimNode l = c.awaitLeader(30_000);
    proposeAndWait(c, 1);
    l.input(r -> r.stepDown(c.sim().now()));
    assertThat(l.raft().state()).isEqualTo(RaftState.FOLLOWER);
    SimNode next = c.awaitLeader(30_000);
    assertThat(next).isNotNull();
    assertThat(next).isNotSameAs(l);
  }

  @Test
  @DisplayName("Go: TestNRGLeaderTransfer")
  void leaderTransferToPreferred() {
    SimCluster c = start(4, 5);
    SimNode l = c.awaitLeader(30_000);
    proposeAndWait(c, 2);
    SimNode target = c.alive().stream().filter(n -> n != l).findFirst().orElseThrow();
    l.input(r -> r.stepDown(c.sim().now(), target.id()));
    SimNode next = c.awaitLeader(5_000);
    assertThat(next).isSameAs(target);
    assertThatThrownBy(() -> next.raft().stepDown(c.sim().now(), "a", "b"))
        .isInstanceOf(RaftException.class);
  }

  @Test
  @DisplayName("Go: TestNRGObserverMode")
  void observerNeverLeads() {
    cluster = new SimCluster(5, 3, cfg -> cfg.selfId().equals(NodeIds.fromServerName("n1"))
        ? cfg.withObserver(true) : cfg).start();
    SimCluster c = cluster;
    SimNode obs = c.node("n1");
    for (int round = 0; round < 3; round++) {
      SimNode l = c.awaitLeader(60_000);
      assertThat(l).isNotNull().isNotSameAs(obs);
      proposeAndWait(c, 2);
      l.crash(0);
      c.sim().runFor(1_000);
      l.start();
    }
    assertThat(obs.raft().isObserver()).isTrue();
    assertThat(c.checker().leaders()).doesNotContainValue(obs.id());
    assertThat(obs.applied()).isNotEmpty();
  }

  @Test
  @DisplayName("Go: TestNRGAddPeers")
  void addPeers() {
    SimCluster c = start(6, 3);
    c.awaitLeader(30_000);
    proposeAndWait(c, 5);
    for (String name : List.of("n4", "n5")) {
      SimNode added = c.addServer(name, cfg -> cfg.withRecovering(true));
      added.start();
      SimNode l = c.leader();
      l.input(r -> r.proposeAddPeer(c.sim().now(), added.id()));
      assertThat(c.sim().runUntil(() -> !c.leader().raft().membershipChangeInProgress(), 30_000))
          .isTrue();
    }
    long target = proposeAndWait(c, 3);
    for (SimNode n : c.alive()) {
      assertThat(n.raft().clusterSize()).as(n.name()).isEqualTo(5);
      assertThat(n.raft().appliedIndex()).isGreaterThanOrEqualTo(target);
    }
    c.checker().checkConverged(c.alive());
  }

  @Test
  @DisplayName("Go: TestNRGProposeRemovePeer")
  void removeFollower() {
    SimCluster c = start(7, 3);
    SimNode l = c.awaitLeader(30_000);
    proposeAndWait(c, 2);
    SimNode victim = c.alive().stream().filter(n -> n != l).findFirst().orElseThrow();
    SimNode other = c.alive().stream().filter(n -> n != l && n != victim).findFirst().orElseThrow();
    // Proposed through a follower: forwarded to the leader.
    other.input(r -> r.proposeRemovePeer(c.sim().now(), victim.id()));
    assertThat(c.sim().runUntil(() -> l.raft().clusterSize() == 2
        && !l.raft().membershipChangeInProgress(), 30_000)).isTrue();
    victim.crash(0);
    proposeAndWait(c, 2);
    assertThat(other.raft().peerIds()).doesNotContain(victim.id());
    assertThat(c.sim().runUntil(() -> other.raft().clusterSize() == 2, 10_000)).isTrue();
  }

  @Test
  @DisplayName("Go: TestNRGProposeRemovePeerLeader")
  void leaderRemovesItself() {
    SimCluster c = start(8, 3);
    SimNode l = c.awaitLeader(30_000);
    proposeAndWait(c, 2);
    l.input(r -> r.proposeRemovePeer(c.sim().now(), l.id()));
    assertThat(c.sim().runUntil(() -> l.raft().state() == RaftState.CLOSED, 30_000)).isTrue();
    l.crash(0);
    SimNode next = c.awaitLeader(60_000);
    assertThat(next).isNotNull();
    assertThat(next.raft().peerIds()).doesNotContain(l.id());
    assertThat(next.raft().clusterSize()).isEqualTo(2);
    proposeAndWait(c, 2);
  }

  @Test
  @DisplayName("Go: TestNRGProposeRemovePeerNonExistent / TestNRGProposeRemovePeerConcurrent")
  void removeChecks() {
    SimCluster c = start(9, 3);
    SimNode l = c.awaitLeader(30_000);
    assertThatThrownBy(() -> l.raft().proposeRemovePeer(c.sim().now(), "NOPEERXX"))
        .isInstanceOfSatisfying(RaftException.class,
            e -> assertThat(e.error()).isEqualTo(RaftException.Error.PEER_NOT_FOUND));
    SimNode f = c.alive().stream().filter(n -> n != l).findFirst().orElseThrow();
    l.input(r -> r.proposeRemovePeer(c.sim().now(), f.id()));
    SimNode g = c.alive().stream().filter(n -> n != l && n != f).findFirst().orElseThrow();
    assertThatThrownBy(() -> l.raft().proposeRemovePeer(c.sim().now(), g.id()))
        .isInstanceOfSatisfying(RaftException.class,
            e -> assertThat(e.error()).isEqualTo(RaftException.Error.MEMBERSHIP_CHANGE));
    c.sim().runFor(5_000);
    f.crash(0);
  }

  @Test
  @DisplayName("Go: TestNRGSimpleCatchup")
  void simpleCatchup() {
    SimCluster c = start(10, 3);
    SimNode l = c.awaitLeader(30_000);
    proposeAndWait(c, 3);
    SimNode f = c.alive().stream().filter(n -> n != l).findFirst().orElseThrow();
    f.crash(0);
    proposeAndWait(c, 20);
    f.start();
    long target = c.leader().raft().lastIndex();
    assertThat(c.awaitApplied(target, 60_000)).as(Chaos.describe(c)).isTrue();
    c.checker().checkConverged(c.alive());
  }

  // Go: TestNRGWALEntryWithoutQuorumMustTruncate (both sub-tests: "equal" and "diverged")
  @ParameterizedTest(name = "Go: TestNRGWALEntryWithoutQuorumMustTruncate/{0}")
  @ValueSource(strings = {"equal", "diverged"})
  @DisplayName("Go: TestNRGWALEntryWithoutQuorumMustTruncate")
  void entryWithoutQuorumIsTruncated(String history) {
    SimCluster c = start(11, 3);
    SimNode l = c.awaitLeader(30_000);
    long committed = proposeAndWait(c, 2);
    // The leader stores an entry that reaches no one, then is hard killed.
    c.network().isolate(l.name());
    assertThat(c.propose(bytes("lonely"))).isTrue();
    long lonelyIndex = l.raft().lastIndex();
    assertThat(lonelyIndex).isGreaterThan(committed);
    l.crash(0);
    c.network().heal();
    SimNode next = c.awaitLeader(60_000);
    assertThat(next).isNotNull().isNotSameAs(l);
    if (history.equals("diverged")) {
      // The new leader's history moves on past the lonely index.
      assertThat(c.propose(bytes("delta"))).isTrue();
    }
    // "equal": the new leader adds nothing beyond its own election entry.
    assertThat(c.awaitApplied(next.raft().lastIndex(), 30_000)).as(Chaos.describe(c)).isTrue();

    l.start();
    // The restart replays the lonely entry: it is still in the old leader's log.
    assertThat(l.log().lastIndex()).isGreaterThanOrEqualTo(lonelyIndex);
    assertThat(InvariantChecker.surfacedAt(l.log(), lonelyIndex))
        .containsExactly(Entry.normal(bytes("lonely")));

    // The entry only the old leader has is truncated; eventually every WAL is the same.
    assertThat(c.sim().runUntil(() -> walsEqual(c.nodes()), 30_000))
        .as(Chaos.describe(c)).isTrue();
    assertThat(InvariantChecker.surfacedAt(l.log(), lonelyIndex))
        .isEqualTo(InvariantChecker.surfacedAt(next.log(), lonelyIndex))
        .doesNotContain(Entry.normal(bytes("lonely")));
    for (var e : c.checker().committed().values()) {
      assertThat(e).doesNotContain(Entry.normal(bytes("lonely")));
    }
  }

  /**
   * Every node's WAL holds the same indexes with the same stored batches; {@code lterm} is left
   * out (it differs where a node was caught up).
   */
  private static boolean walsEqual(java.util.Collection<SimNode> nodes) {
    List<AppendEntry> expected = null;
    for (SimNode n : nodes) {
      RaftLog log = n.log();
      List<AppendEntry> got = new ArrayList<>();
      for (long i = log.firstIndex(); !log.isEmpty() && i <= log.lastIndex(); i++) {
        got.add(RaftCodec.decodeAppendEntry(log.read(i).data()).withLterm(0));
      }
      if (expected == null) {
        expected = got;
      } else if (!expected.equals(got)) {
        return false;
      }
    }
    return true;
  }

  @Test
  @DisplayName("Go: TestNRGHeartbeatOnLeaderChange")
  void progressAcrossRepeatedLeaderRestarts() {
    SimCluster c = start(12, 3);
    for (int round = 0; round < 5; round++) {
      SimNode l = c.awaitLeader(60_000);
      assertThat(l).isNotNull();
      proposeAndWait(c, 2);
      l.crash(0);
      c.sim().runFor(500);
      l.start();
    }
    c.awaitLeader(60_000);
    long target = proposeAndWait(c, 1);
    assertThat(c.allApplied(target)).isTrue();
    c.checker().checkConverged(c.alive());
  }

  @Test
  @DisplayName("Go: TestNRGLostQuorum (group)")
  void isolatedLeaderStepsDown() {
    SimCluster c = start(13, 3);
    SimNode l = c.awaitLeader(30_000);
    proposeAndWait(c, 1);
    c.network().isolate(l.name());
    assertThat(c.sim().runUntil(() -> l.raft().state() != RaftState.LEADER, 25_000)).isTrue();
    assertThat(c.sim().runUntil(() -> {
      SimNode x = c.leader();
      return x != null && x != l && x.raft().isLeader();
    }, 30_000)).isTrue();
  }

  @Test
  @DisplayName("Go: TestNRGQuorumAfterLeaderStepdown")
  void quorumAfterStepdown() {
    SimCluster c = start(14, 3);
    SimNode l = c.awaitLeader(30_000);
    proposeAndWait(c, 1);
    assertThat(l.raft().quorum(c.sim().now())).isTrue();
    l.input(r -> r.stepDown(c.sim().now()));
    SimNode next = c.awaitLeader(30_000);
    c.sim().runFor(2_000);
    assertThat(next.raft().quorum(c.sim().now())).isTrue();
  }

  @Test
  @DisplayName("Go: TestNRGAssumeHighTermAfterCandidateIsolation")
  void isolatedCandidateTermIsAdopted() {
    cluster = new SimCluster(15, 3, cfg -> cfg.withPreVote(false)).start();
    SimCluster c = cluster;
    SimNode l = c.awaitLeader(30_000);
    proposeAndWait(c, 1);
    SimNode f = c.alive().stream().filter(n -> n != l).findFirst().orElseThrow();
    c.network().isolate(f.name());
    c.sim().runFor(60_000);
    long isolatedTerm = f.raft().term();
    assertThat(isolatedTerm).isGreaterThan(l.raft().term());
    c.network().heal();
    c.awaitLeader(60_000);
    proposeAndWait(c, 1);
    for (SimNode n : c.alive()) {
      assertThat(n.raft().state()).isNotEqualTo(RaftState.CANDIDATE);
      assertThat(n.raft().term()).isGreaterThanOrEqualTo(isolatedTerm);
    }
  }

  @Test
  @DisplayName("pre-vote: a partitioned node that rejoins cannot depose a healthy leader")
  void preVoteProtectsAHealthyLeader() {
    SimCluster c = start(16, 3);
    SimNode l = c.awaitLeader(30_000);
    proposeAndWait(c, 1);
    long term = l.raft().term();
    SimNode f = c.alive().stream().filter(n -> n != l).findFirst().orElseThrow();
    c.network().isolate(f.name());
    c.sim().runFor(60_000);
    assertThat(f.raft().term()).isEqualTo(term);
    c.network().heal();
    c.sim().runFor(30_000);
    assertThat(c.leader()).isSameAs(l);
    assertThat(l.raft().term()).isEqualTo(term);
    assertThat(f.raft().leaderId()).isEqualTo(l.id());
    proposeAndWait(c, 1);
  }

  @Test
  @DisplayName("without pre-vote the same partition deposes the leader (NRG behaviour)")
  void withoutPreVoteTheRejoiningNodeDisrupts() {
    cluster = new SimCluster(16, 3, cfg -> cfg.withPreVote(false)).start();
    SimCluster c = cluster;
    SimNode l = c.awaitLeader(30_000);
    proposeAndWait(c, 1);
    long term = l.raft().term();
    SimNode f = c.alive().stream().filter(n -> n != l).findFirst().orElseThrow();
    c.network().isolate(f.name());
    c.sim().runFor(60_000);
    assertThat(f.raft().term()).isGreaterThan(term);
    c.network().heal();
    c.sim().runFor(30_000);
    SimNode now = c.awaitLeader(30_000);
    assertThat(now.raft().term()).isGreaterThan(term);
  }

  @Test
  @DisplayName("read index: confirmed by a quorum, never by an isolated old leader")
  void readIndexBarrier() {
    SimCluster c = start(17, 3);
    SimNode l = c.awaitLeader(30_000);
    long committed = proposeAndWait(c, 3);
    l.input(r -> r.readIndex(c.sim().now(), 1));
    assertThat(c.sim().runUntil(() -> l.readsReady().contains(1L), 5_000)).isTrue();
    assertThat(l.raft().commitIndex()).isGreaterThanOrEqualTo(committed);
    c.network().isolate(l.name());
    l.input(r -> r.readIndex(c.sim().now(), 2));
    c.sim().runFor(5_000);
    assertThat(l.readsReady()).doesNotContain(2L);
    assertThat(c.sim().runUntil(() -> l.readsFailed().contains(2L), 30_000)).isTrue();
    SimNode follower = c.alive().stream()
        .filter(n -> n.raft().state() == RaftState.FOLLOWER).findFirst().orElseThrow();
    assertThatThrownBy(() -> follower.raft().readIndex(c.sim().now(), 3))
        .isInstanceOf(RaftException.class);
    cluster = new SimCluster(18, 3, cfg -> cfg.withReadIndex(false)).start();
    SimNode l2 = cluster.awaitLeader(30_000);
    assertThatThrownBy(() -> l2.raft().readIndex(cluster.sim().now(), 1))
        .isInstanceOfSatisfying(RaftException.class,
            e -> assertThat(e.error()).isEqualTo(RaftException.Error.DISABLED));
  }

  @Test
  @DisplayName("replication converges through loss, duplication, reordering and delay")
  void lossyNetworkConverges() {
    SimCluster c = start(19, 5);
    c.awaitLeader(30_000);
    c.network().setDropRate(0.1);
    c.network().setDuplicateRate(0.1);
    c.network().setReorderRate(0.1);
    c.network().setDelay(1, 40);
    int proposed = 0;
    for (int i = 0; i < 100; i++) {
      if (c.propose(bytes("lossy" + i))) {
        proposed++;
      }
      c.sim().runFor(100);
    }
    assertThat(proposed).isGreaterThan(50);
    c.network().heal();
    SimNode l = c.awaitLeader(60_000);
    assertThat(c.propose(bytes("last"))).isTrue();
    assertThat(c.awaitApplied(l.raft().lastIndex(), 60_000)).as(Chaos.describe(c)).isTrue();
    c.checker().checkConverged(c.alive());
  }

  @Test
  @DisplayName("Go: TestNRGDisjointMajorities-like: one-way cuts never produce two leaders in a term")
  void oneWayCuts() {
    SimCluster c = start(20, 5);
    c.awaitLeader(30_000);
    Set<String> names = new HashSet<>();
    for (SimNode n : c.nodes()) {
      names.add(n.name());
    }
    c.network().cut("n1", "n2");
    c.network().cut("n3", "n1");
    c.network().cut("n4", "n5");
    for (int i = 0; i < 50; i++) {
      c.propose(bytes("cut" + i));
      c.sim().runFor(500);
    }
    c.network().heal();
    SimNode l = c.awaitLeader(60_000);
    assertThat(c.propose(bytes("end"))).isTrue();
    assertThat(c.awaitApplied(l.raft().lastIndex(), 60_000)).isTrue();
    assertThat(names).hasSize(5);
  }
}
