package io.jscluster.raft;

import static io.jscluster.raft.CatalogueProbe.catchupRequest;
import static io.jscluster.raft.CatalogueProbe.msgs;
import static io.jscluster.raft.CatalogueProbe.stored;
import static io.jscluster.raft.NodeHarness.S2;
import static io.jscluster.raft.NodeHarness.S3;
import static io.jscluster.raft.NodeHarness.ae;
import static io.jscluster.raft.NodeHarness.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.AppendEntryResponse;
import io.jscluster.raft.wire.Entry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Step-for-step ports of three essential catalogue tests (raft.md §10.1/§10.3) with nats-server's
 * exact timelines; NodeScenariosTest holds shorter variants of the same names.
 */
class CommitSafetyCatalogueTest {

  private static final Entry E = entry("foo");

  @Test
  @DisplayName("TestNRGCatchupDontCountTowardQuorum")
  void catchupDontCountTowardQuorum() {
    // NRG never answers catch-up entries; the jscluster progress reports are switched off to port
    // that exactly (CatchupProgressTest covers them, and that they never count either).
    NodeHarness h = new NodeHarness(c -> c.withCatchupProgress(false));
    AppendEntry aeMissedMsg = ae(S2, 1, 0, 0, 0, E);
    AppendEntry aeCatchupTrigger = ae(S2, 1, 0, 1, 1, E);
    AppendEntry aeHeartbeat = ae(S2, 1, 0, 1, 2);

    h.deliverAe(aeCatchupTrigger);
    assertThat(h.node.isCatchingUp()).isTrue();
    AppendEntryResponse req = catchupRequest(h);
    assertThat(req.term()).isZero();
    assertThat(req.index()).isZero();

    // The request: index 0, failure, reply on a catch-up inbox.
    assertThat(h.responses()).hasSize(1);
    AppendEntryResponse ar = h.lastResponse();
    assertThat(ar.index()).isZero();
    assertThat(ar.success()).isFalse();
    assertThat(h.lastSentTo(NodeHarness.AE_REPLY).reply()).startsWith("$NRG.CR");

    // Catch-up entries are never acknowledged.
    h.deliverCatchup(aeMissedMsg);
    assertThat(h.responses()).hasSize(1);
    h.deliverCatchup(aeCatchupTrigger);
    assertThat(h.responses()).hasSize(1);
    assertThat(h.node.lastIndex()).isEqualTo(2);

    // Caught up: the live heartbeat ends the catch-up and is acknowledged.
    h.deliverAe(aeHeartbeat);
    assertThat(h.node.isCatchingUp()).isFalse();
    assertThat(h.responses()).hasSize(2);
    ar = h.lastResponse();
    assertThat(ar.index()).isEqualTo(aeHeartbeat.pindex());
    assertThat(ar.success()).isTrue();
    assertThat(h.lastSentTo(NodeHarness.AE_REPLY).reply()).isNull();
  }

  @Test
  @DisplayName("TestNRGProcessAppendEntryTermMismatchDoesNotRegressCommit")
  void termMismatchAtCommittedIndexDoesNotRegressCommit() {
    NodeHarness h = new NodeHarness();
    for (long i = 0; i < 5; i++) {
      h.deliverAe(ae(S2, 1, i, i == 0 ? 0 : 1, i, E));
    }
    h.deliverAe(ae(S2, 1, 5, 1, 5));
    assertThat(h.node.commitIndex()).isEqualTo(5);
    assertThat(h.node.lastIndex()).isEqualTo(5);

    // Conflicting pterm exactly at the committed last index (§7.2 rule 4: the entry's own
    // predecessor is below commit, so nothing is truncated).
    h.deliverAe(ae(S2, 2, 5, 2, 5, E));
    assertThat(h.node.commitIndex()).isEqualTo(5);
    assertThat(h.node.lastIndex()).isEqualTo(5);
    assertThat(msgs(h.log)).isEqualTo(5);
  }

  @Test
  @DisplayName("TestNRGTruncateDownToCommitted")
  void truncateDownToCommitted() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, E));
    assertThat(h.node.commitIndex()).isZero();
    assertThat(msgs(h.log)).isEqualTo(1);
    assertThat(stored(h.log, 1).leader()).isEqualTo(S2);

    h.deliverAe(ae(S2, 1, 1, 1, 1, E));
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(msgs(h.log)).isEqualTo(2);
    assertThat(stored(h.log, 2).leader()).isEqualTo(S2);

    h.deliverAe(ae(S3, 2, 1, 1, 1, E));
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(msgs(h.log)).isEqualTo(2);
    assertThat(stored(h.log, 2).leader()).isEqualTo(S3);

    h.deliverAe(ae(S3, 2, 2, 2, 2));
    assertThat(h.node.commitIndex()).isEqualTo(2);
  }
}
