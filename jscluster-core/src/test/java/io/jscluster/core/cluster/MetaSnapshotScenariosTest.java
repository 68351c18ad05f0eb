package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.FileNodeStorage;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.store.StreamStore;
import io.jscluster.core.stream.StreamReplica;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A meta snapshot applied while the node runs (a meta follower caught up from a compacted log). */
class MetaSnapshotScenariosTest {

  static final long T = 120_000;

  @Test
  @DisplayName("A runtime meta snapshot diffs against the node's assignments (nats-server applyMetaSnapshot): "
      + "a re-stated stream keeps its replica and files, removed streams go, a recreated one starts afresh")
  void runtimeSnapshotAppliesTheDiff(@TempDir Path dir) {
    long seed = 81;
    System.out.println("MetaSnapshotScenariosTest#runtimeSnapshotAppliesTheDiff seed " + seed);
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(seed).fileStorage(dir).build()) {
      c.start();
      ClusterNode metaLeader = c.awaitMetaLeader(T);
      for (String s : new String[] {"A", "B", "D"}) {
        c.createStream(StreamConfigs.builder(s).subjects(s.toLowerCase()).replicas(3).storage(StorageType.FILE)
            .build());
      }
      ClusterScenariosTest.publishN(c, "A", "a", 20);
      ClusterScenariosTest.publishN(c, "B", "b", 5);
      ClusterScenariosTest.publishN(c, "D", "d", 5);
      for (String s : new String[] {"A", "B", "D"}) {
        c.awaitCurrent(s, T);
      }
      ClusterNode f = c.liveNodes().stream().filter(n -> n != metaLeader).findFirst().orElseThrow();
      StreamReplica aBefore = f.replica("A");
      StreamStore aStoreBefore = aBefore.store();
      Path dDir = ((FileNodeStorage) c.storage(f.name())).streamDir("D");
      assertThat(dDir).exists();
      long metaIndexBefore = f.metaHost().node().lastIndex();

      c.isolate(f.name());
      ClusterNode ml = c.awaitMetaLeader(T);
      // A re-stated with a new limit, D removed, B removed and created again, C new.
      c.updateStream(StreamConfigs.builder("A").subjects("a").replicas(3).storage(StorageType.FILE).maxMsgs(1000)
          .build());
      c.await(ml.deleteStream("D"), T);
      c.await(ml.deleteStream("B"), T);
      c.createStream(StreamConfigs.builder("B").subjects("b2").replicas(3).storage(StorageType.FILE).build());
      c.createStream(StreamConfigs.builder("C").subjects("c").replicas(3).storage(StorageType.FILE).build());
      ClusterScenariosTest.publishN(c, "A", "a", 10);
      ClusterScenariosTest.publishN(c, "B", "b2", 3);
      // The meta leader snapshots (its minute timer) and compacts the entries the isolated node lacks.
      c.runFor(65_000);
      ClusterNode ml2 = c.awaitMetaLeader(T);
      assertThat(ml2.metaHost().node().snapshotIndex()).isGreaterThan(metaIndexBefore);

      c.heal();
      c.await(() -> f.assignments().containsKey("C") && !f.assignments().containsKey("D")
          && f.replica("C") != null && f.replica("D") == null, T, "the snapshot applied on " + f.name());
      assertThat(f.metaHost().node().snapshotIndex()).as("caught up through a snapshot")
          .isGreaterThan(metaIndexBefore);
      for (String s : new String[] {"A", "B", "C"}) {
        c.awaitCurrent(s, T);
      }
      // The re-stated stream kept its replica and store (its files were never deleted) and took the update.
      assertThat(f.replica("A")).isSameAs(aBefore);
      assertThat(f.replica("A").store()).isSameAs(aStoreBefore);
      assertThat(f.replica("A").assignment().config().maxMsgs()).isEqualTo(1000);
      assertThat(f.replica("A").catchupsStarted()).isZero();
      assertThat(c.state(f.name(), "A").msgs()).isEqualTo(30);
      // The removed stream's files are gone; the recreated one holds only its new messages.
      assertThat(dDir).doesNotExist();
      assertThat(c.state(f.name(), "B").msgs()).isEqualTo(3);
      assertThat(f.replica("B").store().load(1).subject()).isEqualTo("b2");
      assertThat(Files.exists(((FileNodeStorage) c.storage(f.name())).streamDir("B"))).isTrue();
      ClusterScenariosTest.assertReplicasIdentical(c, "A");
      ClusterScenariosTest.assertReplicasIdentical(c, "B");
    }
  }
}
