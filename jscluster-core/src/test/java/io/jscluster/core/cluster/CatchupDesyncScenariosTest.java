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
}
