package io.jscluster.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole-group snapshot scenarios ported from nats-server's raft_test.go, in virtual time: a node's
 * snapshot is its whole applied history ({@link SimNode#snapshot(boolean)}), so the invariant
 * checker compares restored state entry by entry.
 */
class SnapshotScenariosTest {

  private SimCluster cluster;

  @AfterEach
  void invariantsHeld() {
    if (cluster != null) {
      cluster.checker().checkLogMatching(cluster.alive());
      assertThat(cluster.checker().violations()).as("seed %d", cluster.sim().seed()).isEmpty();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<SimNode> followers(SimCluster c, SimNode leader) {
    List<SimNode> out = new ArrayList<>();
    for (SimNode n : c.nodes()) {
      if (n != leader) {
        out.add(n);
      }
    }
    return out;
  }

  // Go: TestNRGSnapshotCatchup
  @ParameterizedTest(name = "Go: TestNRGSnapshotCatchup (leader restart: {0})")
  @ValueSource(booleans = {false, true})
  void snapshotCatchup(boolean restartLeader) {
    cluster = new SimCluster(restartLeader ? 41 : 40, 3).start();
    SimCluster c = cluster;
    SimNode l = c.awaitLeader(30_000);
    assertThat(l).isNotNull();
    List<SimNode> fs = followers(c, l);
    SimNode s1 = fs.get(0);
    SimNode s2 = fs.get(1);

    s1.crash(0);
    for (int i = 0; i < 10; i++) {
      assertThat(c.propose(bytes("d" + i))).isTrue();
    }
    long target = l.raft().lastIndex();
    assertThat(c.awaitApplied(target, 10_000)).isTrue();

    s2.crash(0);
    // Snapshot so the stopped follower can only catch up from it.
    l.snapshot(false);
    assertThat(l.raft().snapshotIndex()).isEqualTo(target);
    assertThat(l.log().isEmpty()).isTrue();

    long before = l.raft().lastIndex();
    assertThat(c.propose(bytes("d10"))).isTrue();
    c.sim().runFor(100);
    assertThat(l.raft().lastIndex()).isGreaterThan(before);

    if (restartLeader) {
      l.crash(0);
      c.sim().runFor(100);
      l.start();
    }
    s1.start();
    // Everything applied by the leader before, plus the entry it stored alone, reaches s1.
    long last = l.raft().lastIndex();
    assertThat(c.sim().runUntil(() -> s1.alive() && s1.raft().appliedIndex() >= last
        && c.leader() != null && c.leader().raft().appliedIndex() >= last, 60_000))
        .as(Chaos.describe(c)).isTrue();
    assertThat(s1.raft().snapshotIndex()).isGreaterThanOrEqualTo(target);
    assertThat(s1.snapshots().names()).isNotEmpty();
    for (long i = 1; i <= last; i++) {
      if (c.checker().committed().containsKey(i)) {
        assertThat(s1.applied()).containsKey(i);
      }
    }
    long fin = c.leader().raft().commitIndex();
    assertThat(c.sim().runUntil(() -> s1.raft().appliedIndex() >= fin
        && c.leader().raft().appliedIndex() >= fin, 10_000)).isTrue();
    c.checker().checkConverged(List.of(s1, c.leader()));
  }

  // Go: TestNRGSnapshotAndRestart
  @ParameterizedTest(name = "Go: TestNRGSnapshotAndRestart (seed {0})")
  @ValueSource(longs = {50, 51})
  void snapshotAndRestart(long seed) {
    cluster = new SimCluster(seed, 3).start();
    SimCluster c = cluster;
    SimNode l = c.awaitLeader(30_000);
    assertThat(l).isNotNull();
    SimNode f = followers(c, l).get(0);
    for (int i = 0; i < 20; i++) {
      assertThat(c.propose(bytes("a" + i))).isTrue();
    }
    long mid = l.raft().lastIndex();
    assertThat(c.awaitApplied(mid, 10_000)).isTrue();
    // Snapshot the leader and a follower in the middle of the stream.
    l.snapshot(false);
    f.snapshot(false);
    for (int i = 0; i < 20; i++) {
      assertThat(c.propose(bytes("b" + i))).isTrue();
    }
    long end = c.leader().raft().lastIndex();
    assertThat(c.awaitApplied(end, 10_000)).isTrue();

    for (SimNode n : c.nodes()) {
      n.crash(0);
    }
    c.sim().runFor(1_000);
    c.start();
    SimNode l2 = c.awaitLeader(60_000);
    assertThat(l2).isNotNull();
    assertThat(c.propose(bytes("after"))).isTrue();
    long fin = l2.raft().lastIndex();
    assertThat(c.awaitApplied(fin, 30_000)).as(Chaos.describe(c)).isTrue();
    c.checker().checkConverged(c.alive());
    assertThat(l.raft().snapshotIndex()).isEqualTo(mid);
    assertThat(f.raft().snapshotIndex()).isEqualTo(mid);
  }

  @Test
  @DisplayName("Go: TestNRGNoLogResetOnCorruptedSendToFollower")
  void noLogResetOnCorruptedSendToFollower() {
    cluster = new SimCluster(60, 3).start();
    SimCluster c = cluster;
    SimNode l = c.awaitLeader(30_000);
    assertThat(l).isNotNull();
    for (int i = 0; i < 10; i++) {
      assertThat(c.propose(bytes("d" + i))).isTrue();
      c.sim().runFor(50);
    }
    long applied = l.raft().lastIndex();
    assertThat(c.awaitApplied(applied, 10_000)).isTrue();
    l.snapshot(false);
    assertThat(l.log().isEmpty()).isTrue();

    // Flatten one follower's log so it needs the snapshot, and damage the leader's snapshot.
    SimNode f = followers(c, l).get(0);
    f.log().truncateAfter(0);
    f.log().sync();
    f.crash(0);
    assertThat(l.snapshots().flipBit(l.raft().snapshotTerm(), l.raft().snapshotIndex(), 100))
        .isTrue();
    long leaderLast = l.raft().lastIndex();
    f.start();

    // The leader cannot serve the snapshot: it steps down rather than resetting its log, and the
    // group recovers (the third node, which holds the whole log, can serve the follower).
    assertThat(c.sim().runUntil(() -> f.raft().appliedIndex() >= applied, 120_000))
        .as(Chaos.describe(c)).isTrue();
    assertThat(l.raft().lastIndex()).isGreaterThanOrEqualTo(leaderLast);
    assertThat(l.raft().snapshotIndex()).isEqualTo(applied);
    assertThat(l.leaderSignals()).contains(false);
  }

  @Test
  @DisplayName("Go: TestNRGChainOfBlocksStopAndCatchUp")
  void chainOfBlocksStopAndCatchUp() {
    cluster = new SimCluster(70, 3).start();
    SimCluster c = cluster;
    assertThat(c.awaitLeader(30_000)).isNotNull();
    Random rnd = new Random(70);
    List<SimNode> all = new ArrayList<>(c.nodes());
    int blocks = 0;
    for (int round = 1; round <= 50; round++) {
      SimNode stopped = all.get(rnd.nextInt(all.size()));
      stopped.crash(0);
      SimNode snap = all.get(rnd.nextInt(all.size()));
      while (snap == stopped) {
        snap = all.get(rnd.nextInt(all.size()));
      }
      try {
        snap.snapshot(false);
      } catch (io.jscluster.raft.RaftException e) {
        // Nothing new applied since its last snapshot, or a catch-up is being served.
      }
      assertThat(c.awaitLeader(60_000)).as("round %d", round).isNotNull();
      for (int i = 0; i < 3; i++) {
        assertThat(c.propose(bytes("block-" + blocks++))).isTrue();
      }
      stopped.start();
      int expected = blocks;
      assertThat(c.sim().runUntil(() -> {
        for (SimNode n : all) {
          if (normalEntries(n) != expected) {
            return false;
          }
        }
        return true;
      }, 60_000)).as("round %d: %s", round, Chaos.describe(c)).isTrue();
    }
    c.checker().checkConverged(c.alive());
  }

  // Go: TestNRGDontRejectAppendEntryFromReplay
  @ParameterizedTest(name = "Go: TestNRGDontRejectAppendEntryFromReplay (leader restart: {0})")
  @ValueSource(booleans = {false, true})
  void dontRejectAppendEntryFromReplay(boolean restartLeader) {
    cluster = new SimCluster(restartLeader ? 81 : 80, 3).start();
    SimCluster c = cluster;
    SimNode l = c.awaitLeader(30_000);
    assertThat(l).isNotNull();
    List<SimNode> fs = followers(c, l);
    for (SimNode f : fs) {
      f.crash(0);
    }
    long before = l.raft().lastIndex();
    assertThat(c.propose(bytes("delta"))).isTrue();
    c.sim().runFor(100);
    assertThat(l.raft().lastIndex()).isGreaterThan(before);
    long stored = l.raft().lastIndex();

    if (restartLeader) {
      l.crash(0);
      c.sim().runFor(100);
      l.start();
    }
    SimNode rs = fs.get(0);
    rs.start();
    // The entry stored only on the leader reaches the returning follower and is applied by both.
    assertThat(c.sim().runUntil(() -> l.raft().appliedIndex() >= stored
        && rs.raft().appliedIndex() >= stored, 60_000)).as(Chaos.describe(c)).isTrue();
    assertThat(normalEntries(rs)).isEqualTo(1);
    assertThat(normalEntries(l)).isEqualTo(1);
  }

  private static long normalEntries(SimNode n) {
    long count = 0;
    for (List<io.jscluster.raft.wire.Entry> es : n.applied().values()) {
      for (io.jscluster.raft.wire.Entry e : es) {
        if (e.type() == io.jscluster.raft.wire.EntryType.NORMAL) {
          count++;
        }
      }
    }
    return count;
  }
}
