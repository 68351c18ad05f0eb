package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.PubAck;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.store.StreamState;
import io.jscluster.core.stream.StreamReplica;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A stream leader's skips (nats-server's {@code skipMsgs}) replicated through Raft, in virtual time. */
class SkipMsgsScenariosTest {

  static final long T = 120_000;

  // Go: TestJetStreamClusterSkipMsgsRaftDeleteRange
  @ParameterizedTest(name = "delete range {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("TestJetStreamClusterSkipMsgsRaftDeleteRange: a 100 M gap as one delete range, 20 k gap as per-sequence skips; every replica ends at gap+1 with 2 msgs")
  void skipMsgsRaftDeleteRange(boolean deleteRange) {
    long seed = deleteRange ? 10806 : 10807;
    System.out.println("SkipMsgsRaftDeleteRange deleteRange=" + deleteRange + " seed=" + seed);
    // File stores (on simulated disks), as the Go test's default storage: a memory store, like
    // nats-server's, records a skip over a non-empty store one sequence at a time.
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(seed).simulatedDisks().build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).storage(StorageType.FILE).build());
      assertThat(c.publish("TEST", "foo", null).isOk()).isTrue();
      ClusterNode leader = c.awaitStreamLeader("TEST", T);
      StreamReplica r = leader.replica("TEST");
      // With a range the 100 M gap is one entry, applied in O(1); per-sequence records are one
      // entry per sequence, so that gap is smaller (Go: 50 k; 20 k here to keep the suite fast).
      long gap = deleteRange ? 100_000_000L : 20_000L;
      r.skipMsgs(2, gap, deleteRange);
      c.await(() -> r.store().state().lastSeq() >= gap, T, "the leader applied the skips");

      PubAck a = c.publish("TEST", "foo", null);
      assertThat(a.isOk()).as("%s", a).isTrue();
      assertThat(a.seq()).isEqualTo(gap + 1);
      c.await(() -> c.replicas("TEST").stream().allMatch(n -> {
        StreamState st = n.replica("TEST").store().state();
        return st.lastSeq() == gap + 1 && st.msgs() == 2;
      }), T, "every replica at LastSeq " + (gap + 1) + " with 2 msgs");
      assertThat(c.replicas("TEST")).hasSize(3);
      byte[] ref = r.store().encodedState(r.clfs(), false);
      for (ClusterNode n : c.replicas("TEST")) {
        StreamReplica nr = n.replica("TEST");
        assertThat(nr.store().encodedState(nr.clfs(), false)).as("state on %s", n.name()).isEqualTo(ref);
        assertThat(n.getMessage("TEST", 1)).as("seq 1 on %s", n.name()).isNotNull();
        assertThat(n.getMessage("TEST", gap + 1)).as("last on %s", n.name()).isNotNull();
      }
    }
  }
}
