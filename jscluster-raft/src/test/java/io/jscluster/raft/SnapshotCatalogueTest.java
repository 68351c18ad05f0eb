package io.jscluster.raft;

import static io.jscluster.raft.CatalogueProbe.msgs;
import static io.jscluster.raft.NodeHarness.S1;
import static io.jscluster.raft.NodeHarness.S2;
import static io.jscluster.raft.NodeHarness.S3;
import static io.jscluster.raft.NodeHarness.ae;
import static io.jscluster.raft.NodeHarness.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.log.TermVote;
import io.jscluster.raft.snapshot.Snapshot;
import io.jscluster.raft.snapshot.SnapshotRecovery;
import io.jscluster.raft.snapshot.SnapshotStore;
import io.jscluster.raft.wal.FileRaftLog;
import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.EntryType;
import io.jscluster.raft.wire.PeerState;
import io.jscluster.raft.wire.RaftCodec;
import io.jscluster.raft.wire.Subjects;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot scenarios of raft.md §10.4 (and the snapshot cases of §10.1/§10.3), ported from
 * nats-server's raft_test.go. S-1 is the node under test; S-2 the first leader ("nats-0"), S-3 the
 * next. Where the Go test edits the node's fields directly, the port reaches the same state through
 * messages and says so.
 */
class SnapshotCatalogueTest {

  private static final Entry E = entry("foo");
  private static final byte[] STATE = "state".getBytes(StandardCharsets.UTF_8);

  private static NodeHarness follower() {
    NodeHarness h = new NodeHarness();
    h.autoApply = true;
    return h;
  }

  @Test
  @DisplayName("TestNRGSnapshotAndTruncateToApplied")
  void snapshotAndTruncateToApplied() {
    NodeHarness h = follower();
    // The Go test commits index 3 by making the node leader for a moment; here S-2 commits it.
    h.deliverAe(ae(S2, 1, 0, 0, 0, E));
    assertThat(h.node.commitIndex()).isZero();
    assertThat(msgs(h.log)).isEqualTo(1);
    h.deliverAe(ae(S2, 1, 1, 1, 1, E));
    assertThat(h.node.commitIndex()).isEqualTo(1);
    h.deliverAe(ae(S2, 1, 1, 1, 2, E));
    h.deliverAe(ae(S2, 1, 3, 1, 3));
    assertThat(h.node.commitIndex()).isEqualTo(3);
    assertThat(h.node.appliedIndex()).isEqualTo(3);

    h.node.installSnapshot(h.now, STATE);
    assertThat(h.snapshots.names()).containsExactly("snap.1.3");
    assertThat(msgs(h.log)).isZero();

    // A third message from another leader stays uncommitted.
    h.deliverAe(ae(S3, 2, 3, 1, 3, E));
    assertThat(h.node.commitIndex()).isEqualTo(3);
    assertThat(msgs(h.log)).isEqualTo(1);
    assertThat(CatalogueProbe.stored(h.log, 4).leader()).isEqualTo(S3);

    // The old leader is back with a heartbeat at the snapshot: truncate to it, lose no commit.
    h.deliverAe(ae(S2, 3, 3, 1, 3));
    assertThat(msgs(h.log)).isZero();
    assertThat(h.node.lastIndex()).isEqualTo(3);
    assertThat(h.node.commitIndex()).isEqualTo(3);
    assertThat(h.node.appliedIndex()).isEqualTo(3);
    assertThat(h.snapshots.names()).containsExactly("snap.1.3");
  }

  @Test
  @DisplayName("TestNRGDontRemoveSnapshotIfTruncateToApplied")
  void dontRemoveSnapshotIfTruncateToApplied() {
    NodeHarness h = follower();
    h.deliverAe(ae(S2, 1, 0, 0, 0, E));
    assertThat(msgs(h.log)).isEqualTo(1);
    h.deliverAe(ae(S2, 1, 1, 1, 1));
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.lastTerm()).isEqualTo(1);
    h.node.installSnapshot(h.now, STATE);
    assertThat(h.snapshots.names()).hasSize(1);

    // Go calls truncateWAL(pterm, applied) directly; here a conflicting uncommitted entry at 2 is
    // removed by a heartbeat whose predecessor is exactly the snapshot (§7.2 rule 2c).
    h.deliverAe(ae(S3, 2, 1, 1, 1, E));
    assertThat(h.node.lastIndex()).isEqualTo(2);
    h.deliverAe(ae(S2, 3, 1, 1, 1));
    assertThat(h.node.lastIndex()).isEqualTo(1);
    assertThat(h.snapshots.names()).hasSize(1);
  }

  @Test
  @DisplayName("TestNRGIgnoreDoubleSnapshot")
  void ignoreDoubleSnapshot() {
    NodeHarness h = follower();
    h.deliverAe(ae(S2, 1, 0, 0, 0, E));
    assertThat(h.node.lastIndex()).isEqualTo(1);
    assertThat(h.node.commitIndex()).isZero();
    h.deliverAe(ae(S2, 1, 1, 1, 1));
    assertThat(h.node.commitIndex()).isEqualTo(1);
    // Only the pterm goes up; the new entry stays uncommitted.
    h.deliverAe(ae(S2, 2, 1, 1, 1, E));
    assertThat(h.node.lastIndex()).isEqualTo(2);
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.lastTerm()).isEqualTo(2);
    assertThat(h.node.term()).isEqualTo(2);

    h.node.installSnapshot(h.now, STATE);
    Snapshot snap = h.node.loadLastSnapshot();
    assertThat(snap.lastTerm()).isEqualTo(1);
    assertThat(snap.lastIndex()).isEqualTo(1);

    assertThatThrownBy(() -> h.node.installSnapshot(h.now, STATE))
        .isInstanceOfSatisfying(RaftException.class,
            e -> assertThat(e.error()).isEqualTo(RaftException.Error.NO_SNAPSHOT_AVAILABLE));
    snap = h.node.loadLastSnapshot();
    assertThat(snap.lastTerm()).isEqualTo(1);
    assertThat(snap.lastIndex()).isEqualTo(1);
  }

  @Test
  @DisplayName("TestNRGReplayOnSnapshotSameTerm")
  void replayOnSnapshotSameTerm() {
    NodeHarness h = follower();
    AppendEntry m1 = ae(S2, 1, 1, 0, 0, E);
    AppendEntry m2 = ae(S2, 1, 1, 1, 1, E);
    AppendEntry m3 = ae(S2, 1, 1, 1, 2, E);
    h.deliverAe(m1);
    assertThat(h.node.lastIndex()).isEqualTo(1);
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.appliedIndex()).isEqualTo(1);
    h.node.installSnapshot(h.now, STATE);
    assertThat(h.node.loadLastSnapshot().lastIndex()).isEqualTo(1);

    h.deliverAe(m2);
    assertThat(h.node.lastIndex()).isEqualTo(2);
    h.deliverAe(m3);
    assertThat(h.node.lastIndex()).isEqualTo(3);
    // A repeat of the AE that follows the snapshot, same term: already processed, no truncation.
    h.deliverAe(m2);
    assertThat(h.node.lastIndex()).isEqualTo(3);
    assertThat(msgs(h.log)).isEqualTo(2);
  }

  @Test
  @DisplayName("TestNRGReplayOnSnapshotDifferentTerm")
  void replayOnSnapshotDifferentTerm() {
    NodeHarness h = follower();
    AppendEntry m1 = new AppendEntry(S2, 1, 1, 0, 0, List.of(E), 2);
    AppendEntry m2 = new AppendEntry(S2, 2, 1, 1, 1, List.of(E), 2);
    AppendEntry m3 = new AppendEntry(S2, 2, 1, 2, 2, List.of(E), 2);
    h.deliverAe(m1);
    assertThat(h.node.lastIndex()).isEqualTo(1);
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.appliedIndex()).isEqualTo(1);
    h.node.installSnapshot(h.now, STATE);
    assertThat(h.node.loadLastSnapshot().lastIndex()).isEqualTo(1);

    h.deliverAe(m2);
    assertThat(h.node.lastIndex()).isEqualTo(2);
    h.deliverAe(m3);
    assertThat(h.node.lastIndex()).isEqualTo(3);
    // The AE after the snapshot again, whose pterm differs from ours: truncate back to the
    // snapshot (not a full reset) and store it.
    h.deliverAe(m2);
    assertThat(h.node.lastIndex()).isEqualTo(2);
    assertThat(h.log.firstIndex()).isEqualTo(2);
    assertThat(h.snapshots.names()).containsExactly("snap.1.1");
    h.deliverAe(m3);
    assertThat(h.node.lastIndex()).isEqualTo(3);
  }

  @Test
  @DisplayName("TestNRGApplyCommitDoesNotResetWALAtSnapshotBoundary")
  void applyCommitDoesNotResetWalAtSnapshotBoundary() throws Exception {
    NodeHarness h = follower();
    h.deliverAe(ae(S2, 1, 0, 0, 0, E));
    h.deliverAe(ae(S2, 1, 0, 1, 1, E));
    h.deliverAe(ae(S2, 1, 0, 1, 2, E));
    assertThat(h.node.lastIndex()).isEqualTo(3);
    assertThat(h.node.commitIndex()).isZero();

    // A snapshot past our commit, as the Go test installs it directly.
    h.node.installSnapshotAt(Snapshot.of(1, 2, new PeerState(3, List.of(S1, S2, S3), 0), null));
    assertThat(h.node.snapshotIndex()).isEqualTo(2);
    assertThat(h.node.commitIndex()).isZero();
    assertThat(h.log.firstIndex()).isEqualTo(3);
    assertThat(msgs(h.log)).isEqualTo(1);

    // Commit advances through the snapshot boundary: covered indexes are skipped, no reset.
    h.deliverAe(ae(S2, 1, 3, 1, 3));
    assertThat(h.log.firstIndex()).isEqualTo(3);
    assertThat(msgs(h.log)).isEqualTo(1);
    assertThat(h.node.commitIndex()).isEqualTo(3);
  }

  @Test
  @DisplayName("TestNRGSnapshotRecovery")
  void snapshotRecovery() {
    NodeHarness h = follower();
    h.deliverAe(ae(S2, 1, 1, 0, 0, E));
    assertThat(h.node.lastIndex()).isEqualTo(1);
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.appliedIndex()).isEqualTo(1);
    h.node.installSnapshot(h.now, STATE);

    // Go resets the counters and calls setupLastSnapshot; here the node restarts over its storage.
    NodeHarness r = h.restart();
    assertThat(r.node.lastIndex()).isEqualTo(1);
    assertThat(r.node.commitIndex()).isEqualTo(1);
    assertThat(r.node.processedIndex()).isZero();
    assertThat(r.node.appliedIndex()).isZero();
    // The snapshot is surfaced first, then the replay-done marker.
    assertThat(r.applied).hasSize(1);
    assertThat(r.applied.get(0).index()).isEqualTo(1);
    assertThat(r.applied.get(0).isSnapshot()).isTrue();
    assertThat(r.applied.get(0).snapshotData()).isEqualTo(STATE);
    assertThat(r.markers).isEqualTo(1);
  }

  @Test
  @DisplayName("TestNRGTruncateLogWithMisalignedSnapshotGap")
  void truncateLogWithMisalignedSnapshotGap(@TempDir Path dir) {
    NodeHarness fx = new NodeHarness();
    MemoryTermVoteStore tv = new MemoryTermVoteStore();
    FileRaftLog wal = FileRaftLog.open(dir);
    SnapshotStore store = new SnapshotStore(dir, NodeHarness.GROUP);
    RaftNode n = fileNode(fx, wal, tv, store);
    List<AppendEntry> timeline = List.of(ae(S2, 1, 0, 0, 0, E), ae(S2, 1, 0, 1, 1, E),
        ae(S2, 1, 2, 1, 2, E));
    for (int i = 0; i < timeline.size(); i++) {
      deliver(fx, n, timeline.get(i));
      assertThat(n.lastIndex()).isEqualTo(i + 1);
    }
    n.applied(fx.now, 1);
    n.installSnapshot(fx.now, STATE);
    assertThat(wal.firstIndex()).isEqualTo(2);
    assertThat(wal.lastIndex()).isEqualTo(3);

    // Compact further so the log no longer follows the snapshot.
    wal.compactUpTo(2);
    wal.sync();
    assertThat(wal.firstIndex()).isEqualTo(3);
    assertThat(wal.lastIndex()).isEqualTo(3);

    n.stop();
    wal.close();
    FileRaftLog wal2 = FileRaftLog.open(dir);
    RaftNode n2 = fileNode(new NodeHarness(), wal2, tv, new SnapshotStore(dir, NodeHarness.GROUP));
    // The gap is detected and the log emptied after the snapshot.
    assertThat(msgs(wal2)).isZero();
    assertThat(wal2.firstIndex()).isEqualTo(2);
    assertThat(wal2.lastIndex()).isEqualTo(1);
    assertThat(n2.lastIndex()).isEqualTo(1);

    // The missing entries can be stored again.
    NodeHarness fx2 = new NodeHarness();
    deliver(fx2, n2, ae(S2, 1, 0, 1, 1, E));
    assertThat(n2.lastIndex()).isEqualTo(2);
    deliver(fx2, n2, ae(S2, 1, 2, 1, 2, E));
    assertThat(n2.lastIndex()).isEqualTo(3);
    wal2.close();
  }

  @Test
  @DisplayName("TestNRGSetupLastSnapshotIgnoresTmpFile")
  void setupLastSnapshotIgnoresTmpFile(@TempDir Path dir) throws Exception {
    SnapshotStore store = new SnapshotStore(dir, NodeHarness.GROUP);
    Snapshot real = Snapshot.of(1, 5, new PeerState(3, List.of(S1, S2, S3), 0), STATE);
    store.write(real);
    // A newer snapshot whose write was interrupted: only its .tmp exists.
    Path tmp = store.directory().resolve("snap.2.9.tmp");
    Files.write(tmp, new byte[] {1, 2, 3});

    NodeHarness fx = new NodeHarness();
    FileRaftLog wal = FileRaftLog.open(dir);
    RaftNode n = fileNode(fx, wal, new MemoryTermVoteStore(), store);
    assertThat(n.snapshotIndex()).isEqualTo(5);
    assertThat(n.lastIndex()).isEqualTo(5);
    assertThat(n.snapshotTerm()).isEqualTo(1);
    assertThat(fx.applied).hasSize(1);
    assertThat(fx.applied.get(0).snapshotData()).isEqualTo(STATE);
    assertThat(Files.exists(tmp)).as("leftover removed").isFalse();
    assertThat(n.snapshotRecovery().findings(SnapshotRecovery.Reason.TMP_LEFTOVER)).hasSize(1);
    wal.close();
  }

  @Test
  @DisplayName("TestNRGLoadLastSnapshotCleansLegacyZeroIndexSnapshot")
  void loadLastSnapshotCleansLegacyZeroIndexSnapshot() {
    NodeHarness seed = new NodeHarness();
    seed.snapshots.putRaw("snap.1.0", new io.jscluster.raft.snapshot.SnapshotCodec(
        NodeHarness.GROUP).encode(new Snapshot(1, 0, null, STATE)));
    NodeHarness h = seed.restart();
    assertThat(h.node.snapshotIndex()).isZero();
    assertThat(h.node.lastIndex()).isZero();
    assertThat(h.applied).isEmpty();
    assertThat(h.snapshots.names()).isEmpty();
  }

  @Test
  @DisplayName("start-up: a corrupt newest snapshot falls back to an older one and is kept")
  void corruptNewestSnapshotFallsBack() throws Exception {
    NodeHarness h = follower();
    h.deliverAe(ae(S2, 1, 1, 0, 0, E));
    h.node.installSnapshot(h.now, "one".getBytes(StandardCharsets.UTF_8));
    h.deliverAe(ae(S2, 1, 2, 1, 1, E));
    h.node.installSnapshot(h.now, "two".getBytes(StandardCharsets.UTF_8));
    // An older valid snapshot survives when a crash came between writing the new one and deleting
    // the old one; recreate that state.
    h.snapshots.write(Snapshot.of(1, 1, new PeerState(3, List.of(S1, S2, S3), 0),
        "one".getBytes(StandardCharsets.UTF_8)));
    assertThat(h.snapshots.names()).containsExactly("snap.1.1", "snap.1.2");
    assertThat(h.snapshots.flipBit(1, 2, 77)).isTrue();

    NodeHarness r = h.restart();
    assertThat(r.node.snapshotIndex()).isEqualTo(1);
    assertThat(r.applied.get(0).snapshotData()).isEqualTo("one".getBytes(StandardCharsets.UTF_8));
    assertThat(r.node.snapshotRecovery().foundDamage()).isTrue();
    assertThat(r.snapshots.names()).as("damaged file kept").contains("snap.1.2");
  }

  @Test
  @DisplayName("start-up: a node that lost state to a damaged snapshot votes only empty until it is"
      + " back at the index it held and past its term")
  void lostStateBlocksVotesUntilCaughtUp() throws Exception {
    NodeHarness h = follower();
    for (int i = 0; i < 5; i++) {
      h.deliverAe(ae(S2, 1, i, i == 0 ? 0 : 1, i, E));
    }
    h.deliverAe(ae(S2, 1, 5, 1, 5));
    assertThat(h.node.appliedIndex()).isEqualTo(5);
    h.node.installSnapshot(h.now, "five".getBytes(StandardCharsets.UTF_8));
    // An older snapshot that survived a crash before its deletion, and damage to the newest.
    h.snapshots.write(Snapshot.of(1, 3, new PeerState(3, List.of(S1, S2, S3), 0),
        "three".getBytes(StandardCharsets.UTF_8)));
    assertThat(h.snapshots.flipBit(1, 5, 3)).isTrue();

    NodeHarness r = h.restart();
    assertThat(r.node.snapshotIndex()).isEqualTo(3);
    assertThat(r.node.lastIndex()).isEqualTo(3);
    assertThat(r.node.lostStateUpTo()).isEqualTo(5);

    assertThat(r.node.dataLossTerm()).as("durably marked").isEqualTo(1);

    // A candidate as up to date as our remaining log gets only an empty vote (it counts only if
    // every peer answers)...
    r.deliverVoteRequest(new io.jscluster.raft.wire.VoteRequest(5, 1, 3, S3));
    io.jscluster.raft.wire.VoteResponse empty = io.jscluster.raft.wire.RaftCodec
        .decodeVoteResponse(r.sent.get(r.sent.size() - 1).payload());
    assertThat(empty.granted()).isTrue();
    assertThat(empty.empty()).isTrue();
    assertThat(r.node.term()).isEqualTo(5);

    // The leader of term 5 catches us up past index 5; then our votes count again.
    r.deliverAe(ae(S2, 5, 5, 1, 5));
    assertThat(r.node.isCatchingUp()).isTrue();
    r.deliverCatchup(new AppendEntry(S2, 1, 3, 1, 3, List.of(E), 5));
    r.deliverCatchup(new AppendEntry(S2, 1, 4, 1, 4, List.of(E), 5));
    assertThat(r.node.lastIndex()).isEqualTo(5);
    assertThat(r.node.lostStateUpTo()).isZero();
    // Still marked: the refilled entries are of term 1, the term it had. The leader's own entry
    // of term 5 proves the log equal to that leader's, and the votes count again.
    r.deliverAe(ae(S2, 5, 5, 1, 5, E));
    assertThat(r.node.dataLossTerm()).isZero();
    r.deliverVoteRequest(new io.jscluster.raft.wire.VoteRequest(6, 5, 6, S3));
    io.jscluster.raft.wire.VoteResponse granted = io.jscluster.raft.wire.RaftCodec
        .decodeVoteResponse(r.sent.get(r.sent.size() - 1).payload());
    assertThat(granted.granted()).isTrue();
    assertThat(granted.empty()).isFalse();
  }

  @Test
  @DisplayName("TestNRGInstallSnapshotClearsPendingAppendEntryCache")
  void installSnapshotClearsPendingAppendEntryCache() throws Exception {
    NodeHarness h = follower();
    h.deliverAe(ae(S2, 1, 0, 0, 0, E));
    h.deliverAe(ae(S2, 1, 0, 1, 1, E));
    assertThat(h.node.pendingCacheSize()).isEqualTo(2);
    // A snapshot past the commit index clears the cache (Go installs it directly).
    h.node.installSnapshotAt(Snapshot.of(1, 2, new PeerState(3, List.of(S1, S2, S3), 0), null));
    assertThat(h.node.pendingCacheSize()).isZero();
  }

  @Test
  @DisplayName("TestNRGCatchupFromSnapshotClearsPendingAppendEntryCache")
  void catchupFromSnapshotClearsPendingAppendEntryCache() {
    NodeHarness h = follower();
    h.deliverAe(ae(S2, 1, 0, 0, 0, E));
    h.deliverAe(ae(S2, 1, 0, 1, 1, E));
    assertThat(h.node.pendingCacheSize()).isEqualTo(2);
    // A live AE far ahead starts a catch-up; the leader's snapshot at 100 arrives on its inbox.
    h.deliverAe(ae(S2, 1, 100, 1, 100, E));
    assertThat(h.node.isCatchingUp()).isTrue();
    h.deliverCatchup(new AppendEntry(S2, 1, 100, 1, 100, List.of(
        new Entry(EntryType.SNAPSHOT, STATE), new Entry(EntryType.PEER_STATE,
            io.jscluster.raft.wire.PeerStateCodec.encode(new PeerState(3, List.of(S1, S2, S3),
                0)))), 0));
    assertThat(h.node.lastIndex()).isEqualTo(100);
    assertThat(h.node.commitIndex()).isEqualTo(100);
    assertThat(h.node.pendingCacheSize()).isZero();
    assertThat(h.snapshots.names()).containsExactly("snap.1.100");
    // First snapshot from a leader: the catch-up signal comes first, then the snapshot.
    int n = h.applied.size();
    assertThat(h.applied.get(n - 2).index()).isZero();
    assertThat(h.applied.get(n - 1).isSnapshot()).isTrue();
    assertThat(h.applied.get(n - 1).index()).isEqualTo(100);
  }

  // ------------------------------------------------------------------ helpers

  static RaftNode fileNode(NodeHarness fx, FileRaftLog wal, MemoryTermVoteStore tv,
      SnapshotStore store) {
    RaftNode n = new RaftNode(RaftConfig.of(NodeHarness.GROUP, S1, List.of(S1, S2, S3)), wal, tv,
        store, new Random(7), fx);
    n.start(fx.now);
    return n;
  }

  static void deliver(NodeHarness fx, RaftNode n, AppendEntry ae) {
    n.receive(fx.now, Subjects.appendEntry(NodeHarness.GROUP), NodeHarness.AE_REPLY,
        RaftCodec.encode(ae));
    n.flush(fx.now);
  }

  static MemoryTermVoteStore termVote(long term) {
    MemoryTermVoteStore tv = new MemoryTermVoteStore();
    tv.save(new TermVote(term, ""));
    return tv;
  }
}
