package io.jscluster.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.core.ApiError;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.Headers;
import io.jscluster.core.PubAck;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.cluster.InProcessCluster;
import io.jscluster.raft.RaftException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The leader's publish path on a live replica. */
class PublishPathTest {

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterProposeFailureDoesNotDriftClseq")
  void proposeFailureDoesNotDriftClseq() {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(41).build()) {
      c.start();
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      for (int i = 0; i < 3; i++) {
        assertThat(c.publish("TEST", "foo", b("x")).isOk()).isTrue();
      }
      ClusterNode leader = c.streamLeader("TEST");
      StreamReplica r = leader.replica("TEST");
      long before = r.clseq();
      r.setProposer((term, data) -> {
        throw new RaftException(RaftException.Error.WRITE_ERROR, "injected");
      });
      PubAck failed = c.await(leader.publish("TEST", "foo", Headers.of(Headers.MSG_ID, "m1"), b("x")), 10_000);
      assertThat(failed.isOk()).isFalse();
      assertThat(r.clseq()).isEqualTo(before);
      r.setProposer(r.host()::propose);
      // The failed message id was never staged, so the retry is not a conflict.
      PubAck ok = c.await(leader.publish("TEST", "foo", Headers.of(Headers.MSG_ID, "m1"), b("x")), 10_000);
      assertThat(ok.seq()).isEqualTo(4);
      assertThat(r.clseq()).isEqualTo(before + 1);
    }
  }

  @Test
  @DisplayName("A message id still in flight is a conflict, not a duplicate")
  void inFlightMsgIdConflicts() {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(42).build()) {
      c.start();
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterNode leader = c.streamLeader("TEST");
      var first = leader.publish("TEST", "foo", Headers.of(Headers.MSG_ID, "same"), b("1"));
      var second = leader.publish("TEST", "foo", Headers.of(Headers.MSG_ID, "same"), b("2"));
      assertThat(second.join().error()).isEqualTo(ApiError.DUPLICATE_MESSAGE_CONFLICT);
      assertThat(c.await(first, 10_000).seq()).isEqualTo(1);
      PubAck third = c.await(leader.publish("TEST", "foo", Headers.of(Headers.MSG_ID, "same"), b("3")), 10_000);
      assertThat(third.duplicate()).isTrue();
    }
  }

  @Test
  @DisplayName("Pipelined publishes get consecutive sequences; expected-last-sequence counts in-flight ones")
  void pipelined() {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(43).build()) {
      c.start();
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterNode leader = c.streamLeader("TEST");
      java.util.List<java.util.concurrent.CompletableFuture<PubAck>> fs = new java.util.ArrayList<>();
      for (int i = 0; i < 100; i++) {
        fs.add(leader.publish("TEST", "foo", null, b("m" + i)));
      }
      fs.add(leader.publish("TEST", "foo", Headers.of(Headers.EXPECTED_LAST_SEQ, "100"), b("last")));
      c.await(() -> fs.stream().allMatch(java.util.concurrent.CompletableFuture::isDone), 30_000, "acks");
      for (int i = 0; i < fs.size(); i++) {
        assertThat(fs.get(i).join().seq()).isEqualTo(i + 1);
      }
    }
  }

  @Test
  @DisplayName("R1 stream: processed locally with the same checks")
  void r1() {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(44).build()) {
      c.start();
      c.createStream(StreamConfigs.builder("ONE").subjects("one").replicas(1).build());
      assertThat(c.publish("ONE", "one", Headers.of(Headers.MSG_ID, "a"), b("x")).seq()).isEqualTo(1);
      assertThat(c.publish("ONE", "one", Headers.of(Headers.MSG_ID, "a"), b("x")).duplicate()).isTrue();
      assertThat(c.publish("ONE", "one", Headers.of(Headers.EXPECTED_LAST_SEQ, "7"), b("x")).error())
          .isEqualTo(ApiError.wrongLastSequence(1));
      assertThat(c.publish("ONE", "one", Headers.of(Headers.EXPECTED_LAST_MSG_ID, "b"), b("x")).error())
          .isEqualTo(ApiError.wrongLastMsgId("a"));
      assertThat(c.replicas("ONE")).hasSize(1);
      assertThat(c.replicas("ONE").get(0).replica("ONE").host()).isNull();
    }
  }

  @Test
  @DisplayName("The leader applies its own proposals as proposed: a caller's array changed after publish does not reach any store")
  void leaderAppliesWhatItProposed() {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(45).build()) {
      c.start();
      c.createStream(StreamConfigs.builder("TEST").subjects("s.>").replicas(3).build());
      ClusterNode leader = c.streamLeader("TEST");
      // ASCII subjects take the leader's no-decode apply; a non-ASCII one is decoded like a follower's.
      String[] subjects = {"s.a", "s.\u00fc", "s.a", "s.b"};
      java.util.List<java.util.concurrent.CompletableFuture<PubAck>> fs = new java.util.ArrayList<>();
      java.util.List<byte[]> sent = new java.util.ArrayList<>();
      for (int i = 0; i < 40; i++) {
        byte[] data = b("payload-" + i);
        byte[] hdr = i % 3 == 0 ? Headers.of(Headers.MSG_ID, "id-" + i) : null;
        sent.add(data.clone());
        fs.add(leader.publish("TEST", subjects[i % subjects.length], hdr, data));
        java.util.Arrays.fill(data, (byte) 'X');
        if (hdr != null) {
          java.util.Arrays.fill(hdr, (byte) 'X');
        }
      }
      c.await(() -> fs.stream().allMatch(java.util.concurrent.CompletableFuture::isDone), 30_000, "acks");
      for (int i = 0; i < fs.size(); i++) {
        assertThat(fs.get(i).join().seq()).isEqualTo(i + 1);
      }
      c.awaitSequence("TEST", 40, 30_000);
      for (ClusterNode n : c.replicas("TEST")) {
        StreamReplica r = n.replica("TEST");
        for (int i = 0; i < 40; i++) {
          var m = r.store().load(i + 1);
          assertThat(m.subject()).isEqualTo(subjects[i % subjects.length]);
          assertThat(m.data()).isEqualTo(sent.get(i));
          if (i % 3 == 0) {
            assertThat(Headers.get(m.header(), Headers.MSG_ID)).isEqualTo("id-" + i);
          }
        }
      }
      // De-duplication saw the ids as proposed.
      PubAck dup = c.publish("TEST", "s.a", Headers.of(Headers.MSG_ID, "id-3"), b("again"));
      assertThat(dup.duplicate()).isTrue();
      assertThat(dup.seq()).isEqualTo(4);
    }
  }

  @Test
  @DisplayName("A leader change forgets the previous reign's staged proposals: one that is lost and times out later "
      + "does not release the new reign's in-flight message id (nats-server processStreamLeaderChange)")
  void leaderChangeForgetsStagedProposals() {
    long seed = 46;
    System.out.println("PublishPathTest#leaderChangeForgetsStagedProposals seed " + seed);
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(seed).requestTimeout(30_000).build()) {
      c.start();
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      assertThat(c.publish("TEST", "foo", b("first")).seq()).isEqualTo(1);
      ClusterNode l = c.streamLeader("TEST");
      StreamReplica r = l.replica("TEST");
      // A proposal the old reign staged and never saw again (lost with its term).
      r.setProposer((term, data) -> { });
      var lost = l.publish("TEST", "foo", Headers.of(Headers.MSG_ID, "m"), b("lost"));
      r.setProposer(r.host()::propose);
      // Leadership moves away and comes back to the same node: a new reign.
      ClusterNode other = c.replicas("TEST").stream().filter(n -> n != l).findFirst().orElseThrow();
      r.host().input(n -> n.stepDown(c.simulation().now(), other.id()));
      c.await(() -> c.streamLeader("TEST") != null && c.streamLeader("TEST") != l, 10_000, "leader moved");
      ClusterNode mid = c.streamLeader("TEST");
      mid.replica("TEST").host().input(n -> n.stepDown(c.simulation().now(), l.id()));
      c.await(() -> c.streamLeader("TEST") == l, 10_000, "leader back");
      assertThat(lost).isNotDone();
      // The new reign stages the same message id; its proposal is held back for now.
      java.util.List<byte[]> held = new java.util.ArrayList<>();
      long[] heldTerm = new long[1];
      r.setProposer((term, data) -> {
        heldTerm[0] = term;
        held.add(data);
      });
      var second = l.publish("TEST", "foo", Headers.of(Headers.MSG_ID, "m"), b("second"));
      r.setProposer(r.host()::propose);
      assertThat(held).hasSize(1);
      // The lost proposal's caller gives up; that must not touch the new reign's in-flight id.
      c.await(lost::isDone, 40_000, "lost publish timed out");
      assertThat(lost).isCompletedExceptionally();
      assertThat(second).isNotDone();
      PubAck third = c.await(l.publish("TEST", "foo", Headers.of(Headers.MSG_ID, "m"), b("third")), 10_000);
      assertThat(third.error()).as("%s", third).isEqualTo(ApiError.DUPLICATE_MESSAGE_CONFLICT);
      r.host().propose(heldTerm[0], held.get(0));
      assertThat(c.await(second, 10_000).seq()).isEqualTo(2);
      c.awaitSequence("TEST", 2, 10_000);
      for (ClusterNode n : c.replicas("TEST")) {
        var st = n.replica("TEST").store();
        assertThat(st.state().msgs()).as(n.id()).isEqualTo(2);
        assertThat(st.load(2).data()).isEqualTo(b("second"));
      }
    }
  }
}
