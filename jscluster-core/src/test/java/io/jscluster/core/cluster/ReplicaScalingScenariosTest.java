package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.codec.meta.StreamConfig;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.FileNodeStorage;
import io.jscluster.core.MemoryNodeStorage;
import io.jscluster.core.PubAck;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.store.StoredMessage;
import io.jscluster.core.store.StreamState;
import io.jscluster.core.stream.StreamReplica;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replica-count changes to and from R1 on the in-process cluster (nats-server's R1 scale-up through a
 * stream snapshot and the sync protocol, and the scale-down that flushes the survivor's store before
 * its Raft group goes), in virtual time.
 */
class ReplicaScalingScenariosTest {

  static final long T = 120_000;

  static StreamConfig cfg(String name, int replicas, StorageType st) {
    return StreamConfigs.builder(name).subjects("foo.*").replicas(replicas).storage(st).build();
  }

  /** Publishes {@code n} messages with distinct payloads; returns payload by acknowledged sequence. */
  static Map<Long, String> publish(InProcessCluster c, String stream, int n, String tag) {
    Map<Long, String> acked = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String body = tag + "-" + i;
      PubAck a = c.publish(stream, "foo.a", body.getBytes(StandardCharsets.UTF_8));
      assertThat(a.isOk()).as("%s", a).isTrue();
      assertThat(acked.put(a.seq(), body)).as("sequence %d acknowledged twice", a.seq()).isNull();
    }
    return acked;
  }

  /**
   * Every replica has the same encoded state, holds every acknowledged message at its sequence,
   * and no payload twice.
   */
  static void assertComplete(InProcessCluster c, String stream, Map<Long, String> acked, int replicas) {
    List<ClusterNode> rs = c.replicas(stream);
    assertThat(rs).as("replicas of %s", stream).hasSize(replicas);
    StreamReplica first = rs.get(0).replica(stream);
    byte[] ref = first.store().encodedState(first.clfs(), false);
    for (ClusterNode n : rs) {
      StreamReplica r = n.replica(stream);
      assertThat(r.store().encodedState(r.clfs(), false)).as("encoded state on %s", n.name()).isEqualTo(ref);
      for (Map.Entry<Long, String> e : acked.entrySet()) {
        StoredMessage m = n.getMessage(stream, e.getKey());
        assertThat(m).as("seq %d on %s", e.getKey(), n.name()).isNotNull();
        assertThat(new String(m.data(), StandardCharsets.UTF_8)).as("seq %d on %s", e.getKey(), n.name())
            .isEqualTo(e.getValue());
      }
      StreamState st = r.store().state();
      Set<String> seen = new HashSet<>();
      for (long q = st.firstSeq(); q <= st.lastSeq() && q > 0; q++) {
        StoredMessage m = n.getMessage(stream, q);
        if (m != null && m.data().length > 0) {
          assertThat(seen.add(new String(m.data(), StandardCharsets.UTF_8)))
              .as("payload at seq %d on %s stored once", q, n.name()).isTrue();
        }
      }
    }
    ClusterScenariosTest.assertReplicasIdentical(c, stream);
  }

  static String onlyReplica(InProcessCluster c, String stream) {
    List<ClusterNode> rs = c.replicas(stream);
    assertThat(rs).hasSize(1);
    return rs.get(0).name();
  }

  @Test
  @DisplayName("R1 -> R3: the new peers catch up from the R1 store through a stream snapshot; R3 -> R1 keeps the leader's store and drops the Raft group")
  void r1ToR3AndBack() {
    try (InProcessCluster c = ClusterScenariosTest.started(3, 81)) {
      StreamAssignment sa = c.createStream(cfg("S", 1, StorageType.FILE));
      String r1Group = sa.group().name();
      Map<Long, String> acked = publish(c, "S", 40, "r1");
      String source = onlyReplica(c, "S");
      assertThat(c.node(source).replica("S").host()).isNull();

      StreamAssignment up = c.updateStream(cfg("S", 3, StorageType.FILE));
      assertThat(up.group().name()).as("an R1 scale-up gets a new group").isNotEqualTo(r1Group);
      assertThat(up.group().desired()).isNotNull();
      assertThat(up.group().desired().preferred()).isEqualTo(c.node(source).id());
      try {
        c.awaitMigrated("S", T);
      } catch (IllegalStateException e) {
        StringBuilder b = new StringBuilder(c.describe("S"));
        for (ClusterNode n : c.liveNodes()) {
          b.append("\n").append(n.name()).append(" sa=").append(n.assignments().get("S").group())
              .append(" mig=").append(n.replica("S") == null ? null : n.replica("S").migrationStatus());
        }
        throw new AssertionError(b.toString(), e);
      }
      assertComplete(c, "S", acked, 3);
      for (ClusterNode n : c.replicas("S")) {
        assertThat(n.replica("S").host()).as("Raft group on %s", n.name()).isNotNull();
        assertThat(n.replica("S").host().node().peerIds()).hasSize(3);
      }
      acked.putAll(publish(c, "S", 10, "r3"));
      c.awaitCurrent("S", T);
      assertComplete(c, "S", acked, 3);

      String leader = c.streamLeader("S").name();
      String group = c.node(leader).assignments().get("S").group().name();
      c.updateStream(cfg("S", 1, StorageType.FILE));
      c.awaitMigrated("S", T);
      assertThat(onlyReplica(c, "S")).as("a scale-down keeps the leader").isEqualTo(leader);
      StreamReplica survivor = c.node(leader).replica("S");
      assertThat(survivor.host()).as("no Raft group left on the R1").isNull();
      assertComplete(c, "S", acked, 1);
      for (String n : c.names()) {
        MemoryNodeStorage ms = (MemoryNodeStorage) c.storage(n);
        assertThat(ms.groups()).as("groups kept on %s", n).doesNotContain(group);
      }
      acked.putAll(publish(c, "S", 5, "r1again"));
      assertComplete(c, "S", acked, 1);
    }
  }

  // Go: TestJetStreamClusterStreamCatchupInteriorNilMsgs
  @Test
  @DisplayName("TestJetStreamClusterStreamCatchupInteriorNilMsgs: empty payloads survive an R1 -> R3 catch-up, 500 msgs on the follower")
  void streamCatchupInteriorNilMsgs() {
    try (InProcessCluster c = ClusterScenariosTest.started(3, 82)) {
      c.createStream(cfg("TEST", 1, StorageType.FILE));
      ClusterNode leader = c.awaitStreamLeader("TEST", T);
      List<CompletableFuture<PubAck>> acks = new ArrayList<>();
      for (int l = 0; l < 5; l++) {
        for (int i = 0; i < 99; i++) {
          acks.add(leader.publish("TEST", "foo.a", null, "SNAP".getBytes(StandardCharsets.UTF_8)));
        }
        acks.add(leader.publish("TEST", "foo.a", null, null));
      }
      for (CompletableFuture<PubAck> f : acks) {
        assertThat(c.await(f, T).isOk()).isTrue();
      }
      assertThat(leader.streamInfo("TEST").state().msgs()).isEqualTo(500);

      c.updateStream(cfg("TEST", 3, StorageType.FILE));
      c.awaitStreamLeader("TEST", T);
      c.awaitMigrated("TEST", T);
      ClusterNode follower = ClusterScenariosTest.aFollower(c, "TEST");
      assertThat(follower.isStreamCurrent("TEST")).isTrue();
      assertThat(follower.replica("TEST").store().state().msgs()).isEqualTo(500);
      for (long q = 100; q <= 500; q += 100) {
        assertThat(follower.getMessage("TEST", q).data()).as("empty payload at %d", q).isEmpty();
      }
      ClusterScenariosTest.assertReplicasIdentical(c, "TEST");
    }
  }

  @Test
  @DisplayName("R1 -> R5 -> R1 -> R3 on file storage: every acknowledged message once on every replica, removed peers' files deleted")
  void fileStorageScaling(@TempDir Path dir) {
    try (InProcessCluster c = InProcessCluster.builder().nodes(5).seed(84).fileStorage(dir).build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(cfg("F", 1, StorageType.FILE));
      Map<Long, String> acked = publish(c, "F", 30, "a");
      c.updateStream(cfg("F", 5, StorageType.FILE));
      c.awaitMigrated("F", T);
      assertComplete(c, "F", acked, 5);
      String group5 = c.streamLeader("F").assignments().get("F").group().name();
      acked.putAll(publish(c, "F", 20, "b"));
      c.awaitCurrent("F", T);

      c.updateStream(cfg("F", 1, StorageType.FILE));
      c.awaitMigrated("F", T);
      String survivor = onlyReplica(c, "F");
      assertComplete(c, "F", acked, 1);
      for (String n : c.names()) {
        FileNodeStorage fs = (FileNodeStorage) c.storage(n);
        assertThat(Files.exists(fs.groupDir(group5))).as("group directory on %s", n).isFalse();
        assertThat(Files.exists(fs.streamDir("F"))).as("stream directory on %s", n).isEqualTo(n.equals(survivor));
      }
      acked.putAll(publish(c, "F", 10, "c"));
      // The R1 survives a restart from its store alone.
      c.stop(survivor);
      c.restart(survivor);
      c.awaitStreamLeader("F", T);
      assertComplete(c, "F", acked, 1);

      c.updateStream(cfg("F", 3, StorageType.FILE));
      c.awaitMigrated("F", T);
      assertComplete(c, "F", acked, 3);
      acked.putAll(publish(c, "F", 10, "d"));
      c.awaitCurrent("F", T);
      assertComplete(c, "F", acked, 3);
    }
  }


  // Go: selectPeerToAdd (jetstream_cluster.go) — an unheard candidate only while a quorum of the grown group is heard
  @Test
  @DisplayName("R1 -> R3 with both new peers down: the lone R1 member adds no peer it has not heard from and keeps taking publishes; they join once back")
  void loneMemberAddsOnlyHeardPeers() {
    try (InProcessCluster c = ClusterScenariosTest.started(5, 85)) {
      c.createStream(cfg("H", 1, StorageType.MEMORY));
      Map<Long, String> acked = publish(c, "H", 10, "before");
      String source = onlyReplica(c, "H");
      StreamAssignment up = c.updateStream(cfg("H", 3, StorageType.MEMORY));
      List<String> added = new ArrayList<>();
      for (String n : c.names()) {
        if (!n.equals(source) && up.group().desired().peers().contains(c.node(n).id())) {
          added.add(n);
        }
      }
      assertThat(added).hasSize(2);
      // Down before the assignment lists them, so their replicas never answer the source.
      for (String n : added) {
        c.kill(n);
      }
      c.runFor(20_000);
      StreamReplica r = c.node(source).replica("H");
      assertThat(r.host()).as("the scale-up started a Raft group").isNotNull();
      assertThat(r.host().node().peerIds()).as("Raft members while the new peers are down (%s)", r.migrationStatus())
          .containsExactly(c.node(source).id());
      assertThat(r.migrationStatus()).isEqualTo("waiting for quorum to add peer");
      acked.putAll(publish(c, "H", 5, "during"));

      for (String n : added) {
        c.restart(n);
      }
      c.awaitMigrated("H", T);
      assertComplete(c, "H", acked, 3);
    }
  }

  @Test
  @DisplayName("A replica that missed the R1 step (isolated through R3 -> R1 -> R3, then given the meta snapshot) leaves its old Raft group for the new one (nats-server's stream remapping check)")
  void replicaOnAnOldGroupIsRemapped() {
    try (InProcessCluster c = ClusterScenariosTest.started(3, 86)) {
      c.createStream(cfg("G", 3, StorageType.MEMORY));
      Map<Long, String> acked = publish(c, "G", 10, "r3");
      c.awaitCurrent("G", T);
      ClusterNode leader = c.streamLeader("G");
      ClusterNode x = null;
      for (ClusterNode n : c.liveNodes()) {
        if (n != leader && !n.isMetaLeader()) {
          x = n;
        }
      }
      String oldGroup = x.replica("G").host().node().group();
      c.isolate(x.name());
      // Silent for longer than the stream leader's online window, so the scale-down drops it first.
      c.runFor(4_000);
      c.updateStream(cfg("G", 1, StorageType.MEMORY));
      c.await(() -> {
        ClusterNode m = c.metaLeader();
        StreamAssignment sa = m == null ? null : m.assignments().get("G");
        return sa != null && sa.group().desired() == null && sa.group().peers().size() == 1;
      }, T, "the scale-down to R1");
      StreamAssignment up = c.updateStream(cfg("G", 3, StorageType.MEMORY));
      assertThat(up.group().name()).isNotEqualTo(oldGroup);
      assertThat(up.group().desired().peers()).contains(x.id());
      acked.putAll(publish(c, "G", 5, "during"));
      // Long enough for the meta leader's periodic snapshot: the isolated node learns the new
      // assignment from it, never seeing the R1 state in between.
      c.runFor(70_000);
      assertThat(x.replica("G").host().node().group()).as("still on the old group while isolated").isEqualTo(oldGroup);
      c.heal();
      c.awaitMigrated("G", T);
      assertThat(x.replica("G").host().node().group()).isEqualTo(up.group().name());
      assertComplete(c, "G", acked, 3);
    }
  }

  /**
   * Keeps three publishes a millisecond in flight on {@code node} until its replica of {@code stream}
   * switched mode ({@code grouped} says whether it runs a Raft group afterwards) and 50 ms more;
   * returns the futures by message id.
   */
  static Map<String, CompletableFuture<PubAck>> publishAcrossSwitch(InProcessCluster c, ClusterNode node,
      String stream, boolean grouped, String tag) {
    Map<String, CompletableFuture<PubAck>> out = new java.util.LinkedHashMap<>();
    long switchedAt = -1;
    for (int ms = 0; ms < T && (switchedAt < 0 || ms < switchedAt + 50); ms++) {
      for (int k = 0; k < 3; k++) {
        String id = tag + "-" + out.size();
        out.put(id, node.publish(stream, "foo.a", io.jscluster.core.Headers.of(io.jscluster.core.Headers.MSG_ID, id),
            id.getBytes(StandardCharsets.UTF_8)));
      }
      c.runFor(1);
      if (switchedAt < 0 && (node.replica(stream).host() != null) == grouped) {
        switchedAt = ms;
      }
    }
    assertThat(switchedAt).as("the replica switched").isGreaterThanOrEqualTo(0);
    c.runUntil(() -> out.values().stream().allMatch(CompletableFuture::isDone), 10_000);
    return out;
  }

  /**
   * Every publish completed with a PubAck (no exception): acknowledged, or refused with the
   * retryable not-leader error. Returns the acknowledged sequences by id.
   */
  static Map<String, Long> acksOf(Map<String, CompletableFuture<PubAck>> fs) {
    Map<String, Long> acked = new HashMap<>();
    for (Map.Entry<String, CompletableFuture<PubAck>> e : fs.entrySet()) {
      CompletableFuture<PubAck> f = e.getValue();
      assertThat(f).as("publish %s", e.getKey()).isDone();
      assertThat(f.isCompletedExceptionally()).as("publish %s completed exceptionally: %s", e.getKey(),
          f.isCompletedExceptionally() ? f.handle((v, t) -> t).join() : null).isFalse();
      PubAck a = f.join();
      if (a.isOk()) {
        acked.put(e.getKey(), a.seq());
      } else {
        assertThat(a.error()).as("publish %s", e.getKey()).isEqualTo(io.jscluster.core.ApiError.CLUSTER_NOT_LEADER);
      }
    }
    return acked;
  }

  /** Every acknowledged id at its sequence on every replica, no id stored twice. */
  static void assertAckedOnce(InProcessCluster c, String stream, Map<String, Long> acked) {
    for (ClusterNode n : c.replicas(stream)) {
      Map<String, Long> seen = new HashMap<>();
      StreamState st = n.replica(stream).store().state();
      for (long q = st.firstSeq(); q <= st.lastSeq() && q > 0; q++) {
        StoredMessage m = n.getMessage(stream, q);
        String id = m == null ? null : io.jscluster.core.Headers.get(m.header(), io.jscluster.core.Headers.MSG_ID);
        if (id != null) {
          assertThat(seen.put(id, q)).as("id %s twice on %s", id, n.name()).isNull();
        }
      }
      for (Map.Entry<String, Long> e : acked.entrySet()) {
        assertThat(seen.get(e.getKey())).as("acked %s on %s", e.getKey(), n.name()).isEqualTo(e.getValue());
      }
    }
  }

  @Test
  @DisplayName("Publishes in flight across R3 -> R1 and R1 -> R3 switches complete or fail with the retryable not-leader error; none acknowledged is lost to a kill -9")
  void publishesInFlightAcrossTheSwitch(@TempDir Path dir) {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(87).fileStorage(dir).backgroundForces(5).build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(cfg("P", 3, StorageType.FILE));
      publish(c, "P", 10, "r3");
      c.awaitCurrent("P", T);
      ClusterNode leader = c.streamLeader("P");
      c.updateStream(cfg("P", 1, StorageType.FILE));
      // From the leader's last migration step on: the switch follows within a meta round trip.
      ClusterNode l = leader;
      c.await(() -> "converged, asking the meta leader to finish".equals(l.replica("P").migrationStatus())
          || l.replica("P").host() == null, T, "the scale-down's last step");
      Map<String, Long> acked = new HashMap<>(acksOf(publishAcrossSwitch(c, leader, "P", false, "down")));
      assertThat(acked).as("publishes acknowledged around the scale-down").isNotEmpty();
      c.awaitMigrated("P", T);
      assertThat(onlyReplica(c, "P")).isEqualTo(leader.name());
      c.kill(leader.name());
      c.restart(leader.name());
      c.awaitStreamLeader("P", T);
      assertAckedOnce(c, "P", acked);

      leader = c.node(leader.name());
      // The restarted R1 serves from its meta snapshot at once, maybe before a meta leader exists.
      // Not waiting for the update itself: the R1 switches as soon as it applies it.
      c.awaitMetaLeader(T);
      c.metaLeader().updateStream(cfg("P", 3, StorageType.FILE));
      acked.putAll(acksOf(publishAcrossSwitch(c, leader, "P", true, "up")));
      c.awaitMigrated("P", T);
      assertAckedOnce(c, "P", acked);
      ClusterScenariosTest.assertReplicasIdentical(c, "P");
    }
  }
}
