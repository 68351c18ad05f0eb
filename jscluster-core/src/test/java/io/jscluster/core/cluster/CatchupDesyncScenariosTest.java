package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.core.ClusterNode;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.stream.StreamReplica;
import io.jscluster.core.sync.FollowerCatchup;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A follower behind a stream snapshot whose snapshot catch-up fails in the middle: a cluster-reset
 * failure replays the snapshot into a new catch-up instead of leaving the replica desynced, and
 * Raft's applied index never passes what the replica really applied (the snapshot entry and the
 * entries queued behind it count only once the catch-up completed).
 */
class CatchupDesyncScenariosTest {

  static final long T = SnapshotScenariosTest.T;

  /** Kills a follower, publishes past a leader snapshot, restarts it and stops time right as its catch-up starts. */
  private static Setup behindSnapshot(InProcessCluster c) {
    c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
    ClusterScenariosTest.publishN(c, "TEST", "foo", 10);
    c.awaitCurrent("TEST", T);
    String victim = ClusterScenariosTest.aFollower(c, "TEST").name();
    c.kill(victim);
    ClusterScenariosTest.publishN(c, "TEST", "foo", 100);
    ClusterNode leader = c.awaitStreamLeader("TEST", T);
    long snapIndex = leader.replica("TEST").host().node().snapshotIndex();
    assertThat(snapIndex).as("leader snapshotted").isPositive();
    c.restart(victim);
    c.await(() -> c.node(victim).replica("TEST") != null
        && c.node(victim).replica("TEST").snapshotCatchup() != null, T, "snapshot catch-up on " + victim);
    // A leader contacts a restarted peer at once, so the snapshot can arrive before the entries
    // after it: let those reach the follower too (they queue behind the running catch-up).
    c.await(() -> c.node(victim).replica("TEST").host().node().lastIndex() > snapIndex, T,
        "entries after the snapshot on " + victim);
    assertThat(c.node(victim).replica("TEST").snapshotCatchup()).as("catch-up still running")
        .isNotNull();
    // Cut the follower off before the leader can serve it: the catch-up stalls.
    c.isolate(victim);
    return new Setup(victim, snapIndex);
  }

  private record Setup(String victim, long snapIndex) {}

  @Test
  @DisplayName("Go: TestJetStreamClusterDesyncAfterErrorDuringCatchup (a cluster-reset catch-up error replays the snapshot; no desync)")
  void desyncAfterErrorDuringCatchup() {
    try (InProcessCluster c = SnapshotScenariosTest.started(3, 82)) {
      Setup s = behindSnapshot(c);
      StreamReplica r = c.node(s.victim()).replica("TEST");
      FollowerCatchup first = r.snapshotCatchup();
      // Isolated, the follower loses its leader and its catch-up attempts run out.
      c.await(first::isDone, T, "the isolated catch-up to fail");
      assertThat(first.error()).isNotNull();
      assertThat(first.error().error().isClusterReset()).as("%s", first.error().error()).isTrue();
      assertThat(r.writeError()).as("a cluster reset does not stop applies").isNull();
      assertThat(r.host().node().appliedIndex()).as("applied index while the snapshot is replayed")
          .isLessThan(s.snapIndex());
      c.heal();
      ClusterScenariosTest.publishN(c, "TEST", "foo", 5);
      c.awaitCurrent("TEST", T);
      SnapshotScenariosTest.assertSameState(c, "TEST");
      assertThat(c.state(s.victim(), "TEST").msgs()).isEqualTo(115);
      assertThat(r.catchupsStarted()).as("the snapshot was replayed into a new catch-up").isGreaterThan(1);
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterDesyncAfterQuitDuringCatchup (applied index held below the snapshot until its catch-up completes)")
  void desyncAfterQuitDuringCatchup() {
    // Go stops the Raft node ("RAFT") or marks the server not running ("server") while the apply
    // loop is inside processSnapshot; here the host is stopped, or the whole node.
    for (boolean wholeNode : new boolean[] {false, true}) {
      try (InProcessCluster c = SnapshotScenariosTest.started(3, 81)) {
        Setup s = behindSnapshot(c);
        StreamReplica r = c.node(s.victim()).replica("TEST");
        FollowerCatchup m = r.snapshotCatchup();
        long before = r.host().node().appliedIndex();
        assertThat(before).as("applied before the snapshot").isLessThan(s.snapIndex());
        c.runFor(500);
        assertThat(r.host().node().lastIndex()).as("entries queued behind the snapshot")
            .isGreaterThan(s.snapIndex());
        assertThat(r.host().node().appliedIndex()).as("applied while the catch-up stalls").isEqualTo(before);
        assertThat(r.host().node().current(c.simulation().now())).isFalse();
        if (wholeNode) {
          c.stop(s.victim());
        } else {
          r.host().stop();
        }
        c.await(m::isDone, T, "the catch-up to end with the quit");
        c.runFor(1_000);
        assertThat(m.error()).isNotNull();
        assertThat(r.host().node().appliedIndex()).as("applied after the quit (%s)", m.error().error())
            .isEqualTo(before);
      }
    }
  }

  @Test
  @DisplayName("healed, the entries held behind a snapshot catch-up are confirmed applied once it completes")
  void heldAppliesAreConfirmedAfterTheCatchup() {
    try (InProcessCluster c = SnapshotScenariosTest.started(3, 81)) {
      Setup s = behindSnapshot(c);
      StreamReplica r = c.node(s.victim()).replica("TEST");
      c.runFor(500);
      assertThat(r.host().node().appliedIndex()).isLessThan(s.snapIndex());
      c.heal();
      c.awaitCurrent("TEST", T);
      assertThat(r.snapshotCatchup()).isNull();
      assertThat(r.host().node().appliedIndex()).isEqualTo(r.host().node().commitIndex());
      SnapshotScenariosTest.assertSameState(c, "TEST");
      assertThat(c.state(s.victim(), "TEST").msgs()).isEqualTo(110);
      assertThat(r.host().node().snapshotIndex()).isLessThanOrEqualTo(r.host().node().appliedIndex());
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterStreamLeaderStepsDownIfSnapshotCatchupRequired (the leader's store is emptied and"
      + " the snapshot holding its message replicated: the leader steps down, catches up and converges)")
  void streamLeaderStepsDownIfSnapshotCatchupRequired() {
    try (InProcessCluster c = ClusterScenariosTest.started(3, 83)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterScenariosTest.publishN(c, "TEST", "foo", 1);
      c.awaitCurrent("TEST", T);
      ClusterNode sl = c.awaitStreamLeader("TEST", T);
      StreamReplica r = sl.replica("TEST");
      byte[] snap = r.store().encodedState(r.clfs(), false);
      // Emptied while it stays Raft leader; then the snapshot with the message is replicated.
      r.store().truncate(0);
      assertThat(r.store().state().msgs()).isZero();
      long catchups = r.catchupsStarted();
      r.host().input(n -> n.sendSnapshot(c.simulation().now(), snap));
      c.awaitCurrent("TEST", T);
      assertThat(r.catchupsStarted()).as("the old leader caught up").isGreaterThan(catchups);
      assertThat(sl.isStreamLeader("TEST")).as("it stepped down to catch up").isFalse();
      assertThat(c.state(sl.name(), "TEST").msgs()).isEqualTo(1);
      ClusterScenariosTest.assertReplicasIdentical(c, "TEST");
      assertThat(r.host().node().appliedIndex()).isEqualTo(r.host().node().commitIndex());
      ClusterScenariosTest.publishN(c, "TEST", "foo", 1);
      c.awaitCurrent("TEST", T);
      ClusterScenariosTest.assertReplicasIdentical(c, "TEST");
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterDesyncAfterErrorDuringCatchup, leader-election half (a cluster-reset catch-up"
      + " error with the leader up, then with it stopped first: the replica keeps its state, so the outdated server"
      + " restarted beside it never leads)")
  void desyncAfterErrorDuringCatchupOutdatedServerNeverLeads() {
    outdatedServerNeverLeads(false, false, 84);
    outdatedServerNeverLeads(true, false, 85);
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterDesyncAfterErrorDuringCatchup/AbortedNoLeader (a snapshot processed while"
      + " the replica knows no leader aborts its catch-up with a cluster-reset error; state kept, the outdated"
      + " server restarted beside it never leads)")
  void desyncAfterErrorDuringCatchupAbortedNoLeader() {
    outdatedServerNeverLeads(true, true, 86);
  }

  /**
   * Go's script: three servers, ten messages, the "outdated" server stopped, ten more, then the
   * stream leader stopped; the "reset" server ends a snapshot catch-up with a cluster-reset error
   * (Go calls processSnapshot with a snapshot far ahead of every store), before or after the leader
   * stopped; only the outdated server restarts, and it must not become leader. The leader that
   * cannot serve the snapshot makes the attempts run out (TOO_MANY_RETRIES); so does a stopped
   * leader that a follower keeps naming while its pre-votes (a jscluster extension) fail. Go's
   * AbortedNoLeader sub-test clears the known leader inside Raft instead; with {@code noLeaderKnown}
   * the reset server is restarted after the leader stopped, so its Raft node has heard of no leader
   * when the snapshot comes, and the catch-up aborts (ABORTED_NO_LEADER).
   */
  private static void outdatedServerNeverLeads(boolean leaderStoppedFirst, boolean noLeaderKnown, long seed) {
    System.out.println("DesyncAfterErrorDuringCatchup leaderStoppedFirst=" + leaderStoppedFirst + " noLeaderKnown="
        + noLeaderKnown + " seed " + seed);
    // With no leader known, the reset server restarts: two more servers keep the meta group's quorum
    // so its replica comes back (Go's three servers never restart it).
    try (InProcessCluster c = ClusterScenariosTest.started(noLeaderKnown ? 5 : 3, seed)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterNode leader = c.awaitStreamLeader("TEST", T);
      java.util.List<String> others = new java.util.ArrayList<>();
      for (ClusterNode n : c.replicas("TEST")) {
        others.add(n.name());
      }
      others.remove(leader.name());
      ClusterScenariosTest.publishN(c, "TEST", "foo", 10);
      String outdated = others.get(0);
      String reset = others.get(1);
      c.kill(outdated);
      // Ten more messages: the outdated server misses them.
      ClusterScenariosTest.publishN(c, "TEST", "foo", 10);
      c.awaitSequence("TEST", 20, T);
      StreamReplica r = c.node(reset).replica("TEST");
      assertThat(r.snapshotNow()).as("the reset server has a snapshot of its own to replay").isTrue();
      if (leaderStoppedFirst) {
        c.kill(leader.name());
      }
      if (noLeaderKnown) {
        c.kill(reset);
        c.restart(reset);
        c.await(() -> c.node(reset).replica("TEST") != null, T, "the reset server's replica");
        c.runFor(1_000);
        r = c.node(reset).replica("TEST");
        assertThat(r.host().node().leaderless()).as("no leader known after the restart").isTrue();
        assertThat(c.state(reset, "TEST").lastSeq()).isEqualTo(20);
      }

      // A snapshot far ahead (last sequence 1,000) that no leader can serve.
      io.jscluster.core.store.MemoryStreamStore ahead = new io.jscluster.core.store.MemoryStreamStore(
          io.jscluster.core.store.StreamLimits.NONE, () -> 1L);
      for (int i = 0; i < 1_000; i++) {
        ahead.store("foo", null, null);
      }
      byte[] snap = ahead.encodedState(0, false);
      ahead.close();
      long started = r.catchupsStarted();
      r.committed(new io.jscluster.raft.CommittedEntry(r.host().node().appliedIndex(), java.util.List.of(
          new io.jscluster.raft.wire.Entry(io.jscluster.raft.wire.EntryType.SNAPSHOT, snap))));
      FollowerCatchup m = r.lastSnapshotCatchup();
      assertThat(r.catchupsStarted()).isGreaterThan(started);
      c.await(m::isDone, T, "the catch-up to fail");
      assertThat(m.error()).isNotNull();
      System.out.println("DesyncAfterErrorDuringCatchup seed " + seed + ": catch-up ended with " + m.error().error());
      assertThat(m.error().error().isClusterReset()).as("%s", m.error().error()).isTrue();
      if (noLeaderKnown) {
        assertThat(m.error().error()).isEqualTo(io.jscluster.core.sync.CatchupError.ABORTED_NO_LEADER);
      }
      assertThat(r.writeError()).isNull();
      if (!leaderStoppedFirst) {
        c.kill(leader.name());
      }
      assertThat(c.state(reset, "TEST").lastSeq()).as("good state kept").isEqualTo(20);

      // The stream leader stays down; only the outdated server comes back.
      c.restart(outdated);
      ClusterNode newLeader = c.awaitStreamLeader("TEST", T);
      assertThat(newLeader.name()).as("the outdated server must not lead").isEqualTo(reset);
      c.awaitSequence("TEST", 20, T);
      assertThat(c.state(outdated, "TEST").lastSeq()).isEqualTo(20);
      ClusterScenariosTest.publishN(c, "TEST", "foo", 1);
      c.awaitSequence("TEST", 21, T);
      assertThat(c.state(outdated, "TEST").msgs()).isEqualTo(21);
      assertThat(c.state(reset, "TEST").msgs()).isEqualTo(21);
    }
  }
}
