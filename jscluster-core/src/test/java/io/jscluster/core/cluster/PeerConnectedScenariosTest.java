package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.jscluster.core.ClusterConfig;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.MemoryNodeStorage;
import io.jscluster.core.PubAck;
import io.jscluster.core.RaftGroupHost;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.stream.StreamReplica;
import io.jscluster.core.sync.FollowerCatchup;
import io.jscluster.raft.RaftNode;
import io.jscluster.raft.RaftTiming;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterNode#peerConnected}: the in-process cluster raises it on restart and on heal, and
 * every group a node leads that has the returning peer heartbeats it at once — so the peer is
 * contacted within a network round trip, not after the heartbeat interval (1 s) — and a finished
 * catch-up is followed by a heartbeat, so the follower is current right after it. Virtual time;
 * network delay 1–5 ms.
 */
class PeerConnectedScenariosTest {

  static final long T = 60_000;
  /** The simulated network's largest one-way delay (the builder's default). */
  static final long MAX_DELAY = 5;
  static final long HEARTBEAT = RaftTiming.NRG_DEFAULTS.heartbeat();

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static InProcessCluster started(long seed) {
    InProcessCluster c = InProcessCluster.builder().nodes(3).seed(seed).build();
    c.start();
    c.awaitMetaLeader(T);
    return c;
  }

  static void publish(InProcessCluster c, String stream, int n) {
    for (int i = 0; i < n; i++) {
      PubAck a = c.publish(stream, stream + ".x", b("m" + i));
      assertThat(a.isOk()).as("%s", a).isTrue();
    }
  }

  static String follower(InProcessCluster c, String stream) {
    for (ClusterNode n : c.replicas(stream)) {
      if (!n.isStreamLeader(stream) && !n.isMetaLeader()) {
        return n.name();
      }
    }
    for (ClusterNode n : c.replicas(stream)) {
      if (!n.isStreamLeader(stream)) {
        return n.name();
      }
    }
    throw new AssertionError("no follower");
  }

  /** Runs until {@code cond} holds and returns the virtual milliseconds it took. */
  static long timeUntil(InProcessCluster c, BooleanSupplier cond, String what) {
    long t0 = c.simulation().now();
    c.await(cond, T, what);
    return c.simulation().now() - t0;
  }

  /** Whether {@code node} heard from {@code leaderId} in the group of {@code n} at or after {@code since}. */
  static boolean heardSince(RaftNode n, String leaderId, long since) {
    return n.lastHeardFrom(leaderId) >= since;
  }

  @Test
  void aRestartedFollowerIsContactedWithinARoundTripInEveryGroup() {
    for (long seed : new long[] {1, 2, 3}) {
      try (InProcessCluster c = started(seed)) {
        c.createStream(StreamConfigs.builder("S").subjects("S.>").replicas(3).build());
        ClusterNode leader = c.awaitStreamLeader("S", T);
        publish(c, "S", 10);
        c.awaitCurrent("S", T);
        String f = follower(c, "S");
        c.stop(f);
        publish(c, "S", 50);
        // Long enough after the last traffic that only a heartbeat would contact the follower.
        c.runFor(300);
        String metaLeader = c.metaLeader().id();
        String streamLeader = leader.id();

        long t0 = c.simulation().now();
        c.restart(f);
        ClusterNode back = c.node(f);
        long metaContact = timeUntil(c,
            () -> heardSince(back.metaHost().node(), metaLeader, t0), "meta leader contact");
        long streamContact = timeUntil(c, () -> back.replica("S") != null && back.replica("S").host() != null
            && heardSince(back.replica("S").host().node(), streamLeader, t0), "stream leader contact")
            + metaContact;
        long current = timeUntil(c, () -> back.isStreamCurrent("S")
            && back.replica("S").store().state().lastSeq() == 60, "current") + streamContact;

        assertThat(metaContact).as("seed %d: meta contact after restart", seed).isLessThanOrEqualTo(2 * MAX_DELAY);
        // The stream's group starts once the meta commit arrived; the leader's probes (10, 20 ms
        // apart) reach it a round trip or two later.
        assertThat(streamContact).as("seed %d: stream contact", seed).isLessThan(100);
        assertThat(current).as("seed %d: current", seed).isLessThan(HEARTBEAT / 2);
        for (ClusterNode n : c.liveNodes()) {
          assertThat(n.metaHost().probingPeers()).as("probes on %s", n.name()).isZero();
          assertThat(n.replica("S").host().probingPeers()).isZero();
        }
      }
    }
  }

  @Test
  void aFollowerCaughtUpFromASnapshotIsCurrentRightAfterTheSyncEnds() {
    try (InProcessCluster c = started(7)) {
      c.createStream(StreamConfigs.builder("S").subjects("S.>").replicas(3).build());
      c.awaitStreamLeader("S", T);
      publish(c, "S", 5);
      c.awaitCurrent("S", T);
      String f = follower(c, "S");
      c.stop(f);
      publish(c, "S", 200);
      // Every running replica compacts its log into a snapshot: the follower must take the sync path.
      for (ClusterNode n : c.liveNodes()) {
        c.await(() -> n.replica("S").host().node().appliedIndex() >= n.replica("S").host().node().commitIndex()
            && n.replica("S").store().state().lastSeq() == 205, T, "applies on " + n.name());
        assertThat(n.replica("S").snapshotNow()).isTrue();
      }
      c.runFor(300);

      c.restart(f);
      ClusterNode back = c.node(f);
      long toSync = timeUntil(c, () -> {
        StreamReplica r = back.replica("S");
        FollowerCatchup fc = r == null ? null : r.lastSnapshotCatchup();
        return fc != null && fc.finishedNanos() >= 0;
      }, "the sync catch-up");
      long tail = timeUntil(c, () -> back.isStreamCurrent("S"), "current after the sync");

      assertThat(back.replica("S").store().state().lastSeq()).isEqualTo(205);
      assertThat(back.replica("S").lastSnapshotCatchup().messagesStored()).isPositive();
      assertThat(toSync).as("restart to end of sync").isLessThan(HEARTBEAT / 2);
      assertThat(tail).as("end of sync to current").isLessThanOrEqualTo(4 * MAX_DELAY);
    }
  }

  @Test
  void aHealedFollowerIsContactedWithinARoundTrip() {
    try (InProcessCluster c = started(11)) {
      c.createStream(StreamConfigs.builder("S").subjects("S.>").replicas(3).build());
      ClusterNode leader = c.awaitStreamLeader("S", T);
      publish(c, "S", 5);
      c.awaitCurrent("S", T);
      String f = follower(c, "S");
      ClusterNode cut = c.node(f);
      c.isolate(f);
      publish(c, "S", 20);
      // Shorter than any election timeout (4–9 s): the follower keeps its term and waits.
      c.runFor(1_500);

      long t0 = c.simulation().now();
      c.heal();
      long contact = timeUntil(c, () -> heardSince(cut.replica("S").host().node(), leader.id(), t0),
          "stream leader contact");
      long current = timeUntil(c, () -> cut.isStreamCurrent("S")
          && cut.replica("S").store().state().lastSeq() == 25, "current") + contact;

      assertThat(contact).isLessThanOrEqualTo(2 * MAX_DELAY);
      assertThat(current).isLessThan(HEARTBEAT / 2);
    }
  }

  @Test
  void theSignalIsHarmlessWhereThereIsNothingToLead() {
    try (InProcessCluster c = started(13)) {
      c.createStream(StreamConfigs.builder("S").subjects("S.>").replicas(3).build());
      ClusterNode leader = c.awaitStreamLeader("S", T);
      publish(c, "S", 3);
      c.awaitCurrent("S", T);
      String f = follower(c, "S");
      ClusterNode fn = c.node(f);
      long term = leader.replica("S").host().node().term();

      // A follower leads nothing; unknown names, itself and null are ignored.
      for (String name : new String[] {leader.name(), "nX", f, null}) {
        assertThatCode(() -> fn.peerConnected(name)).doesNotThrowAnyException();
      }
      assertThat(fn.metaHost().probingPeers()).isZero();
      assertThat(fn.replica("S").host().probingPeers()).isZero();
      leader.peerConnected("nX");
      assertThat(leader.replica("S").host().probingPeers()).isZero();

      // A node not yet started and a stopped node ignore it.
      ClusterNode idle = new ClusterNode(ClusterConfig.of("n9", List.of("n9", "n1"), new MemoryNodeStorage()),
          new io.jscluster.raft.transport.InMemoryNetwork().endpoint("n9"),
          new SimulationScheduler(new io.jscluster.raft.sim.Simulation(1), 0), 1);
      assertThatCode(() -> idle.peerConnected("n1")).doesNotThrowAnyException();
      idle.stop();
      assertThatCode(() -> idle.peerConnected("n1")).doesNotThrowAnyException();

      // A peer that is down never answers: the leader probes for one heartbeat interval, then stops.
      String other = c.names().stream().filter(n -> !n.equals(leader.name()) && !n.equals(f)).findFirst()
          .orElseThrow();
      c.kill(other);
      leader.peerConnected(other);
      RaftGroupHost host = leader.replica("S").host();
      assertThat(host.probingPeers()).isEqualTo(1);
      c.runFor(HEARTBEAT + 50);
      assertThat(host.probingPeers()).isZero();

      // Nothing changed: same leader and term, and the stream still takes messages.
      assertThat(leader.isStreamLeader("S")).isTrue();
      assertThat(host.node().term()).isEqualTo(term);
      publish(c, "S", 3);
      c.restart(other);
      c.awaitCurrent("S", T);
      ClusterScenariosTest.assertReplicasIdentical(c, "S");
    }
  }
}
