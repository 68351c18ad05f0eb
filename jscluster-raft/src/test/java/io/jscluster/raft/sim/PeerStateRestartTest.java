package io.jscluster.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.RaftState;
import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.LogException;
import io.jscluster.raft.state.PeerStateFile;
import io.jscluster.raft.wal.WalOptions;
import io.jscluster.raft.wire.PeerState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code peers.idx} on the production file storage ({@link PeerStateFile} on a {@link SimDisk}):
 * a committed membership change is durable across power losses, a restart reads it before the
 * log replay, a missing file falls back to the configuration and the log (with a warning), and a
 * damaged one stops the node with a typed error rather than letting it guess its membership.
 */
class PeerStateRestartTest {

  private static SimCluster diskCluster(long seed) {
    Simulation[] sim = new Simulation[1];
    WalOptions wal = WalOptions.defaults().withFsyncPolicy(FsyncPolicy.ALWAYS)
        .withSegmentBytes(4096).withWriteBufferBytes(4096).withMaxRecordBytes(1 << 20)
        .withNanoClock(() -> sim[0].now() * 1_000_000L);
    SimCluster c = new SimCluster(seed, 3, cfg -> cfg, wal);
    sim[0] = c.sim();
    return c.start();
  }

  private static void proposeAndApply(SimCluster c, int count) {
    for (int i = 0; i < count; i++) {
      assertThat(c.propose(("m" + c.sim().now() + "-" + i).getBytes(StandardCharsets.UTF_8)))
          .isTrue();
    }
    long target = c.leader().raft().lastIndex();
    assertThat(c.awaitApplied(target, 30_000)).as(Chaos.describe(c)).isTrue();
  }

  /** Removes a follower, waits for the removal to commit everywhere and stops the removed node. */
  private static SimNode removeAFollower(SimCluster c) {
    SimNode l = c.awaitLeader(30_000);
    proposeAndApply(c, 2);
    SimNode victim = c.alive().stream().filter(n -> n != l).findFirst().orElseThrow();
    l.input(r -> r.proposeRemovePeer(c.sim().now(), victim.id()));
    assertThat(c.sim().runUntil(() -> c.alive().stream().filter(n -> n != victim)
        .allMatch(n -> n.raft().clusterSize() == 2 && !n.raft().membershipChangeInProgress()),
        30_000)).as(Chaos.describe(c)).isTrue();
    proposeAndApply(c, 2);
    victim.crash(0);
    return victim;
  }

  @Test
  void aCommittedRemovalSurvivesAPowerLossOfEveryMember() throws IOException {
    SimCluster c = diskCluster(41);
    SimNode victim = removeAFollower(c);
    List<SimNode> rest = c.alive();
    for (SimNode n : rest) {
      PeerState stored = new PeerStateFile(n.disk().root()).read().orElseThrow();
      assertThat(stored.knownPeers()).doesNotContain(victim.id()).hasSize(2);
      assertThat(stored.clusterSize()).isEqualTo(2);
    }
    for (SimNode n : rest) {
      n.crash(0);
    }
    for (SimNode n : rest) {
      n.start();
      // Read at start-up, before any message: the configuration still lists three peers.
      assertThat(n.raft().peerIds()).doesNotContain(victim.id());
      assertThat(n.raft().clusterSize()).isEqualTo(2);
      assertThat(n.raft().quorumNeeded()).isEqualTo(2);
    }
    assertThat(c.awaitLeader(60_000)).isNotNull();
    proposeAndApply(c, 3);
    c.checker().checkConverged(c.alive());
    assertThat(c.checker().violations()).isEmpty();
  }

  @Test
  void aMissingPeersFileFallsBackToTheConfigurationAndTheLog() throws IOException {
    SimCluster c = diskCluster(42);
    SimNode victim = removeAFollower(c);
    SimNode n = c.alive().stream().filter(x -> !x.raft().isLeader()).findFirst().orElseThrow();
    n.crash(0);
    Files.delete(new PeerStateFile(n.disk().root()).path());
    n.start();
    // The log's committed removal is replayed over the configured peers, and the file is back.
    assertThat(n.raft().writeError()).isNull();
    assertThat(n.raft().peerIds()).doesNotContain(victim.id());
    assertThat(c.sim().runUntil(() -> n.raft().clusterSize() == 2
        && !n.raft().membershipChangeInProgress(), 30_000)).isTrue();
    assertThat(new PeerStateFile(n.disk().root()).read().orElseThrow().knownPeers())
        .doesNotContain(victim.id());
    proposeAndApply(c, 2);
  }

  @Test
  void aDamagedPeersFileStopsTheNodeWithATypedErrorAndKeepsItsState() throws IOException {
    SimCluster c = diskCluster(43);
    removeAFollower(c);
    SimNode n = c.alive().stream().filter(x -> !x.raft().isLeader()).findFirst().orElseThrow();
    long held = n.raft().lastIndex();
    n.crash(0);
    PeerStateFile file = new PeerStateFile(n.disk().root());
    byte[] bytes = Files.readAllBytes(file.path());
    // Claims more ids than the file holds.
    bytes[4] = 9;
    Files.write(file.path(), bytes);
    n.start();
    assertThat(n.raft().state()).isEqualTo(RaftState.CLOSED);
    assertThat(n.raft().writeError()).isNotNull();
    assertThat(n.raft().writeError().kind()).isEqualTo(LogException.Kind.CORRUPT);
    // Nothing was discarded or overwritten: the log and the damaged file are as they were.
    assertThat(Files.readAllBytes(file.path())).isEqualTo(bytes);
    assertThat(n.log().lastIndex()).isGreaterThanOrEqualTo(held);
  }
}
