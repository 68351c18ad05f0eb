package io.jscluster.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
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
}
