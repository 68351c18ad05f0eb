package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.FileNodeStorage;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.meta.MetaGroup;
import io.jscluster.raft.state.PeerStateFile;
import io.jscluster.raft.wire.PeerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every Raft group of a file-backed node keeps its committed membership in {@code peers.idx}. */
class PeerStateFileScenariosTest {

  private static final long T = 120_000;

  private static PeerState peersOf(InProcessCluster c, String node, String group) throws IOException {
    Path dir = ((FileNodeStorage) c.storage(node)).groupDir(group);
    assertThat(dir.resolve("peers.idx")).as("peers.idx of %s on %s", group, node).exists();
    return new PeerStateFile(dir).read().orElseThrow();
  }

  private static List<String> ids(InProcessCluster c, String stream) {
    return c.replicas(stream).stream().map(ClusterNode::id).sorted().toList();
  }

  @Test
  @DisplayName("The meta group and each stream group write peers.idx; after a peer is evacuated the survivors' "
      + "files name the new membership, which a restarted survivor keeps")
  void membershipIsPersistedAndSurvivesRestart(@TempDir Path dir) throws IOException {
    try (InProcessCluster c = InProcessCluster.builder().nodes(4).seed(91).fileStorage(dir).build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("P").subjects("p.>").replicas(3).storage(StorageType.FILE).build());
      ClusterScenariosTest.publishN(c, "P", "p.x", 5);
      c.awaitCurrent("P", T);
      String group = c.replicas("P").get(0).replica("P").assignment().group().name();
      for (String n : c.names()) {
        PeerState meta = peersOf(c, n, MetaGroup.GROUP);
        assertThat(meta.clusterSize()).isEqualTo(4);
        assertThat(meta.knownPeers()).hasSize(4);
      }
      for (ClusterNode n : c.replicas("P")) {
        assertThat(peersOf(c, n.name(), group).knownPeers()).containsExactlyInAnyOrderElementsOf(ids(c, "P"));
      }

      String gone = ClusterScenariosTest.aFollower(c, "P").name();
      StreamAssignment sa = c.evacuateStreamPeer("P", gone);
      assertThat(sa.group().peers()).contains(c.node(gone).id());
      c.awaitMigrated("P", T);
      List<String> after = ids(c, "P");
      assertThat(after).doesNotContain(c.node(gone).id()).hasSize(3);
      ClusterNode survivor = ClusterScenariosTest.aFollower(c, "P");
      c.await(() -> {
        try {
          return peersOf(c, survivor.name(), group).knownPeers().stream().sorted().toList().equals(after);
        } catch (IOException e) {
          return false;
        }
      }, T, "peers.idx of " + survivor.name() + " names " + after);

      String name = survivor.name();
      c.kill(name);
      c.restart(name);
      c.awaitCurrent("P", T);
      assertThat(c.node(name).replica("P").host().node().peerInfos(0).stream().map(p -> p.id()).sorted().toList())
          .isEqualTo(after);
      ClusterScenariosTest.publishN(c, "P", "p.x", 3);
      c.awaitCurrent("P", T);
      assertThat(Files.exists(((FileNodeStorage) c.storage(gone)).groupDir(group).resolve("peers.idx"))).isFalse();
    }
  }
}
