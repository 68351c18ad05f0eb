package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.FileNodeStorage;
import io.jscluster.core.Headers;
import io.jscluster.core.PubAck;
import io.jscluster.core.StreamConfigs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** §8 catalogue scenarios that need stream snapshots in Raft, on the in-process cluster. */
class SnapshotCatalogueTest {

  static final long T = 120_000;

  static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterBinaryStreamSnapshotCapability")
  void binarySnapshotCapability() {
    try (InProcessCluster c = SnapshotScenariosTest.started(3, 81)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      c.awaitCurrent("TEST", T);
      for (ClusterNode n : c.replicas("TEST")) {
        assertThat(n.supportsBinarySnapshot("TEST")).as(n.name()).isTrue();
      }
      ClusterScenariosTest.publishN(c, "TEST", "foo", 60);
      // The snapshots taken are the binary stream state (magic 42).
      ClusterNode l = c.streamLeader("TEST");
      assertThat(l.replica("TEST").snapshotsTaken()).isPositive();
      assertThat(l.replica("TEST").host().node().loadLastSnapshot().data()[0]).isEqualTo((byte) 42);
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterStreamCatchupNoState (leader's snapshots and log, and the follower's whole Raft state, removed)")
  void catchupNoState(@TempDir Path dir) {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(82).fileStorage(dir)
        .snapshotPolicy(SnapshotScenariosTest.SMALL).build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(2).storage(StorageType.FILE).build());
      ClusterScenariosTest.publishN(c, "TEST", "foo", 100);
      c.awaitCurrent("TEST", T);
      ClusterNode l = c.streamLeader("TEST");
      assertThat(l.replica("TEST").snapshotsTaken()).isPositive();
      String group = l.assignments().get("TEST").group().name();
      String leader = l.name();
      String follower = ClusterScenariosTest.aFollower(c, "TEST").name();
      for (String n : c.names()) {
        c.kill(n);
      }
      FileNodeStorage ls = (FileNodeStorage) c.storage(leader);
      deleteTree(ls.groupDir(group).resolve("snapshots"));
      deleteTree(ls.groupDir(group).resolve("wal"));
      deleteTree(((FileNodeStorage) c.storage(follower)).groupDir(group));
      c.start();
      c.awaitMetaLeader(T);
      c.awaitCurrent("TEST", T);
      PubAck a = c.publish("TEST", "foo", ClusterScenariosTest.b("next"));
      assertThat(a.seq()).isEqualTo(101);
      c.awaitCurrent("TEST", T);
      ClusterScenariosTest.assertReplicasIdentical(c, "TEST");
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterStreamUpdateSyncBug (an update keeps sync; a catch-up after a snapshot with deletes converges)")
  void updateSyncBug() {
    try (InProcessCluster c = SnapshotScenariosTest.started(3, 83)) {
      var cfg = StreamConfigs.builder("TEST").subjects("foo", "bar").replicas(3).build();
      String sync = c.createStream(cfg).sync();
      ClusterScenariosTest.publishN(c, "TEST", "foo", 20);
      String victim = ClusterScenariosTest.aFollower(c, "TEST").name();
      c.kill(victim);
      assertThat(c.updateStream(StreamConfigs.builder("TEST").subjects("foo", "bar", "baz").replicas(3).build())
          .sync()).isEqualTo(sync);
      ClusterScenariosTest.publishN(c, "TEST", "bar", 100);
      ClusterNode l = c.awaitStreamLeader("TEST", T);
      for (long q = 3; q < 100; q += 7) {
        c.await(l.deleteMessage("TEST", q, false), T);
      }
      ClusterScenariosTest.publishN(c, "TEST", "foo", 50);
      c.restart(victim);
      c.awaitCurrent("TEST", T);
      assertThat(c.node(victim).replica("TEST").catchupsStarted()).isPositive();
      SnapshotScenariosTest.assertSameState(c, "TEST");
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterDuplicateMsgIdsOnCatchupAndLeaderTakeover")
  void duplicateMsgIdsOnCatchupAndLeaderTakeover() {
    try (InProcessCluster c = SnapshotScenariosTest.started(3, 84)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterScenariosTest.publishN(c, "TEST", "foo", 5);
      String victim = ClusterScenariosTest.aFollower(c, "TEST").name();
      c.kill(victim);
      for (int i = 0; i < 80; i++) {
        assertThat(c.publish("TEST", "foo", Headers.of(Headers.MSG_ID, "id-" + i), ClusterScenariosTest.b("x")).isOk())
            .isTrue();
      }
      c.restart(victim);
      c.awaitCurrent("TEST", T);
      assertThat(c.node(victim).replica("TEST").catchupsStarted()).isPositive();
      // Make the caught-up node the leader: the ids it learned through the catch-up are known.
      for (String n : c.names()) {
        if (!n.equals(victim)) {
          c.kill(n);
          c.restart(n);
        }
      }
      c.await(() -> c.streamLeader("TEST") != null, T, "a leader");
      int tries = 0;
      while (!c.streamLeader("TEST").name().equals(victim) && tries++ < 10) {
        c.streamLeader("TEST").stepDownStream("TEST");
        c.awaitStreamLeader("TEST", T);
      }
      assertThat(c.streamLeader("TEST").name()).isEqualTo(victim);
      PubAck dup = c.publish("TEST", "foo", Headers.of(Headers.MSG_ID, "id-79"), ClusterScenariosTest.b("x"));
      assertThat(dup.duplicate()).isTrue();
      assertThat(dup.seq()).isEqualTo(85);
    }
  }

  @Test
  @DisplayName("Go: TestNoRaceJetStreamClusterStreamDropCLFS (snapshot and restart with CLFS do not reset the stream)")
  void dropClfs() {
    try (InProcessCluster c = SnapshotScenariosTest.started(3, 85)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      List<Long> seqs = new ArrayList<>();
      for (int i = 0; i < 120; i++) {
        byte[] h = i % 9 == 4 ? Headers.of(Headers.EXPECTED_LAST_MSG_ID, "nope") : Headers.of(Headers.MSG_ID, "u" + i);
        PubAck a = c.publish("TEST", "foo", h, ClusterScenariosTest.b("m" + i));
        if (a.isOk()) {
          seqs.add(a.seq());
        }
      }
      c.awaitCurrent("TEST", T);
      ClusterNode l = c.streamLeader("TEST");
      long clfs = l.replica("TEST").clfs();
      assertThat(clfs).isPositive();
      assertThat(l.replica("TEST").snapshotsTaken()).isPositive();
      for (String n : c.names()) {
        c.kill(n);
      }
      c.start();
      c.awaitMetaLeader(T);
      c.awaitCurrent("TEST", T);
      for (ClusterNode n : c.replicas("TEST")) {
        assertThat(n.replica("TEST").clfs()).as(n.name()).isEqualTo(clfs);
        assertThat(n.replica("TEST").desyncs()).as(n.name()).isZero();
        assertThat(n.replica("TEST").store().state().msgs()).as(n.name()).isEqualTo(seqs.size());
      }
      assertThat(c.publish("TEST", "foo", ClusterScenariosTest.b("after")).seq()).isEqualTo(seqs.size() + 1);
      c.awaitCurrent("TEST", T);
      ClusterScenariosTest.assertReplicasIdentical(c, "TEST");
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterStreamFailTrackingSnapshots (CLFS through snapshots, restart, leader moves and a scale-down)")
  void failTrackingSnapshots() {
    try (InProcessCluster c = SnapshotScenariosTest.started(5, 86)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(5).build());
      List<Long> seqs = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        byte[] h = i % 11 == 5 ? Headers.of(Headers.EXPECTED_LAST_MSG_ID, "nope") : Headers.of(Headers.MSG_ID, "u" + i);
        PubAck a = c.publish("TEST", "foo", h, ClusterScenariosTest.b("m" + i));
        if (a.isOk()) {
          seqs.add(a.seq());
        }
        if (i % 60 == 59) {
          c.streamLeader("TEST").stepDownStream("TEST");
          c.awaitStreamLeader("TEST", T);
        }
      }
      c.awaitCurrent("TEST", T);
      long clfs = c.streamLeader("TEST").replica("TEST").clfs();
      c.restart(ClusterScenariosTest.aFollower(c, "TEST").name());
      c.awaitCurrent("TEST", T);
      c.updateStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      c.awaitMigrated("TEST", T);
      for (ClusterNode n : c.replicas("TEST")) {
        assertThat(n.replica("TEST").clfs()).as(n.name()).isEqualTo(clfs);
        for (int i = 0; i < seqs.size(); i++) {
          // The order of the unique messages is intact: the i-th accepted one is at its sequence.
          assertThat(n.getMessage("TEST", seqs.get(i))).as("seq %d on %s", seqs.get(i), n.name()).isNotNull();
        }
      }
      assertThat(c.publish("TEST", "foo", ClusterScenariosTest.b("after")).seq()).isEqualTo(seqs.size() + 1);
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterStreamHealthCheckStreamCatchup")
  void healthCheckStreamCatchup() {
    try (InProcessCluster c = SnapshotScenariosTest.started(3, 87)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterScenariosTest.publishN(c, "TEST", "foo", 5);
      c.awaitCurrent("TEST", T);
      assertThat(c.streamLeader("TEST").streamHealth("TEST")).isNull();
      ClusterNode f = ClusterScenariosTest.aFollower(c, "TEST");
      assertThat(f.streamHealth("TEST")).isNull();
      // A follower cut off from its leader reports an unhealthy node...
      c.isolate(f.name());
      c.runFor(15_000);
      assertThat(f.streamHealth("TEST")).isEqualTo("group node unhealthy");
      // ...but a catch-up in progress takes precedence.
      f.replica("TEST").catchupState().setCatchingUp();
      assertThat(f.streamHealth("TEST")).isEqualTo("stream catching up");
      f.replica("TEST").catchupState().clearCatchingUp();
      c.heal();
      c.awaitCurrent("TEST", T);
      assertThat(f.streamHealth("TEST")).isNull();
    }
  }

  @Test
  @DisplayName("A snapshot catch-up that loses its leader mid-run finishes from the next leader with nothing lost")
  void catchupSurvivesLeaderChange() {
    try (InProcessCluster c = SnapshotScenariosTest.started(3, 88)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterScenariosTest.publishN(c, "TEST", "foo", 10);
      String victim = ClusterScenariosTest.aFollower(c, "TEST").name();
      c.kill(victim);
      ClusterScenariosTest.publishN(c, "TEST", "foo", 400);
      // A slow link keeps the catch-up running long enough to lose its leader in the middle.
      c.slow(victim, 40);
      c.restart(victim);
      c.await(() -> c.node(victim).replica("TEST") != null
          && c.node(victim).replica("TEST").snapshotCatchup() != null, T, "a snapshot catch-up");
      c.kill(c.awaitStreamLeader("TEST", T).name());
      c.heal();
      c.start();
      c.awaitCurrent("TEST", T);
      assertThat(c.state(victim, "TEST").msgs()).isEqualTo(410);
      SnapshotScenariosTest.assertSameState(c, "TEST");
    }
  }
}
