package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.core.ClusterNode;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.info.ClusterInfo;
import io.jscluster.core.info.PeerInfo;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Cluster info and the cluster stream-info request on the in-process cluster. */
class ClusterInfoScenariosTest {

  static final long T = 60_000;

  @Test
  @DisplayName("Go: TestJetStreamClusterPeerOffline (cluster info marks a stopped peer offline, and online again after restart)")
  void peerOffline() {
    try (InProcessCluster c = ClusterScenariosTest.started(3, 41)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterScenariosTest.publishN(c, "TEST", "foo", 3);
      c.awaitCurrent("TEST", T);
      ClusterNode leader = c.streamLeader("TEST");
      ClusterNode victim = ClusterScenariosTest.aFollower(c, "TEST");
      String victimName = victim.name();
      ClusterInfo ci = leader.clusterInfo("TEST");
      assertThat(ci.leader()).isEqualTo(leader.name());
      assertThat(ci.raftGroup()).isEqualTo(leader.assignments().get("TEST").group().name());
      assertThat(ci.replicas()).extracting(PeerInfo::name).doesNotContain(leader.name()).contains(victimName);
      assertThat(ci.replica(victim.id()).offline()).isFalse();
      assertThat(ci.replica(victim.id()).current()).isTrue();
      c.kill(victimName);
      c.runFor(15_000);
      ClusterNode l2 = c.awaitStreamLeader("TEST", T);
      ClusterInfo down = l2.clusterInfo("TEST");
      assertThat(down.replica(victim.id()).offline()).as("%s", down).isTrue();
      assertThat(down.replica(victim.id()).current()).isFalse();
      c.restart(victimName);
      c.awaitCurrent("TEST", T);
      c.runFor(2_000);
      ClusterInfo back = c.streamLeader("TEST").clusterInfo("TEST");
      assertThat(back.replica(victim.id()).offline()).isFalse();
    }
  }

  @Test
  @DisplayName("A meta follower reports a live fellow follower online and a dead one not offline without evidence; "
      + "the group leader still reports the dead one offline")
  void offlineOnlyOnEvidence() {
    try (InProcessCluster c = ClusterScenariosTest.started(3, 42)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterScenariosTest.publishN(c, "TEST", "foo", 3);
      c.awaitCurrent("TEST", T);
      // The meta leader also leads the stream: the other two follow on every group.
      ClusterNode meta = c.metaLeader();
      for (int i = 0; i < 5 && !meta.isStreamLeader("TEST"); i++) {
        ClusterNode l = c.awaitStreamLeader("TEST", T);
        l.replica("TEST").host().input(n -> n.stepDown(c.simulation().now(), meta.id()));
        c.runUntil(() -> c.streamLeader("TEST") != null && c.streamLeader("TEST") != l, 10_000);
      }
      assertThat(meta.isStreamLeader("TEST")).isTrue();
      ClusterNode f = null;
      ClusterNode g = null;
      for (ClusterNode n : c.liveNodes()) {
        if (n != meta) {
          if (f == null) {
            f = n;
          } else {
            g = n;
          }
        }
      }
      c.runFor(15_000);
      ClusterInfo fromFollower = f.clusterInfo("TEST");
      assertThat(fromFollower.replica(g.id()).offline()).as("live follower seen from %s: %s", f.name(), fromFollower)
          .isFalse();
      assertThat(fromFollower.replica(meta.id()).offline()).isFalse();
      c.kill(g.name());
      c.runFor(15_000);
      // The follower never heard from g and has no group on which it would: not evidence.
      assertThat(f.clusterInfo("TEST").replica(g.id()).offline()).isFalse();
      assertThat(c.metaLeader().clusterInfo("TEST").replica(g.id()).offline()).isTrue();
    }
  }

  @Test
  @DisplayName("A $JSC.SI request is answered by the stream leader; without a leader, after a delay, by a member")
  void streamInfoOverTheTransport() {
    try (InProcessCluster c = ClusterScenariosTest.started(5, 43)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterScenariosTest.publishN(c, "TEST", "foo", 5);
      c.awaitCurrent("TEST", T);
      ClusterNode outsider = null;
      for (ClusterNode n : c.liveNodes()) {
        if (n.replica("TEST") == null) {
          outsider = n;
        }
      }
      assertThat(outsider).isNotNull();
      ClusterNode leader = c.streamLeader("TEST");
      long sent = c.simulation().now();
      CompletableFuture<byte[]> f = outsider.requestStreamInfo("TEST");
      String json = new String(c.await(f, T), StandardCharsets.UTF_8);
      assertThat(c.simulation().now() - sent).isLessThan(500);
      assertThat(json).startsWith("{\"config\":{\"name\":\"TEST\"").contains("\"messages\":5", "\"last_seq\":5",
          "\"leader\":\"" + leader.name() + "\"", "\"raft_group\":\"" + leader.assignments().get("TEST").group().name())
          .contains("\"ts\":");
      // Take the group's quorum away: the survivor has no leader and answers after its delay.
      ClusterNode survivor = ClusterScenariosTest.aFollower(c, "TEST");
      for (ClusterNode n : c.replicas("TEST")) {
        if (n != survivor) {
          c.kill(n.name());
        }
      }
      c.runFor(12_000);
      assertThat(survivor.isStreamLeader("TEST")).isFalse();
      long sent2 = c.simulation().now();
      String json2 = new String(c.await(outsider.requestStreamInfo("TEST"), T), StandardCharsets.UTF_8);
      assertThat(c.simulation().now() - sent2).isGreaterThanOrEqualTo(500);
      assertThat(json2).contains("\"messages\":5").doesNotContain("\"leader\":");
    }
  }
}
