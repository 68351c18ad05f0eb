package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.codec.meta.StreamConfig;
import io.jscluster.core.ApiError;
import io.jscluster.core.ClusterException;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.StreamConfigs;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Stream peer remove, peer evacuate and replica-count changes on the in-process cluster. */
class MembershipScenariosTest {

  static final long T = 120_000;

  static List<String> names(InProcessCluster c, String stream) {
    List<String> out = new ArrayList<>();
    for (ClusterNode n : c.replicas(stream)) {
      out.add(n.name());
    }
    return out;
  }

  static void assertHolds(InProcessCluster c, String stream, int msgs) {
    for (ClusterNode n : c.replicas(stream)) {
      assertThat(n.replica(stream).store().state().msgs()).as("msgs on %s", n.name()).isEqualTo(msgs);
    }
    ClusterScenariosTest.assertReplicasIdentical(c, stream);
  }

  @Test
  @DisplayName("Evacuating a stream peer: the replacement catches up before the old peer leaves")
  void evacuate() {
    try (InProcessCluster c = ClusterScenariosTest.started(5, 61)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterScenariosTest.publishN(c, "TEST", "foo", 20);
      c.awaitCurrent("TEST", T);
      String gone = ClusterScenariosTest.aFollower(c, "TEST").name();
      List<String> before = names(c, "TEST");
      StreamAssignment sa = c.evacuateStreamPeer("TEST", gone);
      assertThat(sa.group().desired()).isNotNull();
      assertThat(sa.group().peers()).contains(c.node(gone).id());
      c.awaitMigrated("TEST", T);
      List<String> after = names(c, "TEST");
      assertThat(after).hasSize(3).doesNotContain(gone);
      assertThat(after).containsAll(before.stream().filter(n -> !n.equals(gone)).toList());
      assertThat(c.node(gone).replica("TEST")).isNull();
      assertHolds(c, "TEST", 20);
      ClusterScenariosTest.publishN(c, "TEST", "foo", 5);
      c.awaitCurrent("TEST", T);
      assertHolds(c, "TEST", 25);
    }
  }

  @Test
  @DisplayName("Removing the stream leader as a peer: a new leader removes it from Raft and adds a caught-up replacement")
  void removeLeaderPeer() {
    try (InProcessCluster c = ClusterScenariosTest.started(5, 62)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterScenariosTest.publishN(c, "TEST", "foo", 30);
      c.awaitCurrent("TEST", T);
      String gone = c.streamLeader("TEST").name();
      StreamAssignment sa = c.removeStreamPeer("TEST", gone);
      assertThat(sa.group().peers()).hasSize(2).doesNotContain(c.node(gone).id());
      c.awaitMigrated("TEST", T);
      assertThat(names(c, "TEST")).hasSize(3).doesNotContain(gone);
      assertHolds(c, "TEST", 30);
      // A peer that is not a member, and a removal that cannot be replaced, are refused.
      ClusterNode meta = c.awaitMetaLeader(T);
      Assertions.assertThatThrownBy(() -> c.await(meta.removeStreamPeer("TEST", gone), T))
          .isInstanceOf(ClusterException.class).extracting(e -> ((ClusterException) e).error())
          .isEqualTo(ApiError.PEER_NOT_MEMBER);
    }
  }

  @Test
  @DisplayName("Scaling a stream from R3 to R5 and back to R3 keeps every message on every replica")
  void scaleUpAndDown() {
    try (InProcessCluster c = ClusterScenariosTest.started(5, 63)) {
      StreamConfig r3 = StreamConfigs.builder("TEST").subjects("foo").replicas(3).build();
      c.createStream(r3);
      ClusterScenariosTest.publishN(c, "TEST", "foo", 15);
      c.awaitCurrent("TEST", T);
      c.updateStream(StreamConfigs.builder("TEST").subjects("foo").replicas(5).build());
      c.awaitMigrated("TEST", T);
      assertThat(names(c, "TEST")).hasSize(5);
      assertHolds(c, "TEST", 15);
      ClusterScenariosTest.publishN(c, "TEST", "foo", 5);
      String leader = c.streamLeader("TEST").name();
      c.updateStream(r3);
      c.awaitMigrated("TEST", T);
      assertThat(names(c, "TEST")).hasSize(3).contains(leader);
      assertHolds(c, "TEST", 20);
    }
  }
}
