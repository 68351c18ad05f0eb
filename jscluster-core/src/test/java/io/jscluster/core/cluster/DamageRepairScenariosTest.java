package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.ApiError;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.FileNodeStorage;
import io.jscluster.core.Headers;
import io.jscluster.core.LeaderListener;
import io.jscluster.core.PubAck;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.store.StoredMessage;
import io.jscluster.core.stream.StreamReplica;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deterministic replays of damage scenarios the randomised campaigns found: a replica whose stream
 * files are damaged repairs the damaged range from a healthy peer and never turns it (or anything
 * near it) into deleted sequences, whether it stays a follower or leads afterwards.
 */
class DamageRepairScenariosTest {

  static final long T = 60_000;

  private static void flip(Path file, long offset) {
    assertThat(file).as("file to damage").exists();
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 1);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static long publish(InProcessCluster c, String id) {
    ClusterNode l = c.awaitStreamLeader("C", T);
    PubAck a = c.await(l.publish("C", "c.x", Headers.of(Headers.MSG_ID, id), id.getBytes(StandardCharsets.UTF_8)), T);
    assertThat(a.isOk()).as("%s", a).isTrue();
    return a.seq();
  }

  /** Every replica holds message {@code id-<seq>} at every sequence 1..last, and the same encoded state. */
  private static void assertAllPresent(InProcessCluster c, long last) {
    List<ClusterNode> rs = c.replicas("C");
    assertThat(rs).hasSize(3);
    for (ClusterNode n : rs) {
      StreamReplica r = n.replica("C");
      assertThat(r.store().damage()).as("damage on %s", n.name()).isEmpty();
      assertThat(r.store().deletedSequences()).as("deleted on %s", n.name()).isEmpty();
      for (long q = 1; q <= last; q++) {
        StoredMessage m = n.getMessage("C", q);
        assertThat(m).as("seq %d on %s", q, n.name()).isNotNull();
        assertThat(Headers.get(m.header(), Headers.MSG_ID)).isEqualTo("id-" + q);
      }
      assertThat(r.store().encodedState(r.clfs(), false))
          .isEqualTo(rs.get(0).replica("C").store().encodedState(rs.get(0).replica("C").clfs(), false));
    }
  }

  @Test
  @DisplayName("NoLossCampaign file seed 302: a bit flip in the first record of stream block 1 with the manifest ignored; "
      + "repairing the record keeps the intact records after it, and the repaired replica can lead")
  void bitFlipInFirstRecordWithIgnoredManifest(@TempDir Path dir) {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(302).fileStorage(dir).build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("C").subjects("c.>").replicas(3).storage(StorageType.FILE).build());
      for (int i = 1; i <= 3; i++) {
        assertThat(publish(c, "id-" + i)).isEqualTo(i);
      }
      c.awaitCurrent("C", T);
      String victim = null;
      for (ClusterNode n : c.replicas("C")) {
        if (!n.isStreamLeader("C")) {
          victim = n.name();
        }
      }
      c.kill(victim);
      Path streamDir = ((FileNodeStorage) c.storage(victim)).streamDir("C");
      // Every manifest slot damaged: recovery must rebuild the block list from the block files. A
      // killed store never wrote its clean-close checkpoint, so it may have written one slot only.
      int slots = 0;
      for (String slot : List.of("manifest.0", "manifest.1")) {
        if (java.nio.file.Files.exists(streamDir.resolve(slot))) {
          flip(streamDir.resolve(slot), 0);
          slots++;
        }
      }
      assertThat(slots).as("manifest slots damaged").isPositive();
      flip(streamDir.resolve("00000000000000000001.blk"), 0);
      c.restart(victim);
      String v = victim;
      c.await(() -> c.node(v).replica("C") != null && c.node(v).replica("C").store().damage().size() == 1,
          T, "damage reported on " + v);
      // Appends after the restart go to a fresh block behind the damaged one.
      for (int i = 4; i <= 6; i++) {
        assertThat(publish(c, "id-" + i)).isEqualTo(i);
      }
      c.await(() -> c.node(v).replica("C").store().damage().isEmpty(), T, "repair on " + v);
      c.awaitCurrent("C", T);
      assertAllPresent(c, 6);
      // The repaired replica leads and serves a fresh follower its whole stream.
      for (int i = 0; i < 5 && !c.node(v).isStreamLeader("C"); i++) {
        ClusterNode l = c.awaitStreamLeader("C", T);
        String vid = c.node(v).id();
        l.replica("C").host().input(n -> n.stepDown(c.simulation().now(), vid));
        c.runUntil(() -> c.streamLeader("C") != null && c.streamLeader("C") != l, 10_000);
      }
      assertThat(c.node(v).isStreamLeader("C")).isTrue();
      // The repaired message's id is back in the de-duplication window of the new leader.
      PubAck again = c.await(c.node(v).publish("C", "c.x", Headers.of(Headers.MSG_ID, "id-1"),
          "id-1".getBytes(StandardCharsets.UTF_8)), T);
      assertThat(again.duplicate()).as("%s", again).isTrue();
      assertThat(again.seq()).isEqualTo(1);
      assertThat(publish(c, "id-7")).isEqualTo(7);
      c.awaitCurrent("C", T);
      assertAllPresent(c, 7);
    }
  }

  @Test
  @DisplayName("A damaged replica handed stream leadership refuses publishes, hands leadership on at once "
      + "and repairs from the new leader; it never snapshots while damaged")
  void damagedReplicaDoesNotLead(@TempDir Path dir) {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(303).fileStorage(dir).build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("C").subjects("c.>").replicas(3).storage(StorageType.FILE).build());
      for (int i = 1; i <= 3; i++) {
        assertThat(publish(c, "id-" + i)).isEqualTo(i);
      }
      c.awaitCurrent("C", T);
      String victim = null;
      for (ClusterNode n : c.replicas("C")) {
        if (!n.isStreamLeader("C")) {
          victim = n.name();
        }
      }
      String v = victim;
      c.kill(v);
      flip(((FileNodeStorage) c.storage(v)).streamDir("C").resolve("00000000000000000001.blk"), 0);
      c.restart(v);
      ClusterNode back = c.node(v);
      List<java.util.concurrent.CompletableFuture<PubAck>> whileDamagedLeader = new java.util.ArrayList<>();
      back.addListener(new LeaderListener() {
        @Override
        public void streamLeaderChanged(String stream, boolean isLeader, long term) {
          StreamReplica r = back.replica("C");
          if (isLeader && r != null && !r.store().damage().isEmpty()) {
            // Refused before proposal: the future is complete at once.
            whileDamagedLeader.add(back.publish("C", "c.x", Headers.of(Headers.MSG_ID, "refused"), new byte[] {1}));
          }
        }
      });
      c.await(() -> back.replica("C") != null && !back.replica("C").recovering(), T, "replica on " + v);
      assertThat(back.replica("C").store().damage()).hasSize(1);
      ClusterNode l = c.awaitStreamLeader("C", T);
      c.runUntil(() -> back.replica("C").host().node().lastIndex() == l.replica("C").host().node().lastIndex(),
          T);
      l.replica("C").host().input(n -> n.stepDown(c.simulation().now(), back.id()));
      c.await(() -> back.replica("C").store().damage().isEmpty(), T, "repair on " + v);
      assertThat(whileDamagedLeader).as("the victim led while damaged").isNotEmpty();
      assertThat(whileDamagedLeader).allSatisfy(f -> {
        assertThat(f).isDone();
        assertThat(f.join().error()).isEqualTo(ApiError.CLUSTER_NOT_LEADER);
      });
      assertThat(back.replica("C").snapshotsTaken()).isZero();
      c.awaitCurrent("C", T);
      assertThat(publish(c, "id-4")).isEqualTo(4);
      c.awaitCurrent("C", T);
      assertAllPresent(c, 4);
    }
  }

  @Test
  @DisplayName("With a majority of replicas damaged and the healthy one down, publishes are refused (CLUSTER_NOT_LEADER);"
      + " once the healthy replica is back both are repaired and nothing acknowledged is lost")
  void damagedMajorityRefusesPublishesUntilRepaired(@TempDir Path dir) {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(304).fileStorage(dir).build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("C").subjects("c.>").replicas(3).storage(StorageType.FILE).build());
      for (int i = 1; i <= 20; i++) {
        assertThat(publish(c, "id-" + i)).isEqualTo(i);
      }
      c.awaitCurrent("C", T);
      String healthy = c.awaitStreamLeader("C", T).name();
      List<String> damaged = new java.util.ArrayList<>();
      for (String n : c.names()) {
        if (!n.equals(healthy)) {
          damaged.add(n);
          c.kill(n);
          // Different records on each: between them the two hold every message, but neither alone.
          Path blk = ((FileNodeStorage) c.storage(n)).streamDir("C").resolve("00000000000000000001.blk");
          try {
            flip(blk, damaged.size() == 1 ? 0 : java.nio.file.Files.size(blk) / 2);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      }
      c.kill(healthy);
      for (String n : damaged) {
        c.restart(n);
      }
      c.awaitMetaLeader(T);
      c.await(() -> damaged.stream().allMatch(n -> c.node(n).replica("C") != null
          && !c.node(n).replica("C").store().damage().isEmpty()), T, "damage reported on " + damaged);
      // For half a minute of virtual time, offer a publish to every damaged replica twice a second.
      long termBefore = damaged.stream().mapToLong(n -> c.node(n).replica("C").host().node().term()).max()
          .orElseThrow();
      java.util.Set<ApiError> refusals = new java.util.HashSet<>();
      int offered = 0;
      long until = c.simulation().now() + 30_000;
      while (c.simulation().now() < until) {
        for (String n : damaged) {
          String id = "refused-" + offered++;
          var f = c.node(n).publish("C", "c.x", Headers.of(Headers.MSG_ID, id), id.getBytes(StandardCharsets.UTF_8));
          c.runUntil(f::isDone, 6_000);
          assertThat(f).as("publish %s to %s", id, n).isDone();
          assertThat(f).isNotCompletedExceptionally();
          assertThat(f.join().isOk()).as("publish %s to %s: %s", id, n, f.join()).isFalse();
          refusals.add(f.join().error());
        }
        c.runFor(500);
      }
      assertThat(refusals).containsExactly(ApiError.CLUSTER_NOT_LEADER);
      long termAfter = damaged.stream().mapToLong(n -> c.node(n).replica("C").host().node().term()).max()
          .orElseThrow();
      // Two damaged replicas hand leadership back and forth with growing holds, not every few ms
      // (about 3,000 terms in these 30 s before the holds).
      System.out.println("DamageRepairScenariosTest#damagedMajorityRefusesPublishesUntilRepaired seed 304: "
          + (termAfter - termBefore) + " terms in 30 s");
      assertThat(termAfter - termBefore).as("terms used in 30 s").isLessThan(40);
      for (String n : damaged) {
        StreamReplica r = c.node(n).replica("C");
        assertThat(r.store().damage()).as("damage kept on %s while no healthy peer runs", n).isNotEmpty();
        assertThat(r.store().state().lastSeq()).isEqualTo(20);
        assertThat(r.snapshotsTaken()).isZero();
      }
      c.restart(healthy);
      if (!c.runUntil(() -> damaged.stream().allMatch(n -> c.node(n).replica("C").store().damage().isEmpty()), T)) {
        throw new AssertionError("no repair of " + damaged + ": " + c.describe("C"));
      }
      c.awaitCurrent("C", T);
      assertAllPresent(c, 20);
      assertThat(publish(c, "id-21")).isEqualTo(21);
      c.awaitCurrent("C", T);
      assertAllPresent(c, 21);
    }
  }
}
