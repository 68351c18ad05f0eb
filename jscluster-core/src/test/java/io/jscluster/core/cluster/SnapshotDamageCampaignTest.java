package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.Headers;
import io.jscluster.core.PubAck;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.meta.MetaGroup;
import io.jscluster.core.store.StoredMessage;
import io.jscluster.testing.SeedRange;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jepsen 2025 failure (d): bit flips in meta and stream snapshot files on a minority, with
 * crashes, never delete a stream. Three file-storage nodes snapshot often; a killed node gets bits
 * flipped in its snapshot files before it restarts. The node falls back past the damaged files
 * (to an older snapshot, or to its log and a catch-up from the leader); no stream is ever
 * removed, and every acknowledged message ends up on every replica at its sequence.
 */
class SnapshotDamageCampaignTest {

  static final long T = 180_000;

  @Test
  @DisplayName("Bit flips in meta or stream snapshots on a minority, with crashes, never delete a stream (Jepsen 2025, failure d)")
  void snapshotBitFlipsNeverDeleteAStream(@TempDir Path dir) {
    SeedRange seeds = SeedRange.fromSystemProperties(2);
    for (int i = 0; i < seeds.count(); i++) {
      long seed = seeds.seed(i);
      try {
        run(seed, dir.resolve("s" + seed));
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("snapshot damage campaign failed for seed " + seed + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Seed 5001 stalled a follower for good: after a snapshot catch-up the entries queued behind it
   * included Raft's catch-up signal (an element at index 0), which lowered the index the replica
   * confirmed to 0, so Raft never learned the snapshot was applied and skipped every entry it
   * covered (applied 122, snapshot 142).
   */
  @Test
  void seed5001FollowerConfirmsTheSnapshotAfterCatchup(@TempDir Path dir) {
    run(5001, dir.resolve("s5001"));
  }

  static void run(long seed, Path dir) {
    System.out.println("SnapshotDamageCampaign seed " + seed);
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(seed).fileStorage(dir)
        .snapshotPolicy(SnapshotScenariosTest.SMALL).requestTimeout(5_000).build()) {
      Random rnd = new Random(seed * 17 + 5);
      c.start();
      c.awaitMetaLeader(T);
      List<String> streams = List.of("A", "B");
      for (String s : streams) {
        c.createStream(StreamConfigs.builder(s).subjects(s.toLowerCase() + ".>").replicas(3)
            .storage(StorageType.FILE).build());
      }
      Map<String, Map<String, Long>> acked = new HashMap<>();
      int nextId = 0;
      int flipped = 0;
      for (int round = 0; round < 8; round++) {
        for (int i = 0; i < 40; i++) {
          String s = streams.get(rnd.nextInt(streams.size()));
          ClusterNode l = c.streamLeader(s);
          if (l == null) {
            c.runFor(1_000);
            continue;
          }
          String id = "id-" + (nextId++);
          CompletableFuture<PubAck> f = l.publish(s, s.toLowerCase() + ".x", Headers.of(Headers.MSG_ID, id),
              id.getBytes(StandardCharsets.UTF_8));
          c.runUntil(f::isDone, 6_000);
          if (f.isDone() && !f.isCompletedExceptionally() && f.join().isOk() && !f.join().duplicate()) {
            acked.computeIfAbsent(s, k -> new HashMap<>()).put(id, f.join().seq());
          }
        }
        c.runFor(rnd.nextInt(70_000));
        // Damage stays on a minority: the previous victim has recovered (meta and streams) first.
        c.awaitMetaLeader(T);
        c.await(() -> c.liveNodes().stream().allMatch(n -> n.assignments().keySet().containsAll(streams)), T,
            "every node to know every stream");
        for (String s : streams) {
          c.awaitCurrent(s, T);
        }
        // One node at a time (a minority), each only once the previous victim recovered.
        String victim = c.names().get(rnd.nextInt(3));
        ClusterNode v = c.node(victim);
        List<String> groups = new java.util.ArrayList<>();
        groups.add(MetaGroup.GROUP);
        for (String s : streams) {
          groups.add(v.assignments().get(s).group().name());
        }
        c.kill(victim);
        for (String g : groups) {
          if (rnd.nextBoolean()) {
            flipped += c.damageSnapshotFiles(victim, g, 1).size();
          }
        }
        c.restart(victim);
        c.runFor(rnd.nextInt(5_000));
      }
      c.heal();
      c.awaitMetaLeader(T);
      for (String s : streams) {
        c.awaitCurrent(s, T);
      }
      for (ClusterNode n : c.liveNodes()) {
        assertThat(n.assignments()).as("assignments on %s", n.name()).containsKeys("A", "B");
      }
      for (String s : streams) {
        List<ClusterNode> rs = c.replicas(s);
        assertThat(rs).hasSize(3);
        byte[] ref = rs.get(0).replica(s).store().encodedState(rs.get(0).replica(s).clfs(), false);
        for (ClusterNode n : rs) {
          Map<String, Long> seen = new HashMap<>();
          var st = n.replica(s).store().state();
          for (long q = st.firstSeq(); q <= st.lastSeq(); q++) {
            StoredMessage m = n.getMessage(s, q);
            if (m != null) {
              assertThat(seen.put(Headers.get(m.header(), Headers.MSG_ID), q)).isNull();
            }
          }
          for (Map.Entry<String, Long> e : acked.getOrDefault(s, Map.of()).entrySet()) {
            assertThat(seen.get(e.getKey())).as("acked %s in %s on %s", e.getKey(), s, n.name())
                .isEqualTo(e.getValue());
          }
          assertThat(n.replica(s).store().encodedState(n.replica(s).clfs(), false)).as("%s on %s", s, n.name())
              .isEqualTo(ref);
        }
      }
      long metaSnaps = 0;
      long streamSnaps = 0;
      for (ClusterNode n : c.liveNodes()) {
        metaSnaps += n.metaSnapshots();
        for (String s : streams) {
          streamSnaps += n.replica(s).snapshotsTaken();
        }
      }
      assertThat(flipped).isPositive();
      System.out.println("SnapshotDamageCampaign seed " + seed + ": " + flipped + " snapshot files damaged, "
          + metaSnaps + " meta and " + streamSnaps + " stream snapshots since the last restarts, acked "
          + acked.values().stream().mapToInt(Map::size).sum());
    }
  }
}
