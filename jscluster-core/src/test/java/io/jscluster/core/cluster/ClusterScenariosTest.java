package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.DiscardPolicy;
import io.jscluster.codec.meta.StorageType;
import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.codec.meta.StreamConfig;
import io.jscluster.core.ApiError;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.Headers;
import io.jscluster.core.LeaderListener;
import io.jscluster.core.PubAck;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.StreamInfo;
import io.jscluster.core.store.StoredMessage;
import io.jscluster.core.store.StreamState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Cluster scenarios on the in-process cluster, in virtual time. */
class ClusterScenariosTest {

  static final long T = 60_000;

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static InProcessCluster started(int nodes, long seed) {
    InProcessCluster c = InProcessCluster.builder().nodes(nodes).seed(seed).build();
    c.start();
    c.awaitMetaLeader(T);
    return c;
  }

  static void publishN(InProcessCluster c, String stream, String subject, int n) {
    for (int i = 0; i < n; i++) {
      PubAck a = c.publish(stream, subject, b("msg-" + i));
      assertThat(a.isOk()).as("%s", a).isTrue();
    }
  }

  /** Every live replica holds the same messages at the same sequences. */
  static void assertReplicasIdentical(InProcessCluster c, String stream) {
    List<ClusterNode> rs = c.replicas(stream);
    assertThat(rs).isNotEmpty();
    StreamState ref = rs.get(0).replica(stream).store().state();
    for (ClusterNode n : rs) {
      StreamState s = n.replica(stream).store().state();
      assertThat(s.msgs()).as("msgs on %s", n.name()).isEqualTo(ref.msgs());
      assertThat(s.firstSeq()).as("first on %s", n.name()).isEqualTo(ref.firstSeq());
      assertThat(s.lastSeq()).as("last on %s", n.name()).isEqualTo(ref.lastSeq());
      for (long q = ref.firstSeq(); q <= ref.lastSeq(); q++) {
        assertThat(n.getMessage(stream, q)).as("seq %d on %s", q, n.name())
            .isEqualTo(rs.get(0).getMessage(stream, q));
      }
    }
  }

  static ClusterNode aFollower(InProcessCluster c, String stream) {
    for (ClusterNode n : c.replicas(stream)) {
      if (!n.isStreamLeader(stream)) {
        return n;
      }
    }
    throw new AssertionError("no follower");
  }

  @Test
  @DisplayName("R1, R3 and R5 streams are placed on 1, 3 and 5 distinct peers")
  void placement() {
    try (InProcessCluster c = started(5, 11)) {
      for (int r : new int[] {1, 3, 5}) {
        StreamAssignment sa = c.createStream(StreamConfigs.builder("R" + r).subjects("r" + r + ".>")
            .replicas(r).build());
        assertThat(sa.group().peers()).hasSize(r).doesNotHaveDuplicates();
        assertThat(sa.group().name()).startsWith("S-R" + r + "F-");
        assertThat(sa.sync()).startsWith("$JSC.SYNC.");
        c.runFor(1_000);
        assertThat(c.replicas("R" + r)).hasSize(r);
        assertThat(c.publish("R" + r, "r" + r + ".a", b("x")).seq()).isEqualTo(1);
      }
      for (ClusterNode n : c.liveNodes()) {
        assertThat(n.assignments()).containsOnlyKeys("R1", "R3", "R5");
      }
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterInfoRaftGroup")
  void infoRaftGroup() {
    try (InProcessCluster c = started(3, 12)) {
      StreamAssignment sa = c.createStream(StreamConfigs.builder("S").subjects("s").replicas(3).build());
      c.awaitCurrent("S", T);
      for (ClusterNode n : c.replicas("S")) {
        StreamInfo si = n.streamInfo("S");
        assertThat(si.group()).isEqualTo(sa.group().name());
        assertThat(si.peers()).containsExactlyInAnyOrderElementsOf(sa.group().peers());
        assertThat(si.leader()).isEqualTo(c.streamLeader("S").id());
      }
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterStreamNormalCatchup")
  void normalCatchup() {
    try (InProcessCluster c = started(3, 13)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      publishN(c, "TEST", "foo", 10);
      ClusterNode old = c.streamLeader("TEST");
      c.kill(old.name());
      c.awaitStreamLeader("TEST", T);
      publishN(c, "TEST", "foo", 10);
      ClusterNode leader = c.streamLeader("TEST");
      assertThat(c.await(leader.deleteMessage("TEST", 5, false), T)).isTrue();
      c.restart(old.name());
      c.awaitCurrent("TEST", T);
      assertReplicasIdentical(c, "TEST");
      StreamState s = c.state(old.name(), "TEST");
      assertThat(s.msgs()).isEqualTo(19);
      assertThat(s.lastSeq()).isEqualTo(20);
      assertThat(c.node(old.name()).getMessage("TEST", 5)).isNull();
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterPurgeReplayAfterRestart")
  void purgeReplayAfterRestart() {
    try (InProcessCluster c = started(3, 14)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      publishN(c, "TEST", "foo", 10);
      assertThat(c.await(c.streamLeader("TEST").purge("TEST", null), T)).isEqualTo(10);
      publishN(c, "TEST", "foo", 10);
      c.awaitCurrent("TEST", T);
      for (String n : c.names()) {
        c.stop(n);
      }
      c.start();
      c.awaitMetaLeader(T);
      c.awaitStreamLeader("TEST", T);
      c.awaitCurrent("TEST", T);
      for (String n : c.names()) {
        StreamState s = c.state(n, "TEST");
        assertThat(s.msgs()).as(n).isEqualTo(10);
        assertThat(s.firstSeq()).isEqualTo(11);
        assertThat(s.lastSeq()).isEqualTo(20);
      }
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterConsistencyAfterLeaderChange")
  void consistencyAfterLeaderChange() {
    try (InProcessCluster c = started(3, 15)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      for (int round = 0; round < 5; round++) {
        publishN(c, "TEST", "foo", 20);
        ClusterNode l = c.streamLeader("TEST");
        l.stepDownStream("TEST");
        c.await(() -> c.streamLeader("TEST") != null && c.streamLeader("TEST") != l, T, "new leader");
      }
      c.awaitCurrent("TEST", T);
      assertReplicasIdentical(c, "TEST");
      assertThat(c.state("n1", "TEST").lastSeq()).isEqualTo(100);
      for (ClusterNode n : c.replicas("TEST")) {
        assertThat(n.replica("TEST").desyncs()).isZero();
      }
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterDiscardNewPerSubjectRejectsWithoutCLFSBump")
  void discardNewPerSubjectNoClfsBump() {
    try (InProcessCluster c = started(3, 16)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo.*").replicas(3).discard(DiscardPolicy.NEW)
          .maxMsgsPerSubject(1).discardNewPerSubject(true).build());
      assertThat(c.publish("TEST", "foo.a", b("1")).seq()).isEqualTo(1);
      PubAck rejected = c.publish("TEST", "foo.a", b("2"));
      assertThat(rejected.isOk()).isFalse();
      assertThat(rejected.error().errCode()).isEqualTo(10077);
      assertThat(rejected.error().description()).isEqualTo("maximum messages per subject exceeded");
      assertThat(c.publish("TEST", "foo.b", b("3")).seq()).isEqualTo(2);
      c.awaitCurrent("TEST", T);
      for (ClusterNode n : c.replicas("TEST")) {
        assertThat(n.replica("TEST").clfs()).isZero();
      }
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterStreamLagWarning")
  void duplicatesRejectedBeforeProposalNoLag() {
    try (InProcessCluster c = started(3, 17)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      byte[] h = Headers.of(Headers.MSG_ID, "dup");
      assertThat(c.publish("TEST", "foo", h, b("x")).seq()).isEqualTo(1);
      ClusterNode l = c.streamLeader("TEST");
      long clseq = l.replica("TEST").clseq();
      for (int i = 0; i < 200; i++) {
        PubAck a = c.publish("TEST", "foo", h, b("x"));
        assertThat(a.duplicate()).isTrue();
        assertThat(a.seq()).isEqualTo(1);
        assertThat(a.toJson()).isEqualTo("{\"stream\":\"TEST\",\"seq\":1,\"duplicate\": true}");
      }
      assertThat(l.replica("TEST").clseq()).isEqualTo(clseq);
      assertThat(l.replica("TEST").lagWarnings()).isZero();
      assertThat(c.state(l.name(), "TEST").msgs()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterDuplicateMsgIdsOnCatchupAndLeaderTakeover (via the apply path)")
  void msgIdsKnownToNewLeader() {
    try (InProcessCluster c = started(3, 18)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      for (int i = 1; i <= 5; i++) {
        c.publish("TEST", "foo", Headers.of(Headers.MSG_ID, "id-" + i), b("m"));
      }
      ClusterNode l = c.streamLeader("TEST");
      c.kill(l.name());
      c.awaitStreamLeader("TEST", T);
      PubAck a = c.publish("TEST", "foo", Headers.of(Headers.MSG_ID, "id-3"), b("m"));
      assertThat(a.duplicate()).isTrue();
      assertThat(a.seq()).isEqualTo(3);
      // A restarted replica rebuilds its window from its store.
      c.restart(l.name());
      c.awaitCurrent("TEST", T);
      ClusterNode cur = c.streamLeader("TEST");
      cur.stepDownStream("TEST");
      c.await(() -> c.streamLeader("TEST") != null && c.streamLeader("TEST") != cur, T, "leader change");
      assertThat(c.publish("TEST", "foo", Headers.of(Headers.MSG_ID, "id-5"), b("m")).duplicate()).isTrue();
    }
  }

  @Test
  @DisplayName("Expected stream, expected last sequence and expected last msg id on the publish path")
  void expectationHeaders() {
    try (InProcessCluster c = started(3, 19)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      assertThat(c.publish("TEST", "foo", Headers.of(Headers.EXPECTED_STREAM, "OTHER"), b("x")).error())
          .isEqualTo(ApiError.STREAM_NOT_MATCH);
      assertThat(c.publish("TEST", "foo", Headers.of(Headers.EXPECTED_STREAM, "TEST",
          Headers.EXPECTED_LAST_SEQ, "0", Headers.MSG_ID, "a"), b("x")).seq()).isEqualTo(1);
      PubAck wrong = c.publish("TEST", "foo", Headers.of(Headers.EXPECTED_LAST_SEQ, "5"), b("x"));
      assertThat(wrong.error()).isEqualTo(ApiError.wrongLastSequence(1));
      assertThat(c.publish("TEST", "foo", Headers.of(Headers.EXPECTED_LAST_SEQ, "1"), b("x")).seq())
          .isEqualTo(2);
      // The last msg id is checked on apply: a mismatch stores nothing and bumps CLFS everywhere.
      PubAck badId = c.publish("TEST", "foo", Headers.of(Headers.EXPECTED_LAST_MSG_ID, "zzz"), b("x"));
      assertThat(badId.error()).isEqualTo(ApiError.wrongLastMsgId("a"));
      assertThat(c.publish("TEST", "foo", Headers.of(Headers.EXPECTED_LAST_MSG_ID, "a",
          Headers.MSG_ID, "b"), b("x")).seq()).isEqualTo(3);
      assertThat(c.publish("TEST", "foo", Headers.of(Headers.EXPECTED_LAST_SEQ, "3"), b("x")).seq())
          .isEqualTo(4);
      c.awaitCurrent("TEST", T);
      for (ClusterNode n : c.replicas("TEST")) {
        assertThat(n.replica("TEST").clfs()).as(n.name()).isEqualTo(1);
      }
      assertReplicasIdentical(c, "TEST");
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterExpectedPerSubjectConsistency (expected last subject sequence, blocked while the subject is in flight)")
  void expectedPerSubjectConsistency() {
    try (InProcessCluster c = started(3, 23)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo", "bar").replicas(3).build());
      ClusterNode l = c.awaitStreamLeader("TEST", T);
      // A first expectation on foo is in flight: a second one on foo must wait for it.
      var first = l.publish("TEST", "foo", Headers.of(Headers.EXPECTED_LAST_SUBJECT_SEQ, "0"), b("a"));
      assertThat(l.replica("TEST").expectedPerSubjectInProcess()).isEqualTo(1);
      PubAck blocked = c.await(l.publish("TEST", "foo", Headers.of(Headers.EXPECTED_LAST_SUBJECT_SEQ, "0"),
          b("b")), T);
      assertThat(blocked.error()).isEqualTo(ApiError.WRONG_LAST_SEQUENCE_CONSTANT);
      assertThat(c.await(first, T).seq()).isEqualTo(1);
      assertThat(l.replica("TEST").expectedPerSubjectInProcess()).isZero();
      // A plain publish on foo in flight blocks an expectation on foo too.
      var plain = l.publish("TEST", "foo", null, b("c"));
      PubAck blocked2 = c.await(l.publish("TEST", "foo", Headers.of(Headers.EXPECTED_LAST_SUBJECT_SEQ, "2"),
          b("d")), T);
      assertThat(blocked2.error()).isEqualTo(ApiError.WRONG_LAST_SEQUENCE_CONSTANT);
      assertThat(c.await(plain, T).seq()).isEqualTo(2);
      // Settled: the check compares with the subject's last stored sequence.
      assertThat(c.publish("TEST", "foo", Headers.of(Headers.EXPECTED_LAST_SUBJECT_SEQ, "1"), b("e")).error())
          .isEqualTo(ApiError.wrongLastSequence(2));
      assertThat(c.publish("TEST", "foo", Headers.of(Headers.EXPECTED_LAST_SUBJECT_SEQ, "2"), b("e")).seq())
          .isEqualTo(3);
      // The subject override checks bar's history while publishing to foo.
      assertThat(c.publish("TEST", "foo", Headers.of(Headers.EXPECTED_LAST_SUBJECT_SEQ, "0",
          Headers.EXPECTED_LAST_SUBJECT_SEQ_SUBJECT, "bar"), b("f")).seq()).isEqualTo(4);
      assertThat(c.publish("TEST", "foo", Headers.of(Headers.EXPECTED_LAST_SUBJECT_SEQ_SUBJECT, "bar"), b("g"))
          .error()).isEqualTo(ApiError.EXPECTED_LAST_SEQ_PER_SUBJECT_INVALID);
      assertThat(l.replica("TEST").expectedPerSubjectInProcess()).isZero();
      c.awaitCurrent("TEST", T);
      assertReplicasIdentical(c, "TEST");
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterStreamFailTrackingSnapshots (CLFS survives restart and leader moves)")
  void clfsSurvivesRestart() {
    try (InProcessCluster c = started(3, 20)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      List<Long> seqs = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        byte[] h = i % 7 == 3 ? Headers.of(Headers.EXPECTED_LAST_MSG_ID, "nope") : Headers.of(Headers.MSG_ID, "u" + i);
        PubAck a = c.publish("TEST", "foo", h, b("m" + i));
        if (a.isOk()) {
          seqs.add(a.seq());
        }
        if (i == 30) {
          c.streamLeader("TEST").stepDownStream("TEST");
          c.awaitStreamLeader("TEST", T);
        }
      }
      c.awaitCurrent("TEST", T);
      long clfs = c.streamLeader("TEST").replica("TEST").clfs();
      assertThat(clfs).isGreaterThan(0);
      for (String n : c.names()) {
        c.stop(n);
      }
      c.start();
      c.awaitMetaLeader(T);
      c.awaitCurrent("TEST", T);
      for (ClusterNode n : c.replicas("TEST")) {
        assertThat(n.replica("TEST").clfs()).isEqualTo(clfs);
        assertThat(n.replica("TEST").desyncs()).isZero();
      }
      assertThat(c.state("n1", "TEST").msgs()).isEqualTo(seqs.size());
      PubAck next = c.publish("TEST", "foo", b("after"));
      assertThat(next.seq()).isEqualTo(seqs.size() + 1);
      c.awaitCurrent("TEST", T);
      assertReplicasIdentical(c, "TEST");
    }
  }

  @Test
  @DisplayName("Stream update keeps the sync subject and group; delete removes every replica")
  void updateAndDelete() {
    // Go: TestJetStreamClusterStreamUpdateSyncBug (the sync subject part)
    try (InProcessCluster c = started(3, 21)) {
      StreamAssignment sa = c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      publishN(c, "TEST", "foo", 5);
      StreamConfig updated = StreamConfigs.builder("TEST").subjects("foo", "bar").replicas(3).maxMsgs(3).build();
      StreamAssignment up = c.await(c.metaLeader().updateStream(updated), T);
      assertThat(up.sync()).isEqualTo(sa.sync());
      assertThat(up.group()).isEqualTo(sa.group());
      c.runFor(2_000);
      for (ClusterNode n : c.replicas("TEST")) {
        assertThat(n.replica("TEST").config().subjects()).containsExactly("foo", "bar");
        assertThat(n.replica("TEST").store().state().msgs()).isEqualTo(3);
      }
      c.await(c.metaLeader().deleteStream("TEST"), T);
      c.await(() -> c.replicas("TEST").isEmpty(), T, "replicas removed");
      for (ClusterNode n : c.liveNodes()) {
        assertThat(n.assignments()).doesNotContainKey("TEST");
      }
      assertThat(c.metaLeader().createStream(updated)).isNotNull();
    }
  }

  @Test
  @DisplayName("Creating a stream twice: same config is idempotent, another config is refused")
  void createTwice() {
    try (InProcessCluster c = started(3, 22)) {
      StreamConfig cfg = StreamConfigs.builder("TEST").subjects("foo").replicas(3).build();
      StreamAssignment a = c.createStream(cfg);
      StreamAssignment again = c.await(c.metaLeader().createStream(cfg), T);
      assertThat(again.group()).isEqualTo(a.group());
      var f = c.metaLeader().createStream(StreamConfigs.builder("TEST").subjects("bar").replicas(3).build());
      assertThat(f).isCompletedExceptionally();
      ClusterNode follower = null;
      for (ClusterNode n : c.liveNodes()) {
        if (!n.isMetaLeader()) {
          follower = n;
        }
      }
      assertThat(follower.createStream(cfg)).isCompletedExceptionally();
    }
  }

  @Test
  @DisplayName("Leader-change listeners see meta and stream leadership")
  void leaderListeners() {
    InProcessCluster c = InProcessCluster.builder().nodes(3).seed(23).build();
    try (c) {
      c.start();
      List<String> events = new ArrayList<>();
      for (String n : c.names()) {
        c.node(n).addListener(new LeaderListener() {
          @Override
          public void metaLeaderChanged(boolean isLeader, long term) {
            events.add(n + ":meta:" + isLeader);
          }

          @Override
          public void streamLeaderChanged(String stream, boolean isLeader, long term) {
            events.add(n + ":" + stream + ":" + isLeader);
          }
        });
      }
      ClusterNode ml = c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterNode sl = c.streamLeader("TEST");
      assertThat(events).contains(ml.name() + ":meta:true", sl.name() + ":TEST:true");
      sl.stepDownStream("TEST");
      c.await(() -> events.contains(sl.name() + ":TEST:false"), T, "step-down event");
    }
  }

  @Test
  @DisplayName("Non-leaders refuse publishes with JSClusterNotLeader; unknown streams are not found")
  void notLeader() {
    try (InProcessCluster c = started(3, 24)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterNode f = aFollower(c, "TEST");
      assertThat(c.await(f.publish("TEST", "foo", null, b("x")), T).error()).isEqualTo(ApiError.CLUSTER_NOT_LEADER);
      assertThat(c.await(f.publish("NOPE", "foo", null, b("x")), T).error()).isEqualTo(ApiError.STREAM_NOT_FOUND);
    }
  }

  @Test
  @DisplayName("Limits are enforced by the store on every replica; max message size before proposal")
  void limits() {
    try (InProcessCluster c = started(3, 25)) {
      c.createStream(StreamConfigs.builder("OLD").subjects("old").replicas(3).maxMsgs(5).maxMsgSize(100).build());
      publishN(c, "OLD", "old", 12);
      assertThat(c.publish("OLD", "old", new byte[101]).error()).isEqualTo(ApiError.MESSAGE_EXCEEDS_MAXIMUM);
      c.awaitCurrent("OLD", T);
      for (ClusterNode n : c.replicas("OLD")) {
        StreamState s = n.replica("OLD").store().state();
        assertThat(s.msgs()).isEqualTo(5);
        assertThat(s.firstSeq()).isEqualTo(8);
      }
      c.createStream(StreamConfigs.builder("NEW").subjects("new").replicas(3).maxMsgs(5)
          .discard(DiscardPolicy.NEW).build());
      publishN(c, "NEW", "new", 5);
      PubAck full = c.publish("NEW", "new", b("x"));
      assertThat(full.error().description()).isEqualTo("maximum messages exceeded");
      for (ClusterNode n : c.replicas("NEW")) {
        assertThat(n.replica("NEW").clfs()).isZero();
      }
    }
  }

  @Test
  @DisplayName("Purge with a subject filter and keep, message delete with no-erase, sealed stream")
  void purgeDeleteSealed() {
    try (InProcessCluster c = started(3, 26)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo.*").replicas(3).build());
      for (int i = 0; i < 10; i++) {
        c.publish("TEST", i % 2 == 0 ? "foo.a" : "foo.b", b("m" + i));
      }
      ClusterNode l = c.streamLeader("TEST");
      long purged = c.await(l.purge("TEST", new io.jscluster.codec.ops.PurgeRequest(0, "foo.a", 1)), T);
      assertThat(purged).isEqualTo(4);
      assertThat(c.await(l.deleteMessage("TEST", 2, true), T)).isTrue();
      assertThat(c.await(l.deleteMessage("TEST", 2, true), T)).isFalse();
      c.awaitCurrent("TEST", T);
      assertReplicasIdentical(c, "TEST");
      assertThat(c.state(l.name(), "TEST").msgs()).isEqualTo(5);
      c.await(c.metaLeader().updateStream(StreamConfigs.builder("TEST").subjects("foo.*").replicas(3)
          .sealed(true).build()), T);
      c.runFor(1_000);
      assertThat(c.publish("TEST", "foo.a", b("x")).error()).isEqualTo(ApiError.STREAM_SEALED);
    }
  }

  @Test
  @DisplayName("A stream survives repeated kill -9 of random nodes (Jepsen 2025, failure a)")
  void repeatedKillNeverForgetsStream() {
    try (InProcessCluster c = started(3, 27)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      long acked = 0;
      for (int round = 0; round < 8; round++) {
        String victim = c.names().get(c.simulation().random().nextInt(3));
        c.kill(victim);
        c.awaitMetaLeader(T);
        c.awaitStreamLeader("TEST", T);
        for (int i = 0; i < 5; i++) {
          if (c.publish("TEST", "foo", b("r" + round + "-" + i)).isOk()) {
            acked++;
          }
        }
        c.restart(victim);
      }
      c.awaitMetaLeader(T);
      c.awaitCurrent("TEST", T);
      for (ClusterNode n : c.liveNodes()) {
        assertThat(n.assignments()).containsKey("TEST");
        assertThat(n.replica("TEST").store().state().msgs()).isEqualTo(acked);
      }
      assertReplicasIdentical(c, "TEST");
    }
  }

  @Test
  @DisplayName("An isolated stream leader cannot acknowledge; the majority continues; no split brain (Jepsen 2025, failure e)")
  void isolatedLeaderNoSplitBrain() {
    try (InProcessCluster c = started(3, 28)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      publishN(c, "TEST", "foo", 10);
      ClusterNode old = c.streamLeader("TEST");
      c.isolate(old.name());
      var stranded = old.publish("TEST", "foo", null, b("lost?"));
      c.await(() -> c.streamLeader("TEST") != null && c.streamLeader("TEST") != old
          && !old.isStreamLeader("TEST"), 120_000, "majority leader");
      publishN(c, "TEST", "foo", 10);
      c.runUntil(stranded::isDone, 20_000);
      assertThat(stranded.isDone() && !stranded.isCompletedExceptionally() && stranded.join().isOk()).isFalse();
      c.heal();
      c.awaitCurrent("TEST", 120_000);
      assertReplicasIdentical(c, "TEST");
      assertThat(c.state(old.name(), "TEST").msgs()).isEqualTo(20);
    }
  }

  @Test
  @DisplayName("A slowed follower stays consistent and catches up once normal")
  void slowFollower() {
    try (InProcessCluster c = started(3, 29)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterNode f = aFollower(c, "TEST");
      c.slow(f.name(), 200);
      publishN(c, "TEST", "foo", 50);
      c.heal();
      c.awaitCurrent("TEST", T);
      assertReplicasIdentical(c, "TEST");
    }
  }

  @Test
  @DisplayName("A node restarted after the stream was deleted drops its replica")
  void deletedWhileDown() {
    try (InProcessCluster c = started(3, 30)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      publishN(c, "TEST", "foo", 3);
      ClusterNode f = aFollower(c, "TEST");
      c.kill(f.name());
      c.await(c.awaitMetaLeader(T).deleteStream("TEST"), T);
      c.restart(f.name());
      c.awaitMetaLeader(T);
      c.runFor(5_000);
      assertThat(c.node(f.name()).replica("TEST")).isNull();
      assertThat(c.node(f.name()).assignments()).doesNotContainKey("TEST");
    }
  }

  @Test
  @DisplayName("Same seed, same run: identical trace hashes")
  void deterministic() {
    long[] h = new long[2];
    for (int i = 0; i < 2; i++) {
      try (InProcessCluster c = started(3, 31)) {
        c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
        publishN(c, "TEST", "foo", 20);
        c.kill("n2");
        publishN(c, "TEST", "foo", 5);
        c.restart("n2");
        c.awaitCurrent("TEST", T);
        h[i] = c.simulation().traceHash() ^ c.simulation().now();
      }
    }
    assertThat(h[0]).isEqualTo(h[1]);
  }

  @Test
  @DisplayName("Killing every node at once (file storage, default fsync) loses no acknowledged message (Jepsen 2025, failure b, process crash)")
  void killAllFileStorage(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(33).fileStorage(dir).build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      List<ClusterNode> before = c.replicas("TEST");
      var pending = new ArrayList<java.util.concurrent.CompletableFuture<PubAck>>();
      ClusterNode l = c.streamLeader("TEST");
      for (int i = 0; i < 200; i++) {
        pending.add(l.publish("TEST", "foo", Headers.of(Headers.MSG_ID, "k" + i), b("m" + i)));
      }
      c.runUntil(() -> pending.get(120).isDone(), T);
      long acked = pending.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally() && f.join().isOk()).count();
      for (String n : c.names()) {
        c.kill(n);
      }
      assertThat(before).hasSize(3);
      c.start();
      c.awaitMetaLeader(T);
      c.awaitStreamLeader("TEST", T);
      c.awaitCurrent("TEST", T);
      for (int i = 0; i < pending.size(); i++) {
        var f = pending.get(i);
        if (f.isDone() && !f.isCompletedExceptionally() && f.join().isOk()) {
          long seq = f.join().seq();
          for (ClusterNode n : c.replicas("TEST")) {
            assertThat(Headers.get(n.getMessage("TEST", seq).header(), Headers.MSG_ID)).isEqualTo("k" + i);
          }
        }
      }
      assertThat(acked).isGreaterThan(100);
      assertThat(c.state("n1", "TEST").msgs()).isGreaterThanOrEqualTo(acked);
      long last = c.state("n1", "TEST").lastSeq();
      assertThat(c.publish("TEST", "foo", b("after")).seq()).isEqualTo(last + 1);
      c.awaitCurrent("TEST", T);
      assertReplicasIdentical(c, "TEST");
    }
  }

  @Test
  @DisplayName("Bit flips in a minority replica's stream block are repaired from the leader (Jepsen 2025, failure c)")
  void damagedBlockRepairedFromLeader(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(34).fileStorage(dir).build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      publishN(c, "TEST", "foo", 300);
      c.awaitCurrent("TEST", T);
      ClusterNode f = aFollower(c, "TEST");
      String victim = f.name();
      c.stop(victim);
      List<java.nio.file.Path> hit = c.damageStreamFiles(victim, "TEST", 1);
      assertThat(hit).hasSize(1);
      c.start();
      c.awaitMetaLeader(T);
      c.awaitCurrent("TEST", T);
      ClusterNode back = c.node(victim);
      assertThat(back.replica("TEST").store().damage()).isEmpty();
      assertThat(back.replica("TEST").repairedRanges()).isEqualTo(1);
      assertReplicasIdentical(c, "TEST");
      assertThat(c.state(victim, "TEST").msgs()).isEqualTo(300);
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterStreamCatchupInteriorNilMsgs (empty payloads survive a follower restart)")
  void interiorNilMsgs() {
    try (InProcessCluster c = started(3, 35)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterNode f = aFollower(c, "TEST");
      c.kill(f.name());
      for (int i = 0; i < 500; i++) {
        assertThat(c.publish("TEST", "foo", null).isOk()).isTrue();
      }
      c.restart(f.name());
      c.awaitCurrent("TEST", T);
      assertThat(c.state(f.name(), "TEST").msgs()).isEqualTo(500);
      assertThat(c.node(f.name()).getMessage("TEST", 250).data()).isEmpty();
      assertReplicasIdentical(c, "TEST");
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterCompressedStreamMessages (32 KiB payloads replicate as op 14 and survive a late replica)")
  void compressedMessages() {
    try (InProcessCluster c = started(3, 36)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      ClusterNode f = aFollower(c, "TEST");
      c.kill(f.name());
      byte[] big = new byte[32 * 1024];
      for (int i = 0; i < big.length; i++) {
        big[i] = (byte) ('a' + i % 7);
      }
      assertThat(io.jscluster.codec.msg.StreamMsgCodec.encode(new io.jscluster.codec.msg.StreamMsg("foo", "", null,
          big, 0, 1, false))[0]).isEqualTo((byte) 14);
      for (int i = 0; i < 20; i++) {
        assertThat(c.publish("TEST", "foo", big).isOk()).isTrue();
      }
      c.restart(f.name());
      c.awaitCurrent("TEST", T);
      assertThat(c.node(f.name()).getMessage("TEST", 20).data()).isEqualTo(big);
      assertReplicasIdentical(c, "TEST");
    }
  }

  @Test
  @DisplayName("Stream info after a full restart reports the same group, peers and state")
  void infoAfterRestart() {
    try (InProcessCluster c = started(3, 37)) {
      StreamAssignment sa = c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      publishN(c, "TEST", "foo", 7);
      for (String n : c.names()) {
        c.kill(n);
      }
      c.start();
      c.awaitMetaLeader(T);
      c.awaitCurrent("TEST", T);
      for (ClusterNode n : c.replicas("TEST")) {
        StreamInfo si = n.streamInfo("TEST");
        assertThat(si.group()).isEqualTo(sa.group().name());
        assertThat(si.state().msgs()).isEqualTo(7);
        assertThat(si.current()).isTrue();
        assertThat(n.assignments().get("TEST").sync()).isEqualTo(sa.sync());
      }
    }
  }

  @Test
  @DisplayName("R5 memory stream tolerates two nodes down")
  void r5TwoDown() {
    try (InProcessCluster c = started(5, 32)) {
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(5).storage(StorageType.MEMORY).build());
      publishN(c, "TEST", "foo", 10);
      List<ClusterNode> followers = new ArrayList<>();
      for (ClusterNode n : c.replicas("TEST")) {
        if (!n.isStreamLeader("TEST") && !n.isMetaLeader() && followers.size() < 2) {
          followers.add(n);
        }
      }
      for (ClusterNode n : followers) {
        c.kill(n.name());
      }
      publishN(c, "TEST", "foo", 10);
      for (ClusterNode n : followers) {
        c.restart(n.name());
      }
      c.awaitCurrent("TEST", T);
      assertReplicasIdentical(c, "TEST");
      assertThat(c.state("n1", "TEST").lastSeq()).isEqualTo(20);
      assertThat(Set.copyOf(c.replicas("TEST"))).hasSize(5);
      StoredMessage m = c.node("n3").getMessage("TEST", 20);
      assertThat(new String(m.data(), StandardCharsets.UTF_8)).isEqualTo("msg-9");
    }
  }
}
