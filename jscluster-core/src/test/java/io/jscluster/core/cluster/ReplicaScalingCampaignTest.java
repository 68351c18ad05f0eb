package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.codec.meta.StreamConfig;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Randomised campaign over replica-count changes to and from R1 (issue 6, Jepsen 2025 failure f
 * for R1): a file-storage stream cycles R1 → R3 → R5 → R3 → R1 on five nodes while nodes are
 * killed ({@code kill -9}: the JVM's buffers are lost, nothing is flushed), restarted — the R1
 * source and the stream leader are picked often, also in the middle of a change — and isolated,
 * under publishes with {@code Nats-Msg-Id} and sometimes {@code Nats-Expected-Last-Sequence}.
 * After healing and once the last change finished: every acknowledged message is on every replica
 * exactly once at its acknowledged sequence, no message id is stored twice, and the replicas'
 * encoded states are identical. Seeds come from {@code -Djscluster.sim.seedStart} /
 * {@code -Djscluster.sim.seeds}; each run prints its seed and a failure names it; a seed replays
 * exactly.
 */
class ReplicaScalingCampaignTest {

  static final long T = 300_000;
  static final int[] CYCLE = {1, 3, 5, 3};
  /** {@code -Djscluster.campaign.trace=true} prints every step with the replicas' Raft state (for replays). */
  static final boolean TRACE = Boolean.getBoolean("jscluster.campaign.trace");

  static StreamConfig cfg(int replicas) {
    return StreamConfigs.builder("S").subjects("s.>").replicas(replicas).storage(StorageType.FILE).build();
  }

  @Test
  @DisplayName("R1 -> R3 -> R5 -> R3 -> R1 under kill -9, restarts of the R1 source and partitions loses nothing")
  void scalingUnderFaultsLosesNothing(@TempDir Path dir) {
    SeedRange seeds = SeedRange.fromSystemProperties(2);
    // Every seed of a sweep runs; the first failure is thrown with the list of all failing seeds.
    AssertionError first = null;
    List<Long> failed = new ArrayList<>();
    for (int i = 0; i < seeds.count(); i++) {
      long seed = seeds.seed(i);
      try {
        run(seed, dir.resolve("s" + seed));
      } catch (AssertionError | RuntimeException e) {
        System.out.println("ReplicaScalingCampaign seed " + seed + " FAILED: " + e.getMessage());
        failed.add(seed);
        if (first == null) {
          first = new AssertionError("replica scaling campaign failed for seed " + seed + ": " + e.getMessage(), e);
        }
      }
    }
    if (first != null) {
      first.addSuppressed(new AssertionError("failing seeds: " + failed));
      throw first;
    }
  }

  /**
   * Seed 7558: n2 acknowledged sequences 45–49 as the R1 stream and was killed; restarted, its meta
   * replay stopped before the entry that finished the scale-down, so it ran the old R3 group again
   * from an empty log and its vote made n5 (44 messages, missed the scale-down) leader, which
   * acknowledged new messages at 45–47. Fixed by leaving the group only once a meta snapshot holds
   * the R1 assignment.
   */
  @Test
  @DisplayName("seed 7558: a restarted R1 source does not rejoin its old group and lose what it acknowledged alone")
  void seed7558RestartedR1SourceKeepsWhatItAcknowledgedAlone(@TempDir Path dir) {
    run(7558, dir.resolve("s7558"));
  }

  /** The stream's current assignment as the meta leader sees it, or null. */
  static StreamAssignment assignment(InProcessCluster c) {
    ClusterNode meta = c.metaLeader();
    return meta == null ? null : meta.assignments().get("S");
  }

  /** A live node hosting a replica of the stream picked at random, or a random node. */
  static String victim(InProcessCluster c, Random rnd) {
    ClusterNode l = c.streamLeader("S");
    if (l != null && rnd.nextBoolean()) {
      return l.name();
    }
    List<ClusterNode> rs = c.replicas("S");
    if (!rs.isEmpty() && rnd.nextBoolean()) {
      return rs.get(rnd.nextInt(rs.size())).name();
    }
    return c.names().get(rnd.nextInt(c.names().size()));
  }

  static void run(long seed, Path dir) {
    System.out.println("ReplicaScalingCampaign seed " + seed);
    try (InProcessCluster c = InProcessCluster.builder().nodes(5).seed(seed).requestTimeout(5_000)
        .fileStorage(dir).build()) {
      Random rnd = new Random(seed * 977 + 13);
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(cfg(1));
      Map<String, Long> acked = new HashMap<>();
      Set<String> down = new LinkedHashSet<>();
      int cycle = 0;
      int changes = 0;
      int kills = 0;
      int sourceKills = 0;
      int nextId = 0;
      for (int step = 0; step < 120; step++) {
        int action = rnd.nextInt(100);
        if (TRACE) {
          System.out.println("step " + step + " action " + action + " at " + c.simulation().now() + " ms, down "
              + down + ", " + acked.size() + " acked" + status(c));
        }
        if (action < 50) {
          ClusterNode l = c.streamLeader("S");
          if (l == null) {
            c.runFor(500 + rnd.nextInt(1_000));
            continue;
          }
          List<CompletableFuture<PubAck>> fs = new ArrayList<>();
          List<String> ids = new ArrayList<>();
          int burst = 1 + rnd.nextInt(4);
          for (int k = 0; k < burst; k++) {
            String id = "id-" + (nextId++);
            byte[] h = k == 0 && rnd.nextInt(3) == 0
                ? Headers.of(Headers.MSG_ID, id, Headers.EXPECTED_LAST_SEQ,
                    Long.toString(l.replica("S").store().state().lastSeq()))
                : Headers.of(Headers.MSG_ID, id);
            ids.add(id);
            fs.add(l.publish("S", "s." + rnd.nextInt(3), h, id.getBytes(StandardCharsets.UTF_8)));
          }
          c.runUntil(() -> fs.stream().allMatch(CompletableFuture::isDone), 6_000);
          for (int k = 0; k < fs.size(); k++) {
            CompletableFuture<PubAck> f = fs.get(k);
            if (f.isDone() && !f.isCompletedExceptionally() && f.join().isOk()) {
              Long prev = acked.putIfAbsent(ids.get(k), f.join().seq());
              assertThat(prev == null || prev == f.join().seq()).as("id %s acked at %d and %s", ids.get(k),
                  f.join().seq(), prev).isTrue();
            }
          }
        } else if (action < 68) {
          StreamAssignment sa = assignment(c);
          if (sa == null || sa.group().desired() != null) {
            c.runFor(1_000);
            continue;
          }
          int next = CYCLE[(cycle + 1) % CYCLE.length];
          List<ClusterNode> before = c.replicas("S");
          CompletableFuture<StreamAssignment> f = c.metaLeader().updateStream(cfg(next));
          c.runUntil(f::isDone, 6_000);
          if (f.isDone() && !f.isCompletedExceptionally()) {
            cycle++;
            changes++;
            if (sa.group().peers().size() == 1 && before.size() == 1 && down.size() < 2 && rnd.nextBoolean()) {
              // The R1 source dies in the middle of its scale-up: before, during or after it
              // installed its snapshot and added peers.
              c.runFor(rnd.nextInt(1_500));
              String source = before.get(0).name();
              if (down.add(source)) {
                c.kill(source);
                kills++;
                sourceKills++;
              }
            }
          }
        } else if (action < 78 && down.size() < 2) {
          String v = victim(c, rnd);
          if (down.add(v)) {
            c.kill(v);
            kills++;
          }
        } else if (action < 89 && !down.isEmpty()) {
          String back = down.iterator().next();
          down.remove(back);
          c.restart(back);
        } else if (action < 95) {
          c.isolate(victim(c, rnd));
          c.runFor(rnd.nextInt(6_000));
          c.heal();
        } else {
          c.runFor(rnd.nextInt(3_000));
        }
      }
      c.heal();
      for (String n : down) {
        c.restart(n);
      }
      c.awaitMetaLeader(T);
      try {
        c.awaitMigrated("S", T);
      } catch (IllegalStateException e) {
        throw new AssertionError(e.getMessage() + status(c), e);
      }
      check(c, acked);
      int replicas = (int) c.streamLeader("S").assignments().get("S").config().replicas();
      System.out.println("ReplicaScalingCampaign seed " + seed + ": " + acked.size() + " acked, " + changes
          + " replica-count changes, " + kills + " kills (" + sourceKills + " of an R1 source mid-scale-up), final R"
          + replicas + " on " + MembershipScenariosTest.names(c, "S"));
    }
  }

  static String status(InProcessCluster c) {
    StringBuilder b = new StringBuilder(c.describe("S"));
    for (ClusterNode n : c.liveNodes()) {
      StreamAssignment sa = n.assignments().get("S");
      b.append("\n").append(n.name()).append(" group=").append(sa == null ? null : sa.group()).append(" migration=")
          .append(n.replica("S") == null ? null : n.replica("S").migrationStatus());
      if (n.replica("S") != null && n.replica("S").host() != null) {
        var rn = n.replica("S").host().node();
        b.append(" raft group=").append(rn.group()).append(" observer=").append(rn.isObserver()).append(" heard");
        for (ClusterNode o : c.liveNodes()) {
          b.append(' ').append(o.name()).append('=').append(rn.lastHeardFrom(o.id()));
        }
      }
    }
    return b.toString();
  }

  /** Every acknowledged id once at its sequence on every replica, no id twice, identical encoded states. */
  static void check(InProcessCluster c, Map<String, Long> acked) {
    List<ClusterNode> rs = c.replicas("S");
    int replicas = (int) c.streamLeader("S").assignments().get("S").config().replicas();
    assertThat(rs).as("replicas%s", status(c)).hasSize(replicas);
    byte[] ref = rs.get(0).replica("S").store().encodedState(rs.get(0).replica("S").clfs(), false);
    for (ClusterNode n : rs) {
      Map<String, Long> seen = new HashMap<>();
      var st = n.replica("S").store().state();
      for (long q = st.firstSeq(); q <= st.lastSeq() && q > 0; q++) {
        StoredMessage m = n.getMessage("S", q);
        if (m != null) {
          String id = Headers.get(m.header(), Headers.MSG_ID);
          assertThat(seen.put(id, q)).as("id %s twice on %s", id, n.name()).isNull();
        }
      }
      for (Map.Entry<String, Long> e : acked.entrySet()) {
        assertThat(seen.get(e.getKey())).as("acked %s on %s (state %s)%s", e.getKey(), n.name(), st, status(c))
            .isEqualTo(e.getValue());
      }
      assertThat(n.replica("S").store().encodedState(n.replica("S").clfs(), false)).as("encoded state on %s",
          n.name()).isEqualTo(ref);
    }
  }
}
