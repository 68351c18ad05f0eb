package io.jscluster.core.cluster;

import static io.jscluster.core.cluster.ClusterScenariosTest.T;
import static io.jscluster.core.cluster.ClusterScenariosTest.assertReplicasIdentical;
import static io.jscluster.core.cluster.ClusterScenariosTest.b;
import static io.jscluster.core.cluster.ClusterScenariosTest.publishN;
import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.core.ClusterNode;
import io.jscluster.core.Headers;
import io.jscluster.core.PubAck;
import io.jscluster.core.StreamConfigs;
import io.jscluster.raft.log.FsyncPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File storage with forces off the node's thread ({@code FileNodeStorage#withBackgroundWalSync}),
 * in virtual time: each background force completes a fixed latency after it was requested, so
 * anything the node let out before its forces completed would show up early.
 */
class BackgroundForcesTest {

  private static InProcessCluster cluster(Path dir, long seed, long latency) {
    return InProcessCluster.builder().nodes(3).seed(seed).fileStorage(dir).walFsync(FsyncPolicy.ON_SYNC)
        .backgroundForces(latency).build();
  }

  @Test
  @DisplayName("An ack waits for the leader's WAL force, a follower's WAL force and the leader's store force")
  void ackFollowsEveryForce(@TempDir Path dir) {
    long latency = 200;
    try (InProcessCluster c = cluster(dir, 71, latency)) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      c.awaitStreamLeader("TEST", T);
      ClusterNode l = c.streamLeader("TEST");
      long t0 = c.simulation().now();
      CompletableFuture<PubAck> f = l.publish("TEST", "foo", null, b("one"));
      c.runUntil(f::isDone, T);
      assertThat(f.join().isOk()).isTrue();
      // The leader's WAL force (overlapping the follower's) completes before the commit can be
      // applied, and the store force of the applying batch starts only after that.
      assertThat(c.simulation().now() - t0).isGreaterThanOrEqualTo(2 * latency);
      publishN(c, "TEST", "foo", 50);
      c.awaitCurrent("TEST", T);
      assertReplicasIdentical(c, "TEST");
    }
  }

  @Test
  @DisplayName("The leader's next append entry goes out while its previous WAL force still runs")
  void leaderReplicatesDuringItsOwnForce(@TempDir Path dir) {
    long latency = 200;
    try (InProcessCluster c = cluster(dir, 74, latency)) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      c.awaitStreamLeader("TEST", T);
      publishN(c, "TEST", "foo", 3);
      ClusterNode l = c.streamLeader("TEST");
      ClusterNode f = ClusterScenariosTest.aFollower(c, "TEST");
      long t0 = c.simulation().now();
      CompletableFuture<PubAck> first = l.publish("TEST", "foo", null, b("one"));
      c.runFor(latency / 4);
      assertThat(first).isNotDone();
      CompletableFuture<PubAck> second = l.publish("TEST", "foo", null, b("two"));
      long target = l.replica("TEST").host().node().lastIndex() + 1;
      c.runUntil(() -> f.replica("TEST").host().node().lastIndex() >= target, T);
      // Before this change the second entry waited for the leader's first force.
      assertThat(c.simulation().now() - t0).as("the follower stored the second entry").isLessThan(latency);
      c.runUntil(second::isDone, T);
      assertThat(first.join().isOk()).isTrue();
      assertThat(second.join().seq()).isEqualTo(first.join().seq() + 1);
      c.awaitCurrent("TEST", T);
      assertReplicasIdentical(c, "TEST");
    }
  }

  @Test
  @DisplayName("A threshold snapshot is installed only after the store force that makes its state durable, while the node goes on")
  void thresholdSnapshotWaitsForTheStoreForce(@TempDir Path dir) {
    long latency = 300;
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(75).fileStorage(dir)
        .walFsync(FsyncPolicy.ON_SYNC).backgroundForces(latency).snapshotPolicy(SnapshotScenariosTest.SMALL)
        .build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      c.awaitStreamLeader("TEST", T);
      ClusterNode l = c.streamLeader("TEST");
      io.jscluster.core.stream.StreamReplica r = l.replica("TEST");
      long before = r.snapshotsTaken();
      long indexBefore = r.host().node().snapshotIndex();
      List<CompletableFuture<PubAck>> acks = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        acks.add(l.publish("TEST", "foo", null, b("m" + i)));
      }
      assertThat(c.runUntil(r::snapshotPending, T)).as("a snapshot crossed the threshold").isTrue();
      long t1 = c.simulation().now();
      // Taken but not installed: Raft kept every entry it covers.
      assertThat(r.snapshotsTaken()).isEqualTo(before);
      assertThat(r.host().node().snapshotIndex()).isEqualTo(indexBefore);
      // No store force ran on the node's thread: one force takes `latency`, and nothing waited here.
      c.runFor(latency / 3);
      assertThat(r.snapshotPending()).isTrue();
      assertThat(r.snapshotsTaken()).isEqualTo(before);
      assertThat(c.runUntil(() -> r.snapshotsTaken() > before, T)).isTrue();
      assertThat(c.simulation().now() - t1).isGreaterThanOrEqualTo(latency / 3);
      assertThat(r.snapshotPending()).isFalse();
      assertThat(r.host().node().snapshotIndex()).isGreaterThan(indexBefore);
      c.runUntil(() -> acks.stream().allMatch(CompletableFuture::isDone), T);
      assertThat(acks).allMatch(f -> f.join().isOk());
      // A synchronous snapshot (snapshotNow) still installs at once.
      publishN(c, "TEST", "foo", 5);
      c.runUntil(() -> !r.snapshotPending(), T);
      long taken = r.snapshotsTaken();
      assertThat(r.snapshotNow()).isTrue();
      assertThat(r.snapshotsTaken()).isEqualTo(taken + 1);
      c.awaitCurrent("TEST", T);
      assertReplicasIdentical(c, "TEST");
    }
  }

  /** Staged snapshot files ({@code *.staged.tmp}) anywhere under {@code dir}. */
  private static long stagedSnapshotFiles(Path dir) {
    try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".staged.tmp")).count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  @DisplayName("A threshold snapshot's file is written by the snapshot writer after the store force, then adopted")
  void thresholdSnapshotFileIsWrittenOffTheNodeThread(@TempDir Path dir) {
    long latency = 300;
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(76).fileStorage(dir)
        .walFsync(FsyncPolicy.ON_SYNC).backgroundForces(latency).snapshotPolicy(SnapshotScenariosTest.SMALL)
        .build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      c.awaitStreamLeader("TEST", T);
      ClusterNode l = c.streamLeader("TEST");
      io.jscluster.core.stream.StreamReplica r = l.replica("TEST");
      long before = r.snapshotsTaken();
      long indexBefore = r.host().node().snapshotIndex();
      List<CompletableFuture<PubAck>> acks = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        acks.add(l.publish("TEST", "foo", null, b("m" + i)));
      }
      assertThat(c.runUntil(r::snapshotPending, T)).as("a snapshot crossed the threshold").isTrue();
      long t1 = c.simulation().now();
      // The store force (one latency), then the file write (another): written, not yet adopted.
      assertThat(c.runUntil(() -> stagedSnapshotFiles(dir) > 0, T)).as("a staged snapshot file").isTrue();
      assertThat(r.snapshotPending()).isTrue();
      assertThat(r.snapshotsTaken()).isEqualTo(before);
      assertThat(r.host().node().snapshotIndex()).isEqualTo(indexBefore);
      assertThat(c.runUntil(() -> r.snapshotsTaken() > before, T)).isTrue();
      assertThat(c.simulation().now() - t1).isGreaterThanOrEqualTo(2 * latency);
      assertThat(r.host().node().snapshotIndex()).isGreaterThan(indexBefore);
      c.runUntil(() -> acks.stream().allMatch(CompletableFuture::isDone), T);
      assertThat(acks).allMatch(f -> f.join().isOk());
      c.awaitCurrent("TEST", T);
      assertReplicasIdentical(c, "TEST");
    }
  }

  @Test
  @DisplayName("A synchronous snapshot taken while a threshold snapshot's file is written replaces it; the staged file is discarded")
  void synchronousSnapshotDuringTheFileWriteWins(@TempDir Path dir) {
    long latency = 300;
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(77).fileStorage(dir)
        .walFsync(FsyncPolicy.ON_SYNC).backgroundForces(latency).snapshotPolicy(SnapshotScenariosTest.SMALL)
        .build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      c.awaitStreamLeader("TEST", T);
      ClusterNode l = c.streamLeader("TEST");
      io.jscluster.core.stream.StreamReplica r = l.replica("TEST");
      List<CompletableFuture<PubAck>> acks = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        acks.add(l.publish("TEST", "foo", null, b("m" + i)));
      }
      assertThat(c.runUntil(() -> stagedSnapshotFiles(dir.resolve(l.name())) > 0, T)).isTrue();
      long taken = r.snapshotsTaken();
      assertThat(r.snapshotNow()).isTrue();
      long index = r.host().node().snapshotIndex();
      assertThat(r.snapshotsTaken()).isEqualTo(taken + 1);
      // The write ends; its adoption finds the checkpoint aborted and deletes the staged file.
      assertThat(c.runUntil(() -> !r.snapshotPending() && stagedSnapshotFiles(dir.resolve(l.name())) == 0, T))
          .isTrue();
      assertThat(r.snapshotsTaken()).isEqualTo(taken + 1);
      assertThat(r.host().node().snapshotIndex()).isGreaterThanOrEqualTo(index);
      c.runUntil(() -> acks.stream().allMatch(CompletableFuture::isDone), T);
      assertThat(acks).allMatch(f -> f.join().isOk());
      publishN(c, "TEST", "foo", 5);
      c.awaitCurrent("TEST", T);
      assertReplicasIdentical(c, "TEST");
    }
  }

  @Test
  @DisplayName("Losing power on every node with background forces and frequent snapshots loses no acknowledged message (Jepsen 2025, failure b)")
  void powerLossWithBackgroundForcesAndSmallSnapshots() {
    io.jscluster.testing.SeedRange seeds = io.jscluster.testing.SeedRange.fromSystemProperties(3);
    for (int i = 0; i < seeds.count(); i++) {
      long seed = seeds.seed(i);
      System.out.println("BackgroundForces small-snapshot power-loss seed " + seed);
      PowerLossCampaignTest.Outcome o = PowerLossCampaignTest.run(seed,
          InProcessCluster.builder().backgroundForces(40).snapshotPolicy(PowerLossCampaignTest.SMALL_SNAPSHOTS));
      assertThat(o.violations()).as("seed %d; replay with -Djscluster.sim.seedStart=%d -Djscluster.sim.seeds=1",
          seed, seed).isEmpty();
      assertThat(o.acked()).isNotEmpty();
      assertThat(o.powerLosses()).isPositive();
    }
  }

  @Test
  @DisplayName("Killing every node at once with background forces loses no acknowledged message (Jepsen 2025, failure b, process crash)")
  void killAllWithBackgroundForces(@TempDir Path dir) {
    try (InProcessCluster c = cluster(dir, 72, 3)) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      c.awaitStreamLeader("TEST", T);
      List<CompletableFuture<PubAck>> pending = new ArrayList<>();
      ClusterNode l = c.streamLeader("TEST");
      for (int i = 0; i < 300; i++) {
        pending.add(l.publish("TEST", "foo", Headers.of(Headers.MSG_ID, "k" + i), b("m" + i)));
      }
      c.runUntil(() -> pending.get(150).isDone(), T);
      long acked = pending.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally() && f.join().isOk())
          .count();
      for (String n : c.names()) {
        c.kill(n);
      }
      c.start();
      c.awaitMetaLeader(T);
      c.awaitStreamLeader("TEST", T);
      c.awaitCurrent("TEST", T);
      for (int i = 0; i < pending.size(); i++) {
        CompletableFuture<PubAck> f = pending.get(i);
        if (f.isDone() && !f.isCompletedExceptionally() && f.join().isOk()) {
          long seq = f.join().seq();
          for (ClusterNode n : c.replicas("TEST")) {
            assertThat(Headers.get(n.getMessage("TEST", seq).header(), Headers.MSG_ID)).isEqualTo("k" + i);
          }
        }
      }
      assertThat(acked).isGreaterThan(100);
      long last = c.state("n1", "TEST").lastSeq();
      assertThat(c.publish("TEST", "foo", b("after")).seq()).isEqualTo(last + 1);
      c.awaitCurrent("TEST", T);
      assertReplicasIdentical(c, "TEST");
    }
  }

  @Test
  @DisplayName("With background forces a follower restarted behind the leader catches up and the stream keeps one history")
  void followerRestartWithBackgroundForces(@TempDir Path dir) {
    try (InProcessCluster c = cluster(dir, 73, 5)) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      publishN(c, "TEST", "foo", 40);
      ClusterNode f = ClusterScenariosTest.aFollower(c, "TEST");
      c.kill(f.name());
      publishN(c, "TEST", "foo", 40);
      c.restart(f.name());
      c.awaitCurrent("TEST", T);
      assertReplicasIdentical(c, "TEST");
      assertThat(c.state(f.name(), "TEST").msgs()).isEqualTo(80);
    }
  }

  @Test
  @DisplayName("Losing power on every node at once with background WAL forces loses no acknowledged message (Jepsen 2025, failure b)")
  void powerLossWithBackgroundForces() {
    io.jscluster.testing.SeedRange seeds = io.jscluster.testing.SeedRange.fromSystemProperties(4);
    for (int i = 0; i < seeds.count(); i++) {
      long seed = seeds.seed(i);
      System.out.println("BackgroundForces power-loss seed " + seed);
      PowerLossCampaignTest.Outcome o = PowerLossCampaignTest.run(seed,
          InProcessCluster.builder().backgroundForces(40));
      assertThat(o.violations()).as("seed %d; replay with -Djscluster.sim.seedStart=%d -Djscluster.sim.seeds=1",
          seed, seed).isEmpty();
      assertThat(o.acked()).isNotEmpty();
      assertThat(o.powerLosses()).isPositive();
    }
  }
}
