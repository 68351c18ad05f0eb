package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.Headers;
import io.jscluster.core.PubAck;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.store.StoredMessage;
import io.jscluster.testing.SeedRange;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Jepsen 2025 failure (f): stream membership changes (peer evacuate, peer remove, R3↔R5) mixed with
 * kills, restarts and partitions, under a stream of de-duplicated publishes. After healing and
 * once every migration finished, every acknowledged message is on every replica exactly once at
 * its acknowledged sequence and the replicas' encoded states are identical. Seeds come from
 * {@code -Djscluster.sim.seedStart} / {@code -Djscluster.sim.seeds}; a failure names its seed.
 */
class MembershipCampaignTest {

  static final long T = 300_000;
  /** {@code -Djscluster.campaign.trace=true} prints every step with the replicas' Raft state (for replays). */
  static final boolean TRACE = Boolean.getBoolean("jscluster.campaign.trace");

  @Test
  @DisplayName("Membership changes with kills and partitions lose nothing (Jepsen 2025, failure f)")
  void membershipChangesWithKillsAndPartitionsLoseNothing() {
    SeedRange seeds = SeedRange.fromSystemProperties(3);
    for (int i = 0; i < seeds.count(); i++) {
      long seed = seeds.seed(i);
      try {
        run(seed);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("membership campaign failed for seed " + seed + ": " + e.getMessage(), e);
      }
    }
  }

  @Test
  @DisplayName("Seed 7105: a follower restarted with a peer removal at the end of its log keeps the smaller quorum,"
      + " so the two remaining replicas elect a leader and the migration finishes")
  void seed7105RestartedFollowerKeepsTheQuorumOfItsRemoval() {
    // Evacuating n4 left the group {n1, n3, n5}; n1 and n3 were killed, the lone leader n5 was
    // removed from the stream. Restarted, n1 replayed the removal of n4 (log index 7, uncommitted
    // for it) before committing the older peer state at 6, which put the cluster size back to 4:
    // quorum 3 among n1, n3 and the gone n5, never reached.
    run(7105);
  }

  @Test
  @DisplayName("Seed 7766: a paused new peer holding the longest log after the removed leader left wins,"
      + " hands leadership to the old peer with the messages, and the migration finishes")
  void seed7766PausedPeerWithTheLongestLogHandsLeadershipOn() {
    // n3 was removed from the stream's group {n1, n2, n3} while n1 was new and still restoring its
    // snapshot; before applying its removal n3 won term 3 with n1's vote, put its leader entry (70)
    // on n1 only and dropped its replica. n1, paused for a catch-up no leader could serve, held the
    // longest log; n2, with every message, could not win against it. n1 now campaigns while paused,
    // hands leadership to n2 once n2's log matches its own, and catches up from n2.
    run(7766);
  }

  @Test
  @DisplayName("Seed 9236: a restarted former leader whose speculative peer removal the new leader's snapshot"
      + " covered can change the membership once it leads again, so the R3 -> R5 scale-up finishes")
  void seed9236SnapshotEndsAReplayedMembershipChange() {
    // n4 led {n1..n5} down to R3 and proposed removing n1 (index 49), then was killed before any
    // later entry carried the commit of 49. n2 led on and compacted to a snapshot at 50. Restarted,
    // n4 replayed the removal as in progress, then installed n2's snapshot, which covered it: never
    // applied again, it stayed in progress, and once n4 led again every membership change (the
    // next scale-up's additions) waited for it for ever.
    run(9236);
  }

  static void run(long seed) {
    System.out.println("MembershipCampaign seed " + seed);
    try (InProcessCluster c = InProcessCluster.builder().nodes(5).seed(seed).requestTimeout(5_000).build()) {
      Random rnd = new Random(seed * 131 + 3);
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("M").subjects("m.>").replicas(3).build());
      Map<String, Long> acked = new HashMap<>();
      Set<String> down = new HashSet<>();
      int nextId = 0;
      int changes = 0;
      for (int step = 0; step < 140; step++) {
        int action = rnd.nextInt(100);
        if (TRACE) {
          StringBuilder b = new StringBuilder("step " + step + " action " + action + " at " + c.simulation().now()
              + " ms, " + acked.size() + " acked, down " + down);
          for (ClusterNode n : c.liveNodes()) {
            var r = n.replica("M");
            b.append("\n  ").append(n.name()).append('(').append(n.id()).append(") ");
            if (r != null && r.host() != null) {
              var rn = r.host().node();
              b.append(rn.state()).append(" term=").append(rn.term()).append(" leader=").append(rn.leaderId())
                  .append(" last=").append(rn.lastIndex()).append(" commit=").append(rn.commitIndex())
                  .append(" snap=").append(rn.snapshotIndex()).append(" paused=").append(rn.isPaused())
                  .append(" change=").append(rn.membershipChangeInProgress()).append(" peers=").append(rn.peerIds())
                  .append(" migration=").append(r.migrationStatus()).append(" lastSeq=").append(r.store().lastSeq());
            } else {
              b.append(r == null ? "none" : "R1");
            }
            var sa = n.assignments().get("M");
            b.append(" assigned=").append(sa == null ? null : sa.group().peers())
                .append(sa == null || sa.group().desired() == null ? "" : " desired=" + sa.group().desired().peers());
          }
          System.out.println(b);
        }
        if (action < 55) {
          ClusterNode l = c.streamLeader("M");
          if (l == null) {
            c.runFor(1_000);
            continue;
          }
          String id = "id-" + (nextId++);
          CompletableFuture<PubAck> f = l.publish("M", "m." + rnd.nextInt(3), Headers.of(Headers.MSG_ID, id),
              id.getBytes(StandardCharsets.UTF_8));
          c.runUntil(f::isDone, 6_000);
          if (f.isDone() && !f.isCompletedExceptionally() && f.join().isOk() && !f.join().duplicate()) {
            assertThat(acked.put(id, f.join().seq())).isNull();
          }
        } else if (action < 70) {
          ClusterNode meta = c.metaLeader();
          StreamAssignment sa = meta == null ? null : meta.assignments().get("M");
          if (sa == null) {
            c.runFor(1_000);
            continue;
          }
          List<String> peers = sa.group().peers();
          String victim = null;
          for (String n : c.names()) {
            if (c.node(n) != null && peers.contains(c.node(n).id()) && rnd.nextBoolean()) {
              victim = n;
            }
          }
          CompletableFuture<StreamAssignment> f;
          int kind = rnd.nextInt(4);
          if (kind == 0 && victim != null) {
            f = meta.evacuateStreamPeer("M", victim);
          } else if (kind == 1 && victim != null) {
            f = meta.removeStreamPeer("M", victim);
          } else {
            int r = sa.config().replicas() == 3 ? 5 : 3;
            f = meta.updateStream(StreamConfigs.builder("M").subjects("m.>").replicas(r).build());
          }
          c.runUntil(f::isDone, 6_000);
          if (f.isDone() && !f.isCompletedExceptionally()) {
            changes++;
          }
        } else if (action < 78 && down.size() < 2) {
          String victim = c.names().get(rnd.nextInt(5));
          if (down.add(victim)) {
            c.kill(victim);
          }
        } else if (action < 88 && !down.isEmpty()) {
          String back = down.iterator().next();
          down.remove(back);
          c.restart(back);
        } else if (action < 94) {
          c.isolate(c.names().get(rnd.nextInt(5)));
          c.runFor(rnd.nextInt(6_000));
          c.heal();
        } else {
          c.runFor(rnd.nextInt(4_000));
        }
      }
      c.heal();
      for (String n : down) {
        c.restart(n);
      }
      c.awaitMetaLeader(T);
      try {
        c.awaitMigrated("M", T);
      } catch (IllegalStateException e) {
        StringBuilder b = new StringBuilder(c.describe("M"));
        for (ClusterNode n : c.liveNodes()) {
          StreamAssignment sa = n.assignments().get("M");
          b.append('\n').append(n.name()).append(" (").append(n.id()).append(") group=")
              .append(sa == null ? null : sa.group()).append(" migration=")
              .append(n.replica("M") == null ? null : n.replica("M").migrationStatus());
        }
        throw new IllegalStateException(e.getMessage() + b, e);
      }
      List<ClusterNode> rs = c.replicas("M");
      int replicas = (int) c.streamLeader("M").assignments().get("M").config().replicas();
      assertThat(rs).hasSize(replicas);
      assertThat(acked).isNotEmpty();
      byte[] ref = rs.get(0).replica("M").store().encodedState(rs.get(0).replica("M").clfs(), false);
      for (ClusterNode n : rs) {
        Map<String, Long> seen = new HashMap<>();
        var st = n.replica("M").store().state();
        for (long q = st.firstSeq(); q <= st.lastSeq(); q++) {
          StoredMessage m = n.getMessage("M", q);
          if (m != null) {
            String id = Headers.get(m.header(), Headers.MSG_ID);
            assertThat(seen.put(id, q)).as("id %s twice on %s", id, n.name()).isNull();
          }
        }
        for (Map.Entry<String, Long> e : acked.entrySet()) {
          assertThat(seen.get(e.getKey())).as("acked %s on %s", e.getKey(), n.name()).isEqualTo(e.getValue());
        }
        assertThat(n.replica("M").store().encodedState(n.replica("M").clfs(), false)).as(n.name()).isEqualTo(ref);
      }
      System.out.println("MembershipCampaign seed " + seed + ": " + acked.size() + " acked, " + changes
          + " membership changes, final R" + replicas + " on " + MembershipScenariosTest.names(c, "M"));
    }
  }
}
