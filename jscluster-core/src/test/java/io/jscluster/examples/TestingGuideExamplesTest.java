package io.jscluster.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.PubAck;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.cluster.InProcessCluster;
import io.jscluster.core.store.StreamState;
import io.jscluster.raft.sim.SimDisk;
import io.jscluster.testing.SeedRange;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples of docs/testing.md, each a real test of the in-process cluster. */
class TestingGuideExamplesTest {

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // region: first-test
  @Test
  void aReplicatedStreamSurvivesAFollowerCrash() {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(7).build()) {
      c.start();
      c.awaitMetaLeader(30_000); // virtual milliseconds: this takes no real time
      c.createStream(StreamConfigs.builder("ORDERS").subjects("orders.new").replicas(3)
          .storage(StorageType.MEMORY).build());

      PubAck first = c.publish("ORDERS", "orders.new", text("order 1"));
      assertThat(first.isOk()).isTrue();
      assertThat(first.seq()).isEqualTo(1);

      ClusterNode leader = c.streamLeader("ORDERS");
      String follower = c.replicas("ORDERS").stream().map(ClusterNode::name)
          .filter(n -> !n.equals(leader.name())).findFirst().orElseThrow();
      c.kill(follower); // kill -9: unsynced Raft log writes are lost
      for (int i = 2; i <= 10; i++) {
        assertThat(c.publish("ORDERS", "orders.new", text("order " + i)).seq()).isEqualTo(i);
      }
      c.restart(follower);
      c.awaitCurrent("ORDERS", 60_000); // every replica current, at the leader's last sequence

      for (String n : c.names()) {
        assertThat(c.state(n, "ORDERS").msgs()).as(n).isEqualTo(10);
      }
    }
  }
  // endregion: first-test

  // region: partition
  @Test
  void anIsolatedLeaderIsReplacedAndRejoins() {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(11).build()) {
      c.start();
      c.awaitMetaLeader(30_000);
      c.createStream(StreamConfigs.builder("ORDERS").subjects("orders.new").replicas(3).build());
      ClusterNode old = c.awaitStreamLeader("ORDERS", 30_000);

      c.isolate(old.name());
      // A publish to the isolated leader cannot reach a quorum: it never succeeds.
      CompletableFuture<PubAck> stranded = old.publish("ORDERS", "orders.new", null, text("lost"));
      c.await(() -> c.streamLeader("ORDERS") != null && c.streamLeader("ORDERS") != old
          && !old.isStreamLeader("ORDERS"), 60_000, "a leader on the majority side");
      assertThat(c.publish("ORDERS", "orders.new", text("kept")).isOk()).isTrue();
      c.runUntil(stranded::isDone, 20_000);
      assertThat(stranded.isDone() && !stranded.isCompletedExceptionally() && stranded.join().isOk())
          .isFalse();

      c.heal(); // removes partitions, cuts, slow nodes and network faults
      c.awaitCurrent("ORDERS", 60_000);
      assertThat(c.state(old.name(), "ORDERS").msgs()).isEqualTo(1);
    }
  }
  // endregion: partition

  // region: partition-set
  @Test
  void theMinoritySideOfAPartitionCannotCommit() {
    try (InProcessCluster c = InProcessCluster.builder().nodes(5).seed(3).build()) {
      c.start();
      c.awaitMetaLeader(30_000);
      c.createStream(StreamConfigs.builder("EVENTS").subjects("events").replicas(5).build());
      ClusterNode leader = c.awaitStreamLeader("EVENTS", 30_000);
      String other = c.names().stream().filter(n -> !n.equals(leader.name())).findFirst().orElseThrow();

      c.partition(Set.of(leader.name(), other)); // {leader, other} | the other three
      CompletableFuture<PubAck> minority = leader.publish("EVENTS", "events", null, text("x"));
      c.runFor(15_000);
      assertThat(minority.isDone() && !minority.isCompletedExceptionally() && minority.join().isOk())
          .isFalse();

      c.heal();
      c.awaitCurrent("EVENTS", 60_000);
    }
  }
  // endregion: partition-set

  // region: slow-and-network
  @Test
  void aSlowFollowerOnALossyNetworkStillConverges() {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(5).networkDelay(1, 20).build()) {
      c.start();
      c.awaitMetaLeader(30_000);
      c.createStream(StreamConfigs.builder("LOGS").subjects("logs").replicas(3).build());
      ClusterNode leader = c.awaitStreamLeader("LOGS", 30_000);
      String follower = c.replicas("LOGS").stream().map(ClusterNode::name)
          .filter(n -> !n.equals(leader.name())).findFirst().orElseThrow();

      c.slow(follower, 300); // every message it receives arrives 300 virtual ms later
      c.network().setDropRate(0.02); // finer faults: loss, duplication, reordering, one-way cuts
      c.network().setDuplicateRate(0.02);
      for (int i = 0; i < 20; i++) {
        c.publish("LOGS", "logs", text("line " + i));
      }

      c.heal();
      c.awaitCurrent("LOGS", 120_000);
      assertThat(c.state(follower, "LOGS")).isEqualTo(c.state(leader.name(), "LOGS"));
    }
  }
  // endregion: slow-and-network

  // region: damage
  @Test
  void aDamagedStoreIsRepairedFromTheLeader(@TempDir Path dir) {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(29).fileStorage(dir).build()) {
      c.start();
      c.awaitMetaLeader(30_000);
      c.createStream(StreamConfigs.builder("FILES").subjects("files").replicas(3)
          .storage(StorageType.FILE).build());
      for (int i = 0; i < 100; i++) {
        c.publish("FILES", "files", text("record " + i));
      }
      c.awaitCurrent("FILES", 60_000);
      ClusterNode leader = c.streamLeader("FILES");
      String victim = c.replicas("FILES").stream().map(ClusterNode::name)
          .filter(n -> !n.equals(leader.name())).findFirst().orElseThrow();

      c.stop(victim); // a clean stop: everything written survives
      assertThat(c.damageStreamFiles(victim, "FILES", 1)).hasSize(1); // one flipped bit
      c.start(); // starts every node that is down
      c.awaitCurrent("FILES", 120_000);

      StreamState repaired = c.state(victim, "FILES");
      assertThat(repaired.msgs()).isEqualTo(100);
      assertThat(c.node(victim).replica("FILES").store().damage()).isEmpty();
    }
  }
  // endregion: damage

  // region: power-loss
  @Test
  void losingPowerOnEveryNodeLosesNoAcknowledgedMessage() {
    // Each node's WALs, tav.idx, snapshots and file stores on a simulated disk of its own,
    // with FileNodeStorage's default fsync policies.
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(41).simulatedDisks().build()) {
      c.start();
      c.awaitMetaLeader(30_000);
      c.createStream(StreamConfigs.builder("PAY").subjects("pay").replicas(3)
          .storage(StorageType.FILE).build());
      for (int i = 1; i <= 20; i++) {
        assertThat(c.publish("PAY", "pay", text("payment " + i)).seq()).isEqualTo(i);
      }

      c.powerLossAll(); // every disk keeps only what was forced; every node reboots from it
      c.awaitMetaLeader(30_000);
      c.awaitCurrent("PAY", 60_000);
      for (String n : c.names()) {
        assertThat(c.state(n, "PAY").msgs()).as(n).isEqualTo(20);
      }

      // Or cut the power in the middle of a disk write: here the leader's 3rd mutation from now,
      // part of which may reach the disk; every node goes dark at that instant.
      c.armPowerLoss(c.streamLeader("PAY").name(), 3, SimDisk.CrashMode.TORN, true);
      CompletableFuture<PubAck> inFlight =
          c.streamLeader("PAY").publish("PAY", "pay", null, text("payment 21"));
      c.await(() -> c.powerLosses() == 2, 30_000, "the armed power loss");
      c.awaitMetaLeader(30_000);
      c.awaitCurrent("PAY", 60_000);
      boolean acked = inFlight.isDone() && !inFlight.isCompletedExceptionally() && inFlight.join().isOk();
      long expected = acked ? 21 : 20; // an acknowledged publish survives too
      assertThat(c.state(c.streamLeader("PAY").name(), "PAY").msgs()).isGreaterThanOrEqualTo(expected);
    }
  }
  // endregion: power-loss

  // region: seeds
  @Test
  void crashesAtRandomMomentsLoseNoAcknowledgedMessage() {
    SeedRange seeds = SeedRange.fromSystemProperties(2); // 2 seeds unless the command line says otherwise
    for (int i = 0; i < seeds.count(); i++) {
      long seed = seeds.seed(i);
      System.out.println("crash campaign seed " + seed);
      try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(seed).build()) {
        java.util.Random random = new java.util.Random(seed); // the test's own choices, from the seed too
        c.start();
        c.awaitMetaLeader(30_000);
        c.createStream(StreamConfigs.builder("C").subjects("c").replicas(3).build());
        long acked = 0;
        for (int round = 0; round < 5; round++) {
          String victim = c.names().get(random.nextInt(3));
          c.kill(victim);
          c.runFor(random.nextInt(5_000));
          for (int m = 0; m < 5; m++) {
            try {
              if (c.publish("C", "c", text("m" + round + "." + m)).isOk()) {
                acked++;
              }
            } catch (RuntimeException timedOut) {
              // outcome unknown: it may still be committed, so it is not counted either way
            }
          }
          c.restart(victim);
          c.awaitCurrent("C", 120_000);
        }
        StreamState leaderState = c.state(c.streamLeader("C").name(), "C");
        assertThat(leaderState.msgs()).as("seed %d", seed).isGreaterThanOrEqualTo(acked);
        for (String n : c.names()) {
          assertThat(c.state(n, "C")).as("seed %d, node %s", seed, n).isEqualTo(leaderState);
        }
      }
    }
  }
  // endregion: seeds
}
