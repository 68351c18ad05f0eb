package io.jscluster.core.cluster;

import static io.jscluster.core.cluster.ClusterScenariosTest.b;
import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.Headers;
import io.jscluster.core.PubAck;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.store.SyncPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link InProcessCluster#kill} on a cluster in real directories ({@code fileStorage(dir)}) is a
 * {@code kill -9}: the files keep exactly what the operating system held at that instant — no
 * flush of the JVM's write buffers, no clean-close checkpoint or manifest — and the cluster
 * recovers from that.
 */
class KillNineTest {

  static final long T = 120_000;

  /** Every regular file under {@code root} with its bytes, by path. */
  static Map<Path, byte[]> files(Path root) {
    Map<Path, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p), Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static List<Path> differing(Map<Path, byte[]> a, Map<Path, byte[]> b) {
    List<Path> out = new ArrayList<>();
    for (Path p : a.keySet()) {
      if (!b.containsKey(p) || !Arrays.equals(a.get(p), b.get(p))) {
        out.add(p);
      }
    }
    for (Path p : b.keySet()) {
      if (!a.containsKey(p)) {
        out.add(p);
      }
    }
    return out;
  }

  @Test
  @DisplayName("kill leaves a node's files byte for byte as the OS held them; a clean stop would have written its checkpoints")
  void killWritesNothing(@TempDir Path dir) {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(71).fileStorage(dir).build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterScenariosTest.publishN(c, "TEST", "foo", 20);
      c.awaitCurrent("TEST", T);
      List<ClusterNode> followers = new ArrayList<>();
      for (ClusterNode n : c.replicas("TEST")) {
        if (!n.isStreamLeader("TEST")) {
          followers.add(n);
        }
      }
      String killed = followers.get(0).name();
      String stopped = followers.get(1).name();

      Map<Path, byte[]> before = files(dir.resolve(killed));
      c.kill(killed);
      assertThat(differing(before, files(dir.resolve(killed)))).as("files the kill changed").isEmpty();

      // The control: the same stop run as a clean shutdown writes the store's clean-close checkpoint.
      Map<Path, byte[]> beforeStop = files(dir.resolve(stopped));
      c.stop(stopped);
      assertThat(differing(beforeStop, files(dir.resolve(stopped)))).as("files a clean stop changed")
          .isNotEmpty();

      c.restart(killed);
      c.restart(stopped);
      ClusterScenariosTest.publishN(c, "TEST", "foo", 5);
      c.awaitCurrent("TEST", T);
      ClusterScenariosTest.assertReplicasIdentical(c, "TEST");
      assertThat(c.state(killed, "TEST").msgs()).isEqualTo(25);
    }
  }

  @Test
  @DisplayName("kill loses what an interval-synced store still buffered in the JVM; a clean stop keeps it")
  void killDropsTheJvmBuffers(@TempDir Path dir) {
    for (boolean clean : new boolean[] {false, true}) {
      try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(72)
          .fileStorage(dir.resolve(clean ? "stop" : "kill")).storeSync(SyncPolicy.INTERVAL).build()) {
        c.start();
        c.awaitMetaLeader(T);
        c.createStream(StreamConfigs.builder("R1").subjects("r1").replicas(1).build());
        ClusterNode host = c.awaitStreamLeader("R1", T);
        assertThat(host.replica("R1").host()).as("an R1 stream has no Raft group to replay").isNull();
        for (int i = 0; i < 3; i++) {
          assertThat(c.publish("R1", "r1", b("m" + i)).isOk()).isTrue();
        }
        if (clean) {
          c.stop(host.name());
        } else {
          c.kill(host.name());
        }
        c.restart(host.name());
        c.awaitStreamLeader("R1", T);
        // Acknowledged under the opt-in interval policy and only in the store's write buffer when
        // the process died: a kill -9 loses them, a clean stop flushes them.
        assertThat(c.state(host.name(), "R1").msgs()).as(clean ? "after a clean stop" : "after kill -9")
            .isEqualTo(clean ? 3 : 0);
      }
    }
  }

  @Test
  @DisplayName("A stream survives repeated kill -9 of random nodes on file storage, default and interval store syncs (Jepsen 2025, failure a)")
  void repeatedKillOnFileStorage(@TempDir Path dir) {
    for (SyncPolicy p : SyncPolicy.values()) {
      long seed = 73 + p.ordinal();
      System.out.println("KillNineTest repeated kill seed " + seed + " store " + p);
      try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(seed).fileStorage(dir.resolve(p.name()))
          .storeSync(p).snapshotPolicy(SnapshotScenariosTest.SMALL).build()) {
        c.start();
        c.awaitMetaLeader(T);
        c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).storage(StorageType.FILE).build());
        Map<String, Long> acked = new HashMap<>();
        int id = 0;
        for (int round = 0; round < 8; round++) {
          String victim = c.names().get(c.simulation().random().nextInt(3));
          ClusterNode l = c.awaitStreamLeader("TEST", T);
          // Pipelined publishes in flight when the victim dies.
          List<java.util.concurrent.CompletableFuture<PubAck>> fs = new ArrayList<>();
          List<String> ids = new ArrayList<>();
          for (int i = 0; i < 10; i++) {
            String k = "k" + id++;
            ids.add(k);
            fs.add(l.publish("TEST", "foo", Headers.of(Headers.MSG_ID, k), b(k)));
          }
          c.runFor(c.simulation().random().nextInt(20));
          c.kill(victim);
          c.awaitMetaLeader(T);
          c.awaitStreamLeader("TEST", T);
          c.runUntil(() -> fs.stream().allMatch(f -> f.isDone()), 10_000);
          for (int i = 0; i < fs.size(); i++) {
            var f = fs.get(i);
            if (f.isDone() && !f.isCompletedExceptionally() && f.join().isOk()) {
              acked.put(ids.get(i), f.join().seq());
            }
          }
          c.restart(victim);
        }
        c.awaitMetaLeader(T);
        c.awaitCurrent("TEST", T);
        assertThat(acked).isNotEmpty();
        for (ClusterNode n : c.liveNodes()) {
          assertThat(n.assignments()).containsKey("TEST");
          for (var e : acked.entrySet()) {
            var m = n.getMessage("TEST", e.getValue());
            assertThat(m).as("acked %s at %d on %s (seed %d)", e.getKey(), e.getValue(), n.name(), seed).isNotNull();
            assertThat(Headers.get(m.header(), Headers.MSG_ID)).isEqualTo(e.getKey());
          }
        }
        ClusterScenariosTest.assertReplicasIdentical(c, "TEST");
      }
    }
  }
}
