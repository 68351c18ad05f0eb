package io.jscluster.raft;

import static io.jscluster.raft.NodeHarness.AE_REPLY;
import static io.jscluster.raft.NodeHarness.S1;
import static io.jscluster.raft.NodeHarness.S2;
import static io.jscluster.raft.NodeHarness.S3;
import static io.jscluster.raft.NodeHarness.ae;
import static io.jscluster.raft.NodeHarness.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.AppendEntryResponse;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.EntryType;
import io.jscluster.raft.wire.PeerState;
import io.jscluster.raft.wire.PeerStateCodec;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Catch-up scenarios of raft.md §10.1 that involve snapshots, ported from raft_test.go. */
class SnapshotCatchupCatalogueTest {

  private static final Entry E = entry("foo");

  private static Entry[] snapshotEntries() {
    return new Entry[] {new Entry(EntryType.SNAPSHOT, null), new Entry(EntryType.PEER_STATE,
        PeerStateCodec.encode(new PeerState(3, List.of(S1, S2, S3), 0)))};
  }

  @Test
  @DisplayName("TestNRGDontSwitchToCandidateWithInflightSnapshot")
  void dontSwitchToCandidateWithInflightSnapshot() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 1, 1, 1));
    assertThat(h.node.isCatchingUp()).isTrue();
    assertThat(CatalogueProbe.catchupRequest(h).index()).isZero();
    assertThat(CatalogueProbe.catchupRequest(h).term()).isZero();

    h.deliverCatchup(ae(S2, 1, 1, 1, 1, snapshotEntries()));
    assertThat(h.node.lastIndex()).isEqualTo(1);
    assertThat(h.node.commitIndex()).isEqualTo(1);
    // Go calls switchToCandidate directly; here the catch-up ends first (a live heartbeat) so that
    // only the unprocessed snapshot can block the election timer's candidacy.
    h.deliverAe(ae(S2, 1, 1, 1, 1));
    assertThat(h.node.isCatchingUp()).isFalse();

    h.node.campaignImmediately(h.now);
    h.advance(100);
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);

    h.node.applied(h.now, 1);
    h.advance(1_100);
    assertThat(h.node.state()).isEqualTo(RaftState.CANDIDATE);
  }

  @Test
  @DisplayName("TestNRGDontSwitchToCandidateWithMultipleInflightSnapshots")
  void dontSwitchToCandidateWithMultipleInflightSnapshots() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, snapshotEntries()));
    assertThat(h.node.lastIndex()).isEqualTo(1);
    assertThat(h.node.commitIndex()).isZero();
    h.deliverAe(ae(S2, 1, 1, 1, 1, snapshotEntries()));
    assertThat(h.node.lastIndex()).isEqualTo(2);
    assertThat(h.node.commitIndex()).isEqualTo(1);
    h.deliverAe(ae(S2, 1, 2, 1, 2));
    assertThat(h.node.commitIndex()).isEqualTo(2);
    assertThat(h.node.appliedIndex()).isZero();
    assertThat(h.applied).allMatch(CommittedEntry::isSnapshot);

    h.node.campaignImmediately(h.now);
    for (long i = 1; i <= 2; i++) {
      h.advance(1_100);
      assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
      h.node.applied(h.now, i);
    }
    h.advance(1_100);
    assertThat(h.node.state()).isEqualTo(RaftState.CANDIDATE);
  }

  @Test
  @DisplayName("TestNRGDelayedMessagesAfterCatchupDontCountTowardQuorum")
  void delayedMessagesAfterCatchupDontCountTowardQuorum() {
    NodeHarness h = new NodeHarness();
    AppendEntry m1 = ae(S2, 1, 0, 0, 0, E);
    AppendEntry m2 = ae(S2, 1, 1, 1, 1, E);
    AppendEntry m3 = ae(S2, 1, 1, 1, 2, E);
    h.deliverAe(m3);
    assertThat(h.node.isCatchingUp()).isTrue();
    // The catch-up runs partially.
    h.deliverCatchup(m1);
    h.deliverCatchup(m2);
    assertThat(h.node.lastIndex()).isEqualTo(2);
    assertThat(h.node.commitIndex()).isEqualTo(1);
    h.node.applied(h.now, 1);
    assertThat(h.node.appliedIndex()).isEqualTo(1);
    h.node.installSnapshot(h.now, null);

    int before = h.sentOn(AE_REPLY).size();
    // Delayed live copies of old AEs: no success, or we would lend quorum without the log.
    h.deliverAe(m1);
    assertThat(h.node.lastIndex()).isEqualTo(2);
    assertThat(h.sentOn(AE_REPLY)).hasSize(before);
    h.deliverAe(m2);
    assertThat(h.node.lastIndex()).isEqualTo(2);
    assertThat(h.sentOn(AE_REPLY)).hasSize(before);

    h.deliverAe(m3);
    assertThat(h.node.lastIndex()).isEqualTo(3);
    assertThat(h.sentOn(AE_REPLY)).hasSize(before + 1);
    NodeHarness.Sent last = h.lastSentTo(AE_REPLY);
    AppendEntryResponse ar = io.jscluster.raft.wire.RaftCodec.decodeAppendEntryResponse(
        last.payload());
    assertThat(ar.index()).isEqualTo(3);
    assertThat(ar.success()).isTrue();
    assertThat(last.reply()).isNull();
  }
}
