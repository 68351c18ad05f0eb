package io.jscluster.raft;

import static io.jscluster.raft.NodeHarness.AE_REPLY;
import static io.jscluster.raft.NodeHarness.GROUP;
import static io.jscluster.raft.NodeHarness.S2;
import static io.jscluster.raft.NodeHarness.S3;
import static io.jscluster.raft.NodeHarness.ae;
import static io.jscluster.raft.NodeHarness.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.wire.AppendEntryResponse;
import io.jscluster.raft.wire.RaftCodec;
import io.jscluster.raft.wire.Subjects;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Group commit ({@link RaftNode#setDeferredSync}): appends of a burst share one force at the next
 * flush, and no append-entry response, nor the leader's own vote toward a commit, ever precedes
 * the force that makes its entries durable.
 */
class DeferredSyncTest {

  private static NodeHarness deferredNode() {
    NodeHarness h = new NodeHarness(c -> c, new MemoryRaftLog(FsyncPolicy.ON_SYNC),
        new MemoryTermVoteStore());
    h.node.setDeferredSync(true);
    return h;
  }

  private static void receiveAe(NodeHarness h, io.jscluster.raft.wire.AppendEntry ae) {
    h.node.receive(h.now, Subjects.appendEntry(GROUP), AE_REPLY, RaftCodec.encode(ae));
  }

  @Test
  @DisplayName("follower: a burst of AEs is forced once at flush, and only then acknowledged, in order")
  void followerHoldsResponsesUntilOneForce() {
    NodeHarness h = deferredNode();
    long syncsBefore = h.log.syncCount();
    receiveAe(h, ae(S2, 1, 0, 0, 0, entry("a")));
    receiveAe(h, ae(S2, 1, 0, 1, 1, entry("b")));
    receiveAe(h, ae(S2, 1, 0, 1, 2, entry("c")));

    assertThat(h.node.lastIndex()).isEqualTo(3);
    assertThat(h.responses()).as("nothing acknowledged before the force").isEmpty();
    assertThat(h.log.unsyncedOperations()).isPositive();
    assertThat(h.log.syncCount()).isEqualTo(syncsBefore);

    h.node.flush(h.now);

    assertThat(h.log.syncCount()).isEqualTo(syncsBefore + 1);
    assertThat(h.log.unsyncedOperations()).isZero();
    assertThat(h.responses()).extracting(AppendEntryResponse::index).containsExactly(1L, 2L, 3L);
    assertThat(h.responses()).allMatch(AppendEntryResponse::success);
  }

  @Test
  @DisplayName("follower: a crash before the flush loses only entries that were never acknowledged")
  void crashBeforeFlushLosesOnlyUnacknowledged() {
    NodeHarness h = deferredNode();
    receiveAe(h, ae(S2, 1, 0, 0, 0, entry("a")));
    h.node.flush(h.now);
    receiveAe(h, ae(S2, 1, 0, 1, 1, entry("b")));
    assertThat(h.responses()).extracting(AppendEntryResponse::index).containsExactly(1L);

    MemoryRaftLog afterCrash = h.log.afterCrash(0);

    assertThat(afterCrash.lastIndex()).as("every acknowledged index survives").isEqualTo(1);
  }

  @Test
  @DisplayName("follower: held responses are released (after a force) before a truncation cuts their entries")
  void truncationReleasesHeldResponsesFirst() {
    NodeHarness h = deferredNode();
    receiveAe(h, ae(S2, 1, 0, 0, 0, entry("a")));
    receiveAe(h, ae(S2, 1, 0, 1, 1, entry("b")));
    // A new leader in term 2 whose log diverges after index 1.
    receiveAe(h, ae(S3, 2, 0, 1, 1, entry("x")));
    h.node.flush(h.now);

    List<AppendEntryResponse> rs = h.responses();
    assertThat(rs).hasSizeGreaterThanOrEqualTo(2);
    assertThat(rs.get(0).index()).isEqualTo(1);
    assertThat(rs.get(1).index()).isEqualTo(2);
    assertThat(rs.get(1).term()).isEqualTo(1);
    assertThat(h.log.unsyncedOperations()).isZero();
  }

  @Test
  @DisplayName("leader: several AEs of one flush share one force; its own copy counts only once durable")
  void leaderForcesOncePerFlushAndBeforeCountingItself() {
    NodeHarness h = deferredNode();
    h.electSelf();
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    long term = h.node.term();
    // The leader's noop is appended (not necessarily forced yet); a quorum response commits it
    // only after the leader forced its own copy.
    h.node.receive(h.now, h.node.appendEntryResponseInbox(), null,
        RaftCodec.encode(new AppendEntryResponse(term, h.node.lastIndex(), S2, true)));
    assertThat(h.node.commitIndex()).isEqualTo(h.node.lastIndex());
    assertThat(h.log.unsyncedOperations()).isZero();

    int big = 300 * 1024;
    byte[] payload = new byte[big / 3];
    long syncsBefore = h.log.syncCount();
    long lastBefore = h.node.lastIndex();
    for (int i = 0; i < 6; i++) {
      h.node.propose(h.now, term, payload);
    }
    h.node.propose(h.now, term, "tail".getBytes(StandardCharsets.UTF_8));
    h.node.flush(h.now);

    assertThat(h.node.lastIndex() - lastBefore).as("256 KiB batches: several AEs").isGreaterThan(1);
    assertThat(h.log.syncCount()).isEqualTo(syncsBefore + 1);
    assertThat(h.log.unsyncedOperations()).isZero();
  }
}
