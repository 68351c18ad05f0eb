package io.jscluster.raft;

import static io.jscluster.raft.CatalogueProbe.msgs;
import static io.jscluster.raft.NodeHarness.S1;
import static io.jscluster.raft.NodeHarness.S2;
import static io.jscluster.raft.NodeHarness.S3;
import static io.jscluster.raft.NodeHarness.ae;
import static io.jscluster.raft.NodeHarness.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.snapshot.Snapshot;
import io.jscluster.raft.wire.AppendEntryResponse;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.EntryType;
import io.jscluster.raft.wire.NodeIds;
import io.jscluster.raft.wire.PeerState;
import io.jscluster.raft.wire.RaftCodec;
import io.jscluster.raft.wire.Subjects;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The snapshot API scenarios of raft.md §10.4 (install, checkpoint, size accounting, send,
 * drain-and-replay, reset), ported from nats-server's raft_test.go. S-1 is the node under test.
 */
class SnapshotApiCatalogueTest {

  private static final Entry E = entry("foo");
  private static final String S4 = NodeIds.fromServerName("S-4");

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void fails(RaftException.Error error, ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOfSatisfying(RaftException.class,
        e -> assertThat(e.error()).isEqualTo(error));
  }

  /** Stores 1..n from S-2 and commits up to {@code commit}; nothing applied (auto-apply off). */
  private static NodeHarness stored(int n, long commit) {
    NodeHarness h = new NodeHarness();
    for (int i = 0; i < n; i++) {
      h.deliverAe(ae(S2, 1, Math.min(commit, i), i == 0 ? 0 : 1, i, E));
    }
    if (commit > Math.min(commit, n - 1)) {
      h.deliverAe(ae(S2, 1, commit, 1, n));
    }
    assertThat(h.node.lastIndex()).isEqualTo(n);
    assertThat(h.node.commitIndex()).isEqualTo(commit);
    return h;
  }

  @Test
  @DisplayName("TestNRGInstallSnapshotFromCheckpoint")
  void installSnapshotFromCheckpoint() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, E));
    assertThat(h.node.lastIndex()).isEqualTo(1);
    assertThat(h.node.commitIndex()).isZero();
    h.deliverAe(ae(S2, 1, 1, 1, 1, E));
    assertThat(h.node.lastIndex()).isEqualTo(2);
    assertThat(h.node.commitIndex()).isEqualTo(1);
    h.node.applied(h.now, 1);
    assertThat(h.node.appliedIndex()).isEqualTo(1);

    SnapshotCheckpoint c = h.node.createSnapshotCheckpoint(h.now, false);
    fails(RaftException.Error.NO_SNAPSHOT_AVAILABLE, c::loadPreviousSnapshot);
    List<Long> seen = new ArrayList<>();
    c.forEachEntry((i, es) -> seen.add(i));
    assertThat(seen).containsExactly(1L);
    c.install(h.now, b("old"));
    assertThat(h.node.loadLastSnapshot().data()).isEqualTo(b("old"));

    // Installed: every checkpoint path now reports it aborted.
    fails(RaftException.Error.SNAPSHOT_ABORTED, c::loadPreviousSnapshot);
    fails(RaftException.Error.SNAPSHOT_ABORTED, () -> c.forEachEntry((i, es) -> true));
    fails(RaftException.Error.SNAPSHOT_ABORTED, () -> c.install(h.now, null));

    h.deliverAe(ae(S2, 1, 2, 1, 2, E));
    assertThat(h.node.lastIndex()).isEqualTo(3);
    assertThat(h.node.commitIndex()).isEqualTo(2);
    h.deliverAe(ae(S2, 1, 3, 1, 3, E));
    assertThat(h.node.lastIndex()).isEqualTo(4);
    assertThat(h.node.commitIndex()).isEqualTo(3);
    h.node.applied(h.now, 3);
    assertThat(h.node.appliedIndex()).isEqualTo(3);

    // A second checkpoint while one is open is refused; an aborted one fails everywhere.
    SnapshotCheckpoint c2 = h.node.createSnapshotCheckpoint(h.now, false);
    fails(RaftException.Error.SNAPSHOT_IN_PROGRESS,
        () -> h.node.createSnapshotCheckpoint(h.now, false));
    c2.abort();
    fails(RaftException.Error.SNAPSHOT_ABORTED, c2::loadPreviousSnapshot);
    fails(RaftException.Error.SNAPSHOT_ABORTED, () -> c2.forEachEntry((i, es) -> true));
    fails(RaftException.Error.SNAPSHOT_ABORTED, () -> c2.install(h.now, null));

    SnapshotCheckpoint c3 = h.node.createSnapshotCheckpoint(h.now, false);
    assertThat(c3.loadPreviousSnapshot()).isEqualTo(b("old"));
    seen.clear();
    c3.forEachEntry((i, es) -> seen.add(i));
    assertThat(seen).containsExactly(2L, 3L);
    c3.install(h.now, b("new"));
    assertThat(h.node.loadLastSnapshot().data()).isEqualTo(b("new"));

    h.deliverAe(ae(S2, 1, 4, 1, 4));
    assertThat(h.node.lastIndex()).isEqualTo(4);
    assertThat(h.node.commitIndex()).isEqualTo(4);
    h.node.applied(h.now, 4);
    assertThat(h.node.appliedIndex()).isEqualTo(4);

    SnapshotCheckpoint c4 = h.node.createSnapshotCheckpoint(h.now, false);
    fails(RaftException.Error.SNAPSHOT_IN_PROGRESS, () -> h.node.installSnapshot(h.now, null));
    assertThat(c4.loadPreviousSnapshot()).isEqualTo(b("new"));
    // A snapshot installed by the node itself (as a leader's would be) aborts the checkpoint, so
    // the older checkpoint can never replace it.
    h.node.installSnapshot(h.now, b("direct"), true);
    fails(RaftException.Error.SNAPSHOT_ABORTED, () -> c4.install(h.now, b("stale")));
    assertThat(h.node.loadLastSnapshot().data()).isEqualTo(b("direct"));
  }

  @Test
  @DisplayName("TestNRGAppendEntriesSeqStopsOnRangeBreak")
  void appendEntriesSeqStopsOnRangeBreak() {
    NodeHarness h = stored(2, 2);
    h.node.applied(h.now, 2);
    SnapshotCheckpoint c = h.node.createSnapshotCheckpoint(h.now, false);
    int[] calls = new int[1];
    c.forEachEntry((i, es) -> {
      calls[0]++;
      assertThat(es).isNotEmpty();
      return false;
    });
    assertThat(calls[0]).isEqualTo(1);
    c.abort();
  }

  @Test
  @DisplayName("TestNRGSnapshotCheckpointNodeClosed")
  void snapshotCheckpointNodeClosed() {
    NodeHarness h = stored(1, 1);
    h.node.applied(h.now, 1);
    assertThat(h.node.appliedIndex()).isEqualTo(1);
    SnapshotCheckpoint c = h.node.createSnapshotCheckpoint(h.now, false);
    h.node.stop();
    fails(RaftException.Error.CLOSED, c::loadPreviousSnapshot);
    int[] calls = new int[1];
    fails(RaftException.Error.CLOSED, () -> c.forEachEntry((i, es) -> ++calls[0] > 0));
    assertThat(calls[0]).isZero();
    fails(RaftException.Error.CLOSED, () -> c.install(h.now, null));
  }

  @Test
  @DisplayName("TestNRGForcedInstallSnapshotAbortsInProgressCheckpoint")
  void forcedInstallSnapshotAbortsInProgressCheckpoint() {
    NodeHarness h = stored(2, 2);
    h.node.applied(h.now, 2);
    SnapshotCheckpoint c = h.node.createSnapshotCheckpoint(h.now, false);
    fails(RaftException.Error.SNAPSHOT_IN_PROGRESS,
        () -> h.node.installSnapshot(h.now, b("blocked"), false));
    h.node.installSnapshot(h.now, b("fresh"), true);
    fails(RaftException.Error.SNAPSHOT_ABORTED, c::loadPreviousSnapshot);
    fails(RaftException.Error.SNAPSHOT_ABORTED, () -> c.install(h.now, b("stale")));
    // Its late abort must not disturb anything installed after it.
    c.abort();
    assertThat(h.node.loadLastSnapshot().data()).isEqualTo(b("fresh"));
    assertThat(h.snapshots.names()).containsExactly("snap.1.2");
  }

  @Test
  @DisplayName("TestNRGInstallSnapshotForce")
  void installSnapshotForce() {
    // A one-byte window keeps the catch-up stream open after its first entry.
    NodeHarness h = new NodeHarness(c -> new RaftConfig(c.group(), c.selfId(), c.peers(),
        c.clusterSize(), c.observer(), c.managed(), c.recovering(), c.preVote(), c.readIndex(),
        c.maxBatchBytes(), c.maxBatchEntries(), 1, c.timing()));
    h.autoApply = true;
    h.electSelf();
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    long t = h.node.term();
    h.deliverAr(new AppendEntryResponse(t, 1, S2, true));
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.appliedIndex()).isEqualTo(1);
    // A follower asks to be caught up from the start: a catch-up stream is now running.
    h.node.receive(h.now, h.node.appendEntryResponseInbox(), Subjects.catchupInbox("follower"),
        RaftCodec.encode(new AppendEntryResponse(0, 0, S3, false)));
    assertThat(h.node.catchupStreams()).isEqualTo(1);

    fails(RaftException.Error.CATCHUPS_RUNNING, () -> h.node.installSnapshot(h.now, null));
    assertThat(h.node.snapshotIndex()).isZero();
    h.node.installSnapshot(h.now, null, true);
    assertThat(h.node.snapshotIndex()).isEqualTo(1);
  }

  @Test
  @DisplayName("TestNRGInstallSnapshotFromCheckpointAfterTruncateToSnapshot")
  void installSnapshotFromCheckpointAfterTruncateToSnapshot() {
    NodeHarness h = stored(1, 1);
    h.node.applied(h.now, 1);
    h.node.installSnapshot(h.now, null);
    assertThat(h.node.snapshotIndex()).isEqualTo(1);

    // Caught up from a leader's snapshot at 100 (Go installs it directly).
    h.deliverAe(ae(S2, 1, 100, 1, 100, E));
    assertThat(h.node.isCatchingUp()).isTrue();
    h.deliverCatchup(new io.jscluster.raft.wire.AppendEntry(S2, 1, 100, 1, 100, List.of(
        new Entry(EntryType.SNAPSHOT, b("catchup")), new Entry(EntryType.PEER_STATE,
            io.jscluster.raft.wire.PeerStateCodec.encode(new PeerState(3, List.of(S1, S2, S3),
                0)))), 0));
    assertThat(h.node.snapshotIndex()).isEqualTo(100);
    assertThat(h.node.appliedIndex()).isEqualTo(1);

    fails(RaftException.Error.NO_SNAPSHOT_AVAILABLE,
        () -> h.node.createSnapshotCheckpoint(h.now, false));
    // Applying only the leader's snapshot leaves nothing new to snapshot either.
    h.node.applied(h.now, 100);
    assertThat(h.node.appliedIndex()).isEqualTo(100);
    fails(RaftException.Error.NO_SNAPSHOT_AVAILABLE,
        () -> h.node.createSnapshotCheckpoint(h.now, false));

    h.deliverAe(ae(S2, 1, 100, 1, 100, E));
    assertThat(h.node.lastIndex()).isEqualTo(101);
    assertThat(h.node.commitIndex()).isEqualTo(100);
    h.deliverAe(ae(S2, 1, 101, 1, 101));
    assertThat(h.node.commitIndex()).isEqualTo(101);
    h.node.applied(h.now, 101);
    assertThat(h.node.appliedIndex()).isEqualTo(101);

    SnapshotCheckpoint c = h.node.createSnapshotCheckpoint(h.now, false);
    assertThat(c.loadPreviousSnapshot()).isEqualTo(b("catchup"));
    List<Long> seen = new ArrayList<>();
    c.forEachEntry((i, es) -> seen.add(i));
    assertThat(seen).containsExactly(101L);
  }

  @Test
  @DisplayName("TestNRGSnapshotExcludesUncommittedMembershipChange (AddPeer)")
  void snapshotExcludesUncommittedAddPeer() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, E));
    h.deliverAe(ae(S2, 1, 1, 1, 1, new Entry(EntryType.ADD_PEER, S4.getBytes(
        StandardCharsets.ISO_8859_1))));
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.peerIds()).contains(S4);
    assertThat(h.node.clusterSize()).isEqualTo(4);
    assertThat(h.node.membershipChangeInProgress()).isTrue();

    h.node.applied(h.now, 1);
    h.node.installSnapshot(h.now, null);
    Snapshot snap = h.node.loadLastSnapshot();
    assertThat(snap.lastIndex()).isEqualTo(1);
    PeerState ps = snap.decodePeerState();
    assertThat(ps.clusterSize()).isEqualTo(3);
    assertThat(ps.knownPeers()).hasSize(3).doesNotContain(S4);
  }

  @Test
  @DisplayName("TestNRGSnapshotExcludesUncommittedMembershipChange (RemovePeer)")
  void snapshotExcludesUncommittedRemovePeer() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, E));
    h.deliverAe(ae(S2, 1, 1, 1, 1, new Entry(EntryType.REMOVE_PEER, S3.getBytes(
        StandardCharsets.ISO_8859_1))));
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.peerIds()).doesNotContain(S3);
    assertThat(h.node.clusterSize()).isEqualTo(2);
    assertThat(h.node.membershipChangeInProgress()).isTrue();

    h.node.applied(h.now, 1);
    h.node.installSnapshot(h.now, null);
    PeerState ps = h.node.loadLastSnapshot().decodePeerState();
    assertThat(ps.clusterSize()).isEqualTo(3);
    assertThat(ps.knownPeers()).hasSize(3).contains(S3);
  }

  @Test
  @DisplayName("TestNRGSizeAndApplied")
  void sizeAndApplied() {
    NodeHarness h = new NodeHarness();
    assertThat(h.node.logEntries()).isZero();
    assertThat(h.node.logBytes()).isZero();
    h.deliverAe(ae(S2, 1, 0, 0, 0, E));
    long rec = RaftCodec.encode(ae(S2, 1, 0, 0, 0, E)).length + MemoryRaftLog.RECORD_OVERHEAD;
    assertThat(h.node.logEntries()).isEqualTo(1);
    assertThat(h.node.logBytes()).isEqualTo(rec);
    h.deliverAe(ae(S2, 1, 0, 1, 1, E));
    assertThat(h.node.logEntries()).isEqualTo(2);
    assertThat(h.node.logBytes()).isEqualTo(2 * rec);

    // Applying reports what a snapshot could compact.
    h.deliverAe(ae(S2, 1, 1, 1, 2));
    h.node.applied(h.now, 1);
    assertThat(h.node.compactableEntries()).isEqualTo(1);
    assertThat(h.node.compactableBytes()).isEqualTo(rec);
    h.deliverAe(ae(S2, 1, 2, 1, 2));

    // Go lowers applied by hand before snapshotting; here the snapshot is taken at 1 first.
    h.node.installSnapshot(h.now, null);
    assertThat(h.node.snapshotIndex()).isEqualTo(1);
    assertThat(h.node.logBytes()).isEqualTo(rec);
    assertThat(h.node.logEntries()).isEqualTo(1);

    h.node.applied(h.now, 2);
    assertThat(h.node.compactableEntries()).isEqualTo(1);
    assertThat(h.node.compactableBytes()).isEqualTo(rec);
    h.node.installSnapshot(h.now, null);
    assertThat(h.node.snapshotIndex()).isEqualTo(2);
    assertThat(h.node.logBytes()).isZero();
    assertThat(h.node.logEntries()).isZero();
  }

  @Test
  @DisplayName("TestNRGSendSnapshotInstallsSnapshot")
  void sendSnapshotInstallsSnapshot() {
    NodeHarness h = new NodeHarness();
    assertThat(h.node.lastIndex()).isZero();
    assertThat(h.node.term()).isZero();
    h.electSelf();
    assertThat(h.node.term()).isEqualTo(1);
    // Becoming leader stores the noop.
    assertThat(h.node.lastIndex()).isEqualTo(1);
    h.deliverAr(new AppendEntryResponse(1, 1, S2, true));
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.snapshots.names()).isEmpty();

    h.node.sendSnapshot(h.now, b("snapshot_data"));
    assertThat(h.node.lastIndex()).isEqualTo(2);
    assertThat(h.snapshots.names()).isEmpty();

    // Committing it installs it as our snapshot, at the index before it.
    h.deliverAr(new AppendEntryResponse(1, 2, S2, true));
    assertThat(h.node.commitIndex()).isEqualTo(2);
    Snapshot snap = h.node.loadLastSnapshot();
    assertThat(snap.lastTerm()).isEqualTo(1);
    assertThat(snap.lastIndex()).isEqualTo(1);
    assertThat(snap.data()).isEqualTo(b("snapshot_data"));
    CommittedEntry last = h.applied.get(h.applied.size() - 1);
    assertThat(last.isSnapshot()).isTrue();
    assertThat(last.snapshotData()).isEqualTo(b("snapshot_data"));

    assertThat(h.node.drainAndReplaySnapshot(h.now)).isTrue();
  }

  @Test
  @DisplayName("DrainAndReplaySnapshot on a leader steps it down and pauses applies, as NRG's pauseApplyLocked does")
  void drainAndReplaySnapshotStepsALeaderDown() {
    NodeHarness h = new NodeHarness();
    h.electSelf();
    h.deliverAr(new AppendEntryResponse(1, 1, S2, true));
    h.node.applied(h.now, 1);
    h.node.installSnapshot(h.now, b("snapshot"));
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    h.leaderSignals.clear();
    h.queue.clear();

    assertThat(h.node.drainAndReplaySnapshot(h.now)).isTrue();
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    assertThat(h.leaderSignals).containsExactly(false);
    assertThat(h.node.isPaused()).isTrue();
    assertThat(h.queue).hasSize(1);
    assertThat(h.queue.get(0).isSnapshot()).isTrue();
    // Paused like a follower: the restore is not answered with a refusal to pause.
    h.node.resumeApply(h.now);
    assertThat(h.node.isPaused()).isFalse();
  }

  @Test
  @DisplayName("TestNRGDrainAndReplaySnapshot")
  void drainAndReplaySnapshot() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, E));
    h.deliverAe(ae(S2, 1, 0, 1, 1, E));
    h.deliverAe(ae(S2, 1, 0, 1, 2, E));
    h.deliverAe(ae(S2, 1, 3, 1, 3));
    assertThat(h.node.lastIndex()).isEqualTo(3);
    assertThat(h.queue).hasSize(3);
    assertThat(h.node.commitIndex()).isEqualTo(3);
    assertThat(h.node.pausedCommit()).isZero();

    // Without a snapshot there is nothing to replay.
    assertThat(h.node.drainAndReplaySnapshot(h.now)).isFalse();
    assertThat(h.queue).hasSize(3);
    assertThat(h.node.commitIndex()).isEqualTo(3);
    assertThat(h.node.pausedCommit()).isZero();

    h.node.applied(h.now, 1);
    h.node.installSnapshot(h.now, b("snapshot"));

    assertThat(h.node.drainAndReplaySnapshot(h.now)).isTrue();
    assertThat(h.node.isPaused()).isTrue();
    assertThat(h.queue).hasSize(1);
    assertThat(h.queue.get(0).isSnapshot()).isTrue();
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.pausedCommit()).isEqualTo(3);

    h.node.resumeApply(h.now);
    assertThat(h.node.isPaused()).isFalse();
    assertThat(h.queue).hasSize(3);
    assertThat(h.node.commitIndex()).isEqualTo(3);
    assertThat(h.node.pausedCommit()).isZero();

    // The snapshot's processing times out again, several times.
    assertThat(h.node.drainAndReplaySnapshot(h.now)).isTrue();
    assertThat(h.node.isPaused()).isTrue();
    assertThat(h.queue).hasSize(1);
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.pausedCommit()).isEqualTo(3);

    // New entries meanwhile raise the highest known commit.
    h.deliverAe(ae(S2, 1, 3, 1, 3, E));
    h.deliverAe(ae(S2, 1, 4, 1, 4));
    assertThat(h.node.lastIndex()).isEqualTo(4);
    assertThat(h.node.isPaused()).isTrue();
    assertThat(h.queue).hasSize(1);
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.pausedCommit()).isEqualTo(4);

    assertThat(h.node.drainAndReplaySnapshot(h.now)).isTrue();
    assertThat(h.node.isPaused()).isTrue();
    assertThat(h.queue).hasSize(1);
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.pausedCommit()).isEqualTo(4);

    h.node.resumeApply(h.now);
    assertThat(h.node.isPaused()).isFalse();
    assertThat(h.queue).hasSize(4);
    assertThat(h.node.commitIndex()).isEqualTo(4);
    assertThat(h.node.pausedCommit()).isZero();
  }

  @Test
  @DisplayName("TestNRGReset")
  void reset() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 7, 0, 0, 0, E));
    h.deliverAe(ae(S2, 7, 1, 7, 1, E));
    h.deliverAe(ae(S2, 7, 2, 7, 2));
    h.node.applied(h.now, 1);
    h.node.installSnapshot(h.now, b("snap"));
    h.node.applied(h.now, 2);
    assertThat(h.node.snapshotIndex()).isEqualTo(1);
    assertThat(h.node.leaderId()).isEqualTo(S2);
    assertThat(h.node.term()).isEqualTo(7);
    // An orphan left by a crash between installing a snapshot and deleting its predecessor.
    h.snapshots.putRaw("snap.3.9", b("orphan"));
    SnapshotCheckpoint c = h.node.createSnapshotCheckpoint(h.now, false);
    h.deliverAe(ae(S2, 7, 2, 7, 2, E)); // an uncommitted entry, queued for the cache
    assertThat(h.node.pendingCacheSize()).isPositive();

    h.node.setObserver(h.now, true);
    h.node.reset(h.now);

    assertThat(h.node.lastTerm()).isZero();
    assertThat(h.node.lastIndex()).isZero();
    assertThat(h.node.commitIndex()).isZero();
    assertThat(h.node.appliedIndex()).isZero();
    assertThat(h.node.processedIndex()).isZero();
    assertThat(h.node.snapshotIndex()).isZero();
    assertThat(h.node.pausedCommit()).isZero();
    assertThat(h.node.pendingCacheSize()).isZero();
    assertThat(msgs(h.log)).isZero();

    assertThat(h.node.peerIds()).containsExactly(S1);
    assertThat(h.node.clusterSize()).isEqualTo(1);
    assertThat(h.node.quorumNeeded()).isEqualTo(1);
    assertThat(h.node.leaderless()).isTrue();

    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    assertThat(h.node.isObserver()).isTrue();
    assertThat(h.node.term()).isZero();
    assertThat(h.node.vote()).isEmpty();
    assertThat(h.tv.load().term()).isZero();

    assertThat(h.snapshots.names()).isEmpty();
    fails(RaftException.Error.SNAPSHOT_ABORTED, () -> c.install(h.now, b("late")));
    assertThat(h.queue).isEmpty();
  }

  // Go: TestNRGCheckpointInstallSnapshotAbortDuringWrite (part: a failed write adopts nothing)
  @Test
  @DisplayName("checkpoint install whose write fails leaves the previous snapshot adopted")
  void checkpointInstallWriteFailure() {
    NodeHarness h = stored(2, 2);
    h.node.applied(h.now, 1);
    h.node.installSnapshot(h.now, b("first"));
    h.node.applied(h.now, 2);
    SnapshotCheckpoint c = h.node.createSnapshotCheckpoint(h.now, false);
    h.snapshots.failNextWrite(new java.io.IOException("disk full"));
    fails(RaftException.Error.SNAPSHOT_FAILED, () -> c.install(h.now, b("second")));
    // Not sticky: the node runs on, the old snapshot stays adopted, the checkpoint is closed.
    assertThat(h.node.writeError()).isNull();
    assertThat(h.node.state()).isNotEqualTo(RaftState.CLOSED);
    assertThat(h.snapshots.names()).containsExactly("snap.1.1");
    assertThat(h.node.loadLastSnapshot().data()).isEqualTo(b("first"));
    assertThat(h.node.snapshotIndex()).isEqualTo(1);
    fails(RaftException.Error.SNAPSHOT_ABORTED, () -> c.install(h.now, b("again")));
    // A retry with a new checkpoint succeeds.
    h.node.createSnapshotCheckpoint(h.now, false).install(h.now, b("second"));
    assertThat(h.snapshots.names()).containsExactly("snap.1.2");
  }
}
