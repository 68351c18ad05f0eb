package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.Headers;
import io.jscluster.core.PubAck;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.store.StoredMessage;
import io.jscluster.testing.SeedRange;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Randomised no-loss campaign: R3 and R5 streams under random partitions, crashes, restarts and
 * leader changes, with publishes carrying de-duplication ids and (sometimes) expected last
 * sequences. After healing, every acknowledged message is present exactly once, at its
 * acknowledged sequence, on every replica, and the replicas are identical. Seeds come from
 * {@code -Djscluster.sim.seedStart} / {@code -Djscluster.sim.seeds}; a failure names its seed.
 */
class NoLossCampaignTest {

  static final long T = 120_000;

  @Test
  @DisplayName("No acknowledged message is lost or duplicated under crashes, partitions and leader changes (R3, R5)")
  void campaign() {
    SeedRange seeds = SeedRange.fromSystemProperties(4);
    for (int i = 0; i < seeds.count(); i++) {
      long seed = seeds.seed(i);
      int nodes = i % 2 == 0 ? 3 : 5;
      try {
        run(seed, nodes, nodes, null);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("campaign failed for seed " + seed + " (" + nodes + " nodes): " + e.getMessage(), e);
      }
    }
  }

  @Test
  @DisplayName("The campaign on file storage (WAL, tav.idx and file stream stores reopened after every kill, bit flips in a minority's stream files)")
  void fileStorageCampaign(@TempDir Path dir) {
    SeedRange seeds = SeedRange.fromSystemProperties(1);
    for (int i = 0; i < seeds.count(); i++) {
      long seed = seeds.seed(i);
      try {
        run(seed, 3, 3, dir);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("file campaign failed for seed " + seed + ": " + e.getMessage(), e);
      }
    }
  }

  static String safeDeleted(ClusterNode n) {
    try {
      return java.util.Arrays.toString(n.replica("C").store().deletedSequences());
    } catch (RuntimeException e) {
      return e.toString();
    }
  }

  @Test
  @DisplayName("File campaign seed 3046: a repaired damaged first sequence restores the stream's first sequence "
      + "(the replica's state read first = 2 with sequence 1 present, so the acked message 1 was invisible)")
  void fileSeed3046(@TempDir Path dir) {
    run(3046, 3, 3, dir);
  }

  /** Damage stays on a minority: no other node may still be damaged (or down since it was). */
  static boolean noOtherDamage(InProcessCluster c, String victim, Set<String> damaged) {
    damaged.removeIf(n -> c.node(n) != null && c.node(n).replica("C") != null
        && c.node(n).replica("C").store().damage().isEmpty());
    damaged.remove(victim);
    return damaged.isEmpty();
  }

  static void run(long seed, int nodes, int replicas, Path dir) {
    System.out.println("NoLossCampaign seed " + seed + " nodes " + nodes + (dir == null ? " memory" : " file"));
    InProcessCluster.Builder b = InProcessCluster.builder().nodes(nodes).seed(seed).requestTimeout(5_000);
    if (dir != null) {
      b.fileStorage(dir.resolve("s" + seed));
    }
    try (InProcessCluster c = b.build()) {
      Random rnd = new Random(seed * 31 + 7);
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("C").subjects("c.>").replicas(replicas)
          .storage(dir == null ? StorageType.MEMORY : StorageType.FILE).build());
      Map<String, Long> acked = new HashMap<>();
      Set<String> down = new HashSet<>();
      Set<String> damaged = new HashSet<>();
      int damagedFiles = 0;
      int maxDown = (nodes - 1) / 2;
      int nextId = 0;
      for (int step = 0; step < 120; step++) {
        int action = rnd.nextInt(100);
        if (action < 70) {
          ClusterNode l = c.streamLeader("C");
          if (l == null) {
            c.runFor(1_000);
            continue;
          }
          String id = "id-" + (nextId++);
          boolean expect = rnd.nextInt(4) == 0;
          long last = l.replica("C").store().state().lastSeq();
          byte[] h = expect ? Headers.of(Headers.MSG_ID, id, Headers.EXPECTED_LAST_SEQ, Long.toString(last))
              : Headers.of(Headers.MSG_ID, id);
          CompletableFuture<PubAck> f = l.publish("C", "c." + rnd.nextInt(4), h, id.getBytes(StandardCharsets.UTF_8));
          c.runUntil(f::isDone, 6_000);
          if (f.isDone() && !f.isCompletedExceptionally() && f.join().isOk()) {
            Long prev = acked.put(id, f.join().seq());
            assertThat(prev).isNull();
          }
        } else if (action < 80 && down.size() < maxDown) {
          String victim = c.names().get(rnd.nextInt(nodes));
          if (down.add(victim)) {
            c.kill(victim);
          }
        } else if (action < 88 && !down.isEmpty()) {
          String back = down.iterator().next();
          down.remove(back);
          if (dir != null && rnd.nextBoolean() && noOtherDamage(c, back, damaged)) {
            // Disk damage on a minority: the replica must get its blocks back from the leader.
            damaged.add(back);
            damagedFiles += c.damageStreamFiles(back, "C", 1).size();
          }
          c.restart(back);
        } else if (action < 93) {
          c.isolate(c.names().get(rnd.nextInt(nodes)));
          c.runFor(rnd.nextInt(8_000));
          c.heal();
        } else if (action < 97) {
          ClusterNode l = c.streamLeader("C");
          if (l != null) {
            l.stepDownStream("C");
          }
        } else {
          c.runFor(rnd.nextInt(3_000));
        }
      }
      c.heal();
      for (String n : down) {
        c.restart(n);
      }
      c.awaitMetaLeader(T);
      c.awaitCurrent("C", T);
      List<ClusterNode> rs = c.replicas("C");
      assertThat(rs).hasSize(replicas);
      assertThat(acked).isNotEmpty();
      for (ClusterNode n : rs) {
        Map<String, Long> seen = new HashMap<>();
        var st = n.replica("C").store().state();
        for (long q = st.firstSeq(); q <= st.lastSeq(); q++) {
          StoredMessage m = n.getMessage("C", q);
          if (m == null) {
            continue;
          }
          String id = Headers.get(m.header(), Headers.MSG_ID);
          assertThat(seen.put(id, q)).as("id %s twice on %s", id, n.name()).isNull();
        }
        for (Map.Entry<String, Long> e : acked.entrySet()) {
          assertThat(seen.get(e.getKey())).as("acked %s at %d on %s (state %s, leader %s, deleted %s, repaired %d)",
              e.getKey(), e.getValue(), n.name(), st, c.streamLeader("C").name(),
              safeDeleted(n), n.replica("C").repairedRanges())
              .isEqualTo(e.getValue());
        }
        assertThat(n.replica("C").store().encodedState(n.replica("C").clfs(), false))
            .isEqualTo(rs.get(0).replica("C").store().encodedState(rs.get(0).replica("C").clfs(), false));
      }
      for (ClusterNode n : rs) {
        assertThat(n.replica("C").store().damage()).as("damage left on %s", n.name()).isEmpty();
      }
      System.out.println("NoLossCampaign seed " + seed + ": " + damagedFiles + " stream files damaged, "
          + acked.size() + " acked, last seq "
          + rs.get(0).replica("C").store().state().lastSeq());
    }
  }
}
