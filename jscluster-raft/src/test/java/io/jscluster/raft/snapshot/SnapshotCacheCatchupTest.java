package io.jscluster.raft.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.sim.SimCluster;
import io.jscluster.raft.sim.SimNode;
import io.jscluster.raft.wal.WalOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A leader on the file snapshot store catches several followers up from one snapshot and reads
 * and verifies the file once, not once per catch-up (virtual time, every node on its own {@link
 * io.jscluster.raft.sim.SimDisk}).
 */
class SnapshotCacheCatchupTest {

  @Test
  void aLeaderReadsItsSnapshotFileOnceForSeveralCatchups() {
    long seed = 77;
    System.out.println("SnapshotCacheCatchupTest seed=" + seed);
    SimCluster c = new SimCluster(seed, 5, cfg -> cfg, WalOptions.defaults()).start();
    SimNode leader = c.awaitLeader(30_000);
    assertThat(leader).isNotNull();
    List<SimNode> behind = new ArrayList<>();
    for (SimNode n : c.nodes()) {
      if (n != leader && behind.size() < 2) {
        behind.add(n);
      }
    }
    behind.forEach(n -> n.crash(0));
    for (int i = 0; i < 10; i++) {
      assertThat(c.propose(("d" + i).getBytes(StandardCharsets.UTF_8))).isTrue();
    }
    long target = leader.raft().lastIndex();
    assertThat(c.awaitApplied(target, 10_000)).isTrue();
    leader.snapshot(false);
    assertThat(leader.log().isEmpty()).as("the followers can only catch up from the snapshot")
        .isTrue();
    SnapshotStore store = (SnapshotStore) leader.snapshotStorage();
    long readsBefore = store.fileReads();

    behind.forEach(SimNode::start);
    assertThat(c.sim().runUntil(() -> behind.stream()
        .allMatch(n -> n.alive() && n.raft().appliedIndex() >= target), 60_000))
        .as("seed %d", seed).isTrue();
    assertThat(c.leader()).isSameAs(leader);
    for (SimNode n : behind) {
      assertThat(n.raft().snapshotIndex()).isGreaterThanOrEqualTo(target);
    }
    assertThat(store.fileReads() - readsBefore)
        .as("two catch-ups from one snapshot, one read and checksum of its file").isEqualTo(1);
    assertThat(c.checker().violations()).isEmpty();
  }
}
