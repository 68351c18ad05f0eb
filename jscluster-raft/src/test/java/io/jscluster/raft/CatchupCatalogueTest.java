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
import io.jscluster.raft.wire.RaftCodec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Follower-side catch-up scenarios of raft.md §10.1, ported from nats-server's raft_test.go. One
 * node (S-1) is fed hand-built AEs: live ones on the main subscription, catch-up ones on the
 * node's current catch-up inbox. S-2 plays the first leader ("nats-0"), S-3 the next ("nats-1").
 */
class CatchupCatalogueTest {

  private static final Entry E = entry("foo");

  /** Delivers a catch-up AE to a specific (possibly retired) catch-up inbox. */
  private static void deliverOn(NodeHarness h, String inbox, AppendEntry ae) {
    h.node.receive(h.now, inbox, NodeHarness.AE_REPLY, RaftCodec.encode(ae));
  }

  @Test
  @DisplayName("TestNRGCatchupDoesNotTruncateUncommittedEntriesWithQuorum")
  void catchupDoesNotTruncateUncommittedEntriesWithQuorum() {
    NodeHarness h = new NodeHarness();
    AppendEntry aeInitial = ae(S2, 1, 0, 0, 0, E);
    AppendEntry aeHeartbeat = ae(S2, 1, 1, 1, 1);
    AppendEntry aeUncommitted = ae(S2, 1, 1, 1, 1, E);
    AppendEntry aeNoQuorum = ae(S2, 1, 1, 1, 2, E);
    AppendEntry aeMissed = ae(S3, 2, 1, 1, 2, E);
    AppendEntry aeCatchupTrigger = ae(S3, 2, 1, 2, 3, E);
    AppendEntry aeHeartbeat2 = ae(S3, 2, 2, 2, 4);
    AppendEntry aeHeartbeat3 = ae(S3, 2, 4, 2, 4);

    h.deliverAe(aeInitial);
    assertThat(msgs(h.log)).isEqualTo(1);
    assertThat(stored(h.log, 1).leader()).isEqualTo(S2);

    h.deliverAe(aeHeartbeat);
    assertThat(h.node.commitIndex()).isEqualTo(1);

    h.deliverAe(aeUncommitted);
    assertThat(msgs(h.log)).isEqualTo(2);
    assertThat(stored(h.log, 2).leader()).isEqualTo(S2);

    h.deliverAe(aeNoQuorum);
    assertThat(msgs(h.log)).isEqualTo(3);
    assertThat(stored(h.log, 3).leader()).isEqualTo(S2);

    // New leader's AE conflicts at our last index: that entry goes, no catch-up yet.
    h.deliverAe(aeCatchupTrigger);
    assertThat(msgs(h.log)).isEqualTo(2);
    assertThat(h.node.isCatchingUp()).isFalse();

    // The next heartbeat is beyond us: catch-up from (1,2).
    h.deliverAe(aeHeartbeat2);
    assertThat(msgs(h.log)).isEqualTo(2);
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.isCatchingUp()).isTrue();
    AppendEntryResponse req = catchupRequest(h);
    assertThat(req.term()).isEqualTo(1);
    assertThat(req.index()).isEqualTo(2);

    h.deliverCatchup(aeMissed);
    assertThat(msgs(h.log)).isEqualTo(3);
    assertThat(h.node.isCatchingUp()).isTrue();

    h.deliverCatchup(aeCatchupTrigger);
    assertThat(msgs(h.log)).isEqualTo(4);
    assertThat(h.node.isCatchingUp()).isTrue();
    assertThat(stored(h.log, 4).leader()).isEqualTo(S3);

    h.deliverAe(aeHeartbeat3);
    assertThat(h.node.commitIndex()).isEqualTo(4);
    assertThat(h.node.isCatchingUp()).isFalse();
  }

  @Test
  @DisplayName("TestNRGCatchupCanTruncateMultipleEntriesWithoutQuorum")
  void catchupCanTruncateMultipleEntriesWithoutQuorum() {
    NodeHarness h = new NodeHarness();
    AppendEntry aeInitial = ae(S2, 1, 0, 0, 0, E);
    AppendEntry aeHeartbeat = ae(S2, 1, 1, 1, 1);
    AppendEntry aeNoQuorum1 = ae(S2, 1, 1, 1, 1, E);
    AppendEntry aeNoQuorum2 = ae(S2, 1, 1, 1, 2, E);
    AppendEntry aeMissed1 = ae(S3, 2, 1, 1, 1, E);
    AppendEntry aeMissed2 = ae(S3, 2, 1, 2, 2, E);
    AppendEntry aeCatchupTrigger = ae(S3, 2, 1, 2, 3, E);
    AppendEntry aeHeartbeat2 = ae(S3, 2, 2, 2, 4);
    AppendEntry aeHeartbeat3 = ae(S3, 2, 4, 2, 4);

    h.deliverAe(aeInitial);
    assertThat(msgs(h.log)).isEqualTo(1);
    assertThat(stored(h.log, 1).leader()).isEqualTo(S2);
    h.deliverAe(aeHeartbeat);
    assertThat(h.node.commitIndex()).isEqualTo(1);
    h.deliverAe(aeNoQuorum1);
    assertThat(msgs(h.log)).isEqualTo(2);
    assertThat(stored(h.log, 2).leader()).isEqualTo(S2);
    h.deliverAe(aeNoQuorum2);
    assertThat(msgs(h.log)).isEqualTo(3);
    assertThat(stored(h.log, 3).leader()).isEqualTo(S2);

    h.deliverAe(aeCatchupTrigger);
    assertThat(msgs(h.log)).isEqualTo(2);
    assertThat(h.node.isCatchingUp()).isFalse();

    h.deliverAe(aeHeartbeat2);
    assertThat(msgs(h.log)).isEqualTo(2);
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.isCatchingUp()).isTrue();
    AppendEntryResponse req = catchupRequest(h);
    assertThat(req.term()).isEqualTo(1);
    assertThat(req.index()).isEqualTo(2);

    // Index 2 also conflicts: truncate again, which cancels the catch-up.
    h.deliverCatchup(aeMissed2);
    assertThat(msgs(h.log)).isEqualTo(1);
    assertThat(h.node.isCatchingUp()).isFalse();

    h.deliverAe(aeHeartbeat2);
    assertThat(msgs(h.log)).isEqualTo(1);
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.isCatchingUp()).isTrue();
    req = catchupRequest(h);
    assertThat(req.term()).isEqualTo(1);
    assertThat(req.index()).isEqualTo(1);

    h.deliverCatchup(aeMissed1);
    assertThat(msgs(h.log)).isEqualTo(2);
    assertThat(h.node.isCatchingUp()).isTrue();
    h.deliverCatchup(aeMissed2);
    assertThat(msgs(h.log)).isEqualTo(3);
    assertThat(h.node.isCatchingUp()).isTrue();
    h.deliverCatchup(aeCatchupTrigger);
    assertThat(msgs(h.log)).isEqualTo(4);
    assertThat(h.node.isCatchingUp()).isTrue();
    assertThat(stored(h.log, 4).leader()).isEqualTo(S3);

    h.deliverAe(aeHeartbeat3);
    assertThat(h.node.commitIndex()).isEqualTo(4);
    assertThat(h.node.isCatchingUp()).isFalse();
  }

  @Test
  @DisplayName("TestNRGNewEntriesFromOldLeaderResetsWALDuringCatchup")
  void newEntriesFromOldLeaderDuringCatchup() {
    NodeHarness h = new NodeHarness();
    AppendEntry aeMsg1 = ae(S2, 20, 0, 0, 0, E).withLterm(20);
    AppendEntry aeMsg2 = ae(S2, 20, 0, 20, 1, E).withLterm(20);
    AppendEntry aeMsg3 = ae(S2, 20, 0, 20, 2, E).withLterm(20);
    AppendEntry aeMsg1Fork = ae(S2, 1, 0, 0, 0, E);
    AppendEntry aeMsg2Fork = ae(S2, 1, 0, 1, 1, E);

    h.deliverAe(aeMsg2);
    assertThat(h.node.isCatchingUp()).isTrue();
    String csub = h.node.catchupInbox();
    assertCatchupTarget(h, csub);

    deliverOn(h, csub, aeMsg1);
    assertThat(h.node.lastIndex()).isEqualTo(1);
    assertThat(h.node.lastTerm()).isEqualTo(20);

    // Let the catch-up look stalled, so a live AE reaching step 6 would restart it.
    h.now += 5_000;
    int before = h.responses().size();
    h.deliverAe(aeMsg1Fork);
    assertThat(h.node.lastIndex()).isEqualTo(1);
    assertThat(h.node.lastTerm()).isEqualTo(20);
    assertCatchupTarget(h, csub);
    // Rejected with our higher term so the old leader steps down; no catch-up request.
    assertThat(h.responses()).hasSize(before + 1);
    AppendEntryResponse ar = h.lastResponse();
    assertThat(ar.success()).isFalse();
    assertThat(ar.index()).isEqualTo(1);
    assertThat(ar.term()).isEqualTo(20);
    assertThat(h.lastSentTo(NodeHarness.AE_REPLY).reply()).isNull();

    // Must not reset the WAL.
    h.deliverAe(aeMsg2Fork);
    assertThat(h.node.lastIndex()).isEqualTo(1);
    assertThat(h.node.lastTerm()).isEqualTo(20);
    assertThat(msgs(h.log)).isEqualTo(1);
    assertCatchupTarget(h, csub);

    deliverOn(h, csub, aeMsg2);
    assertThat(h.node.lastIndex()).isEqualTo(2);
    assertThat(h.node.lastTerm()).isEqualTo(20);
    assertThat(h.node.isCatchingUp()).isFalse();

    // A leftover catch-up entry is still ingested after the catch-up state is gone.
    deliverOn(h, csub, aeMsg3);
    assertThat(h.node.lastIndex()).isEqualTo(3);
    assertThat(h.node.lastTerm()).isEqualTo(20);
  }

  /** The catch-up is the one started for (cterm 20, cindex 1), on the original inbox. */
  private static void assertCatchupTarget(NodeHarness h, String inbox) {
    assertThat(h.node.isCatchingUp()).isTrue();
    assertThat(h.node.catchupInbox()).isEqualTo(inbox);
    long requests = h.sent.stream().filter(s -> s.reply() != null
        && s.reply().startsWith("$NRG.CR.")).count();
    assertThat(requests).as("catch-up requests sent").isEqualTo(1);
  }

  @Test
  @DisplayName("TestNRGParallelCatchupRollback")
  void parallelCatchupRollback() {
    NodeHarness h = new NodeHarness();
    AppendEntry aeMsg1 = ae(S2, 1, 0, 0, 0, E).withLterm(1);
    AppendEntry aeMsg2 = ae(S2, 1, 0, 1, 1, E).withLterm(1);
    AppendEntry aeHeartbeat = ae(S2, 1, 0, 1, 2);

    h.deliverAe(aeMsg2);
    assertThat(h.node.lastIndex()).isZero();
    assertThat(h.node.isCatchingUp()).isTrue();
    String csub = h.node.catchupInbox();
    // The request's position is ours; the target (cterm, cindex) is the AE's (pterm, pindex):
    // completion below happens exactly when we reach (1,1).
    AppendEntryResponse req = catchupRequest(h);
    assertThat(req.index()).isZero();

    deliverOn(h, csub, aeMsg1);
    assertThat(h.node.lastIndex()).isEqualTo(1);
    assertThat(h.node.isCatchingUp()).isTrue();
    deliverOn(h, csub, aeMsg2);
    assertThat(h.node.lastIndex()).isEqualTo(2);
    assertThat(h.node.isCatchingUp()).isFalse();

    h.deliverAe(aeHeartbeat);
    AppendEntryResponse ar = h.lastResponse();
    assertThat(ar.success()).isTrue();
    assertThat(ar.term()).isEqualTo(aeHeartbeat.term());
    assertThat(ar.index()).isEqualTo(aeHeartbeat.pindex());

    // A parallel catch-up's copy of index 1 arrives late: our log is ahead, no truncation.
    deliverOn(h, csub, aeMsg1);
    assertThat(h.node.lastIndex()).isEqualTo(2);
    assertThat(msgs(h.log)).isEqualTo(2);
  }

  @Test
  @DisplayName("TestNRGCatchupFromNewLeaderWithIncorrectPterm")
  void catchupFromNewLeaderWithIncorrectPterm() {
    NodeHarness h = new NodeHarness();
    AppendEntry aeMsg = ae(S2, 1, 0, 1, 0, E);
    AppendEntry aeHeartbeat = ae(S2, 1, 1, 1, 1);

    h.deliverAe(aeHeartbeat);
    assertThat(h.node.commitIndex()).isZero();
    assertThat(h.node.isCatchingUp()).isTrue();
    AppendEntryResponse req = catchupRequest(h);
    assertThat(req.term()).isZero();
    assertThat(req.index()).isZero();

    // Only the pterm at index 0 differs: adopt it, cancel, re-trigger later.
    h.deliverCatchup(aeMsg);
    assertThat(h.node.isCatchingUp()).isFalse();
    assertThat(h.node.lastTerm()).isEqualTo(1);
    assertThat(h.node.lastIndex()).isZero();

    h.deliverAe(aeHeartbeat);
    assertThat(h.node.commitIndex()).isZero();
    assertThat(h.node.isCatchingUp()).isTrue();
    req = catchupRequest(h);
    assertThat(req.term()).isEqualTo(1);
    assertThat(req.index()).isZero();

    h.deliverCatchup(aeMsg);
    assertThat(msgs(h.log)).isEqualTo(1);
    assertThat(stored(h.log, 1).leader()).isEqualTo(S2);

    h.deliverAe(aeHeartbeat);
    assertThat(h.node.commitIndex()).isEqualTo(1);
  }
}
