package io.jscluster.raft;

import static io.jscluster.raft.CatalogueProbe.msgs;
import static io.jscluster.raft.CatalogueProbe.stored;
import static io.jscluster.raft.NodeHarness.S2;
import static io.jscluster.raft.NodeHarness.S3;
import static io.jscluster.raft.NodeHarness.ae;
import static io.jscluster.raft.NodeHarness.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.log.TermVote;
import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.AppendEntryResponse;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.RaftCodec;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Truncation and WAL scenarios of raft.md §10.3, ported from nats-server's raft_test.go. S-1 is the
 * node under test; S-2 the first leader ("nats-0"), S-3 the next ("nats-1"). A restart is a new
 * node over the durable state of the previous log ({@link MemoryRaftLog#afterCrash(int)}).
 */
class TruncationCatalogueTest {

  private static final Entry E = entry("foo");

  private static MemoryTermVoteStore termVote(long term) {
    MemoryTermVoteStore tv = new MemoryTermVoteStore();
    tv.save(new TermVote(term, ""));
    return tv;
  }

  /** A node over any {@link io.jscluster.raft.log.RaftLog}, recording effects in a harness. */
  private static RaftNode startOver(ForwardingRaftLog log, NodeHarness effects) {
    RaftNode n = new RaftNode(RaftConfig.of(NodeHarness.GROUP, NodeHarness.S1,
        List.of(NodeHarness.S1, S2, S3)), log, termVote(1), new Random(7), effects);
    n.start(effects.now);
    return n;
  }

  @Test
  @DisplayName("TestNRGTruncateOnStartup")
  void truncateOnStartup() {
    NodeHarness h = new NodeHarness();
    AppendEntry aeMsg1 = ae(S2, 1, 0, 0, 0, E);
    AppendEntry aeMsg2 = ae(S2, 1, 0, 1, 1, E);
    h.deliverAe(aeMsg1);
    h.deliverAe(aeMsg2);
    assertThat(h.node.lastIndex()).isEqualTo(2);
    assertThat(msgs(h.log)).isEqualTo(2);
    assertThat(h.log.firstIndex()).isEqualTo(1);
    assertThat(h.log.lastIndex()).isEqualTo(2);

    // A truncation performed only halfway before a hard kill: record 2 is gone, last is still 2.
    h.node.stop();
    ForwardingRaftLog wal = new ForwardingRaftLog(h.log.afterCrash(0));
    wal.deletedIndex = 2;
    RaftNode n = startOver(wal, new NodeHarness());
    assertThat(msgs(wal.delegate)).isEqualTo(1);
    assertThat(wal.firstIndex()).isEqualTo(1);
    assertThat(wal.lastIndex()).isEqualTo(1);
    assertThat(n.lastIndex()).isEqualTo(1);

    // An AE stored with the wrong pindex is truncated on the next start.
    wal.append(2, 1, RaftCodec.encode(ae(S2, 1, 0, 1, 0, E)));
    wal.sync();
    assertThat(msgs(wal)).isEqualTo(2);
    assertThat(wal.lastIndex()).isEqualTo(2);
    n.stop();
    ForwardingRaftLog wal2 = new ForwardingRaftLog(wal.delegate.afterCrash(0));
    RaftNode n2 = startOver(wal2, new NodeHarness());
    assertThat(msgs(wal2)).isEqualTo(1);
    assertThat(wal2.firstIndex()).isEqualTo(1);
    assertThat(wal2.lastIndex()).isEqualTo(1);
    assertThat(n2.lastIndex()).isEqualTo(1);
  }

  @Test
  @DisplayName("TestNRGTruncateLogWithMissingSnapshot")
  void truncateLogWithMissingSnapshot() {
    NodeHarness h = new NodeHarness();
    List<AppendEntry> timeline = List.of(ae(S2, 1, 0, 0, 0, E), ae(S2, 1, 0, 1, 1, E),
        ae(S2, 1, 2, 1, 2, E));
    for (int i = 0; i < timeline.size(); i++) {
      h.deliverAe(timeline.get(i));
      assertThat(h.node.lastIndex()).isEqualTo(i + 1);
    }
    // Compacted as if a snapshot had been taken, but no snapshot exists.
    h.log.compactUpTo(1);
    h.log.sync();
    assertThat(h.log.firstIndex()).isEqualTo(2);
    assertThat(h.log.lastIndex()).isEqualTo(3);

    h.node.stop();
    NodeHarness r = new NodeHarness(c -> c, h.log.afterCrash(0), termVote(1));
    // The gap cannot be bridged: the log is reset (nats-server reports first = last = 0; this
    // log's empty-reset state is first 1, last 0).
    assertThat(msgs(r.log)).isZero();
    assertThat(r.log.lastIndex()).isZero();
    assertThat(r.node.lastIndex()).isZero();
  }

  @Test
  @DisplayName("TestNRGTruncateDownToCommittedWhenTruncateFails")
  void truncateDownToCommittedWhenTruncateFails() {
    NodeHarness fx = new NodeHarness();
    ForwardingRaftLog wal = new ForwardingRaftLog(new MemoryRaftLog());
    wal.failTruncate = true;
    RaftNode n = startOver(wal, fx);
    deliver(fx, n, ae(S2, 1, 0, 0, 0, E));
    assertThat(n.commitIndex()).isZero();
    assertThat(msgs(wal)).isEqualTo(1);
    assertThat(stored(wal, 1).leader()).isEqualTo(S2);

    deliver(fx, n, ae(S2, 1, 1, 1, 1, E));
    assertThat(n.commitIndex()).isEqualTo(1);
    assertThat(msgs(wal)).isEqualTo(2);
    assertThat(stored(wal, 2).leader()).isEqualTo(S2);

    long bindex = n.lastIndex();
    long bterm = n.lastTerm();
    deliver(fx, n, ae(S3, 2, 1, 1, 1, E));
    assertThat(n.writeError()).isNotNull();
    assertThat(n.writeError().getMessage()).contains("test: truncate always fails");
    assertThat(n.lastIndex()).isEqualTo(bindex);
    assertThat(n.lastTerm()).isEqualTo(bterm);
  }

  private static void deliver(NodeHarness fx, RaftNode n, AppendEntry ae) {
    n.receive(fx.now, io.jscluster.raft.wire.Subjects.appendEntry(NodeHarness.GROUP),
        NodeHarness.AE_REPLY, RaftCodec.encode(ae));
    n.flush(fx.now);
  }

  @Test
  @DisplayName("TestNRGTermNoDecreaseAfterWALReset")
  void termNoDecreaseAfterWalReset() {
    NodeHarness h = new NodeHarness();
    AppendEntry fromLeader = ae(S2, 20, 0, 0, 0, E);
    h.deliverAe(fromLeader);
    assertThat(h.node.term()).isEqualTo(20);
    assertThat(h.node.lastIndex()).isEqualTo(1);

    AppendEntry old = ae(S2, 3, 0, 0, 0, E);
    h.deliverAe(old);
    assertThat(h.node.term()).isEqualTo(20);
    AppendEntryResponse ar = h.lastResponse();
    assertThat(ar.success()).isFalse();
    assertThat(ar.term()).isEqualTo(20);

    // nats-server calls resetWAL() directly; here the reset comes from §7.2 rule 2d: a live AE
    // at index 0 whose pterm differs from ours while we are at index 1 (no entry at 0, no
    // snapshot) resets the WAL.
    h.deliverAe(ae(S2, 20, 0, 7, 0));
    assertThat(msgs(h.log)).isZero();
    assertThat(h.node.lastIndex()).isZero();
    assertThat(h.node.term()).isEqualTo(20);

    int before = h.responses().size();
    h.deliverAe(old);
    assertThat(h.node.term()).isEqualTo(20);
    assertThat(h.node.lastIndex()).isZero();
    assertThat(h.responses()).hasSize(before + 1);
    assertThat(h.lastResponse().success()).isFalse();
    assertThat(h.lastResponse().term()).isEqualTo(20);
  }

  @Test
  @DisplayName("TestNRGRecoverPindexPtermOnlyIfLogNotEmpty")
  void recoverPindexPtermOnlyIfLogNotEmpty() {
    // Log and snapshots gone; only tav.idx still carries the term.
    NodeHarness h = NodeHarness.withHistory(List.of(), 5);
    assertThat(h.node.term()).isEqualTo(5);
    assertThat(h.node.lastTerm()).isZero();
    assertThat(h.node.lastIndex()).isZero();
  }
}
