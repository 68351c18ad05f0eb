package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.codec.meta.StreamConfig;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.PubAck;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.store.StreamState;
import io.jscluster.core.sync.FollowerCatchup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A follower catching up through large interior deletes (per-subject limits leave a swiss-cheese
 * stream with one long gap) after an R1 scale-up, in virtual time.
 */
class LargeInteriorDeletesCatchupTest {

  static final long T = 120_000;

  static StreamConfig cfg(int replicas) {
    return StreamConfigs.builder("TEST").subjects("foo.*").maxMsgsPerSubject(10).replicas(replicas)
        .storage(StorageType.FILE).build();
  }

  // Go: TestNoRaceJetStreamClusterStreamCatchupLargeInteriorDeletes
  @Test
  @DisplayName("TestNoRaceJetStreamClusterStreamCatchupLargeInteriorDeletes: an R1 -> R2 scale-up catches the new follower up through large interior deletes to the same message count")
  void streamCatchupLargeInteriorDeletes() {
    long seed = 1022;
    System.out.println("LargeInteriorDeletesCatchupTest seed=" + seed);
    Random rnd = new Random(seed);
    // The Go test's shape scaled by ten: random subjects, one long run on foo.2, random again,
    // 10 (not 100) messages kept per subject, so almost every sequence is an interior delete.
    int random = 5_000;
    int gap = 10_000;
    int subjects = 100;
    try (InProcessCluster c = ClusterScenariosTest.started(3, seed)) {
      c.createStream(cfg(1));
      ClusterNode source = c.awaitStreamLeader("TEST", T);
      byte[] msg = new byte[2048];
      Arrays.fill(msg, (byte) 'Z');
      List<CompletableFuture<PubAck>> acks = new ArrayList<>();
      acks.add(source.publish("TEST", "foo.0", null, msg));
      for (int i = 0; i < random; i++) {
        acks.add(source.publish("TEST", "foo." + (rnd.nextInt(subjects) + 1), null, msg));
      }
      for (int i = 0; i < gap; i++) {
        acks.add(source.publish("TEST", "foo.2", null, msg));
      }
      for (int i = 0; i < random; i++) {
        acks.add(source.publish("TEST", "foo." + (rnd.nextInt(subjects) + 1), null, msg));
      }
      for (CompletableFuture<PubAck> f : acks) {
        assertThat(c.await(f, T).isOk()).isTrue();
      }
      StreamState before = source.replica("TEST").store().state();
      assertThat(before.lastSeq()).isEqualTo(1L + 2 * random + gap);
      assertThat(before.numDeleted()).as("interior deletes").isGreaterThan(gap);

      c.updateStream(cfg(2));
      c.awaitStreamLeader("TEST", T);
      c.awaitMigrated("TEST", T);
      ClusterNode follower = c.replicas("TEST").stream().filter(n -> !n.name().equals(source.name()))
          .findFirst().orElseThrow();
      c.await(() -> follower.replica("TEST").store().state().msgs() == before.msgs(), T,
          "follower holds " + before.msgs() + " messages");
      StreamState after = follower.replica("TEST").store().state();
      assertThat(after.lastSeq()).isEqualTo(before.lastSeq());
      assertThat(after.numDeleted()).isEqualTo(before.numDeleted());
      FollowerCatchup run = follower.replica("TEST").lastSnapshotCatchup();
      assertThat(run).as("the new peer caught up through the sync protocol").isNotNull();
      assertThat(run.messagesStored()).as("only the kept messages travel").isEqualTo(before.msgs());
      ClusterScenariosTest.assertReplicasIdentical(c, "TEST");
    }
  }
}
