package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.ops.PurgeRequest;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.store.StreamState;
import io.jscluster.core.stream.SnapshotPolicy;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Stream snapshots in Raft and the snapshot catch-up on the in-process cluster. */
class SnapshotScenariosTest {

  static final long T = 120_000;
  /** Small thresholds so tests snapshot after a few dozen entries. */
  static final SnapshotPolicy SMALL = new SnapshotPolicy(40, 1L << 30, 30_000, 0);

  static InProcessCluster started(int nodes, long seed) {
    InProcessCluster c = InProcessCluster.builder().nodes(nodes).seed(seed).snapshotPolicy(SMALL).build();
    c.start();
    c.awaitMetaLeader(T);
    return c;
  }

  static void assertSameState(InProcessCluster c, String stream) {
    ClusterNode l = c.streamLeader(stream);
    StreamState ref = l.replica(stream).store().state();
    long[] refDeleted = l.replica(stream).store().deletedSequences();
    for (ClusterNode n : c.replicas(stream)) {
      StreamState s = n.replica(stream).store().state();
      assertThat(s.msgs()).as("msgs on %s", n.name()).isEqualTo(ref.msgs());
      assertThat(s.firstSeq()).as("first on %s", n.name()).isEqualTo(ref.firstSeq());
      assertThat(s.lastSeq()).as("last on %s", n.name()).isEqualTo(ref.lastSeq());
      assertThat(Arrays.equals(n.replica(stream).store().deletedSequences(), refDeleted)).as("deleted on %s",
          n.name()).isTrue();
    }
    ClusterScenariosTest.assertReplicasIdentical(c, stream);
  }

  @Test
  @DisplayName("After a failed snapshot the timer retries within 15 s (nats-server's compactMinInterval), not at the 2-minute interval")
  void failedSnapshotRetriesAfterTheMinimumInterval() {
    SnapshotPolicy p = new SnapshotPolicy(40, 1L << 30, 120_000, 0);
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(91).snapshotPolicy(p).build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterNode l = c.awaitStreamLeader("TEST", T);
      ClusterScenariosTest.publishN(c, "TEST", "foo", 5);
      io.jscluster.core.stream.StreamReplica r = l.replica("TEST");
      // An open checkpoint makes the threshold snapshot fail (SNAPSHOT_IN_PROGRESS).
      io.jscluster.raft.SnapshotCheckpoint[] cp = new io.jscluster.raft.SnapshotCheckpoint[1];
      r.host().input(n -> cp[0] = n.createSnapshotCheckpoint(c.simulation().now(), false));
      long taken = r.snapshotsTaken();
      ClusterScenariosTest.publishN(c, "TEST", "foo", 50);
      assertThat(r.snapshotsTaken()).as("the threshold snapshot failed").isEqualTo(taken);
      r.host().input(n -> cp[0].abort());
      long t0 = c.simulation().now();
      // After a failure only the timer retries; more publishes do not.
      ClusterScenariosTest.publishN(c, "TEST", "foo", 50);
      assertThat(r.snapshotsTaken()).isEqualTo(taken);
      assertThat(c.runUntil(() -> r.snapshotsTaken() > taken, 60_000)).as("retried within 60 s").isTrue();
      assertThat(c.simulation().now() - t0).isBetween(10_000L, 16_000L);
      // Back on the regular interval: the next timer snapshot is two minutes away.
      ClusterScenariosTest.publishN(c, "TEST", "foo", 10);
      long after = r.snapshotsTaken();
      c.runFor(60_000);
      assertThat(r.snapshotsTaken()).isEqualTo(after);
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterStreamSnapshotCatchup (deletes before and after a leader snapshot reach a restarted follower)")
  void snapshotCatchup() {
    try (InProcessCluster c = started(3, 71)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterScenariosTest.publishN(c, "TEST", "foo", 30);
      ClusterNode l = c.awaitStreamLeader("TEST", T);
      for (long q : new long[] {2, 5, 9}) {
        assertThat(c.await(l.deleteMessage("TEST", q, false), T)).isTrue();
      }
      c.awaitCurrent("TEST", T);
      String victim = ClusterScenariosTest.aFollower(c, "TEST").name();
      c.kill(victim);
      ClusterScenariosTest.publishN(c, "TEST", "foo", 100);
      l = c.awaitStreamLeader("TEST", T);
      for (long q : new long[] {40, 41, 100}) {
        assertThat(c.await(l.deleteMessage("TEST", q, false), T)).isTrue();
      }
      ClusterScenariosTest.publishN(c, "TEST", "foo", 60);
      ClusterNode leader = c.awaitStreamLeader("TEST", T);
      assertThat(leader.replica("TEST").snapshotsTaken()).isPositive();
      assertThat(leader.replica("TEST").host().node().snapshotIndex()).isPositive();
      c.restart(victim);
      c.awaitCurrent("TEST", T);
      assertSameState(c, "TEST");
      assertThat(c.state(victim, "TEST").msgs()).isEqualTo(190 - 6);
      assertThat(c.node(victim).replica("TEST").catchupsStarted()).isPositive();
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterStreamSnapshotCatchupWithPurge (a purge while the follower recovers from a snapshot)")
  void snapshotCatchupWithPurge() {
    try (InProcessCluster c = started(3, 72)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterScenariosTest.publishN(c, "TEST", "foo", 20);
      c.awaitCurrent("TEST", T);
      String victim = ClusterScenariosTest.aFollower(c, "TEST").name();
      c.kill(victim);
      ClusterScenariosTest.publishN(c, "TEST", "foo", 200);
      c.restart(victim);
      ClusterNode l = c.awaitStreamLeader("TEST", T);
      c.await(l.purge("TEST", (PurgeRequest) null), T);
      ClusterScenariosTest.publishN(c, "TEST", "foo", 10);
      c.awaitCurrent("TEST", T);
      assertSameState(c, "TEST");
      assertThat(c.node(victim).replica("TEST").catchupsStarted()).isPositive();
      // The stream stays usable after its leader dies.
      c.kill(c.streamLeader("TEST").name());
      ClusterScenariosTest.publishN(c, "TEST", "foo", 5);
      assertThat(c.streamLeader("TEST").replica("TEST").store().state().msgs()).isEqualTo(15);
    }
  }

  @Test
  @DisplayName("A whole-cluster restart after meta and stream snapshots keeps every stream and message")
  void fullRestartFromSnapshots(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(73).fileStorage(dir).snapshotPolicy(SMALL)
        .build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("A").subjects("a").replicas(3)
          .storage(io.jscluster.codec.meta.StorageType.FILE).build());
      c.createStream(StreamConfigs.builder("B").subjects("b").replicas(1)
          .storage(io.jscluster.codec.meta.StorageType.FILE).build());
      ClusterScenariosTest.publishN(c, "A", "a", 120);
      ClusterScenariosTest.publishN(c, "B", "b", 7);
      c.runFor(65_000);
      long metaSnaps = 0;
      for (ClusterNode n : c.liveNodes()) {
        metaSnaps += n.metaSnapshots();
        assertThat(n.metaHost().node().snapshotIndex()).as("meta snapshot on %s", n.name()).isPositive();
      }
      assertThat(metaSnaps).isPositive();
      for (String n : c.names()) {
        c.kill(n);
      }
      c.start();
      c.awaitMetaLeader(T);
      c.awaitCurrent("A", T);
      c.awaitStreamLeader("B", T);
      assertSameState(c, "A");
      assertThat(c.streamLeader("A").replica("A").store().state().msgs()).isEqualTo(120);
      assertThat(c.streamLeader("B").replica("B").store().state().msgs()).isEqualTo(7);
      for (ClusterNode n : c.liveNodes()) {
        assertThat(n.assignments()).containsKeys("A", "B");
      }
    }
  }
}
