package io.jscluster.raft;

import static io.jscluster.raft.NodeHarness.GROUP;
import static io.jscluster.raft.NodeHarness.S1;
import static io.jscluster.raft.NodeHarness.S2;
import static io.jscluster.raft.NodeHarness.S3;
import static io.jscluster.raft.NodeHarness.ae;
import static io.jscluster.raft.NodeHarness.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.log.LogException;
import io.jscluster.raft.log.MemoryPeerStateStore;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.snapshot.MemorySnapshotStorage;
import io.jscluster.raft.state.PeerStateFile;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.EntryType;
import io.jscluster.raft.wire.NodeIds;
import io.jscluster.raft.wire.PeerState;
import io.jscluster.raft.wire.PeerStateCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed membership is durable ({@code peers.idx}, NRG §2.6/§9): stored when it changes,
 * read at start-up before the log replay when no snapshot supplied it, and a damaged store stops
 * the node instead of letting it count quorum against the configured peers.
 */
class PeerStatePersistenceTest {

  private static final String S4 = NodeIds.fromServerName("S-4");

  private static Entry peerEntry(EntryType type, String peer) {
    return new Entry(type, peer.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void aNewGroupStoresItsBootstrapMembershipAtStart() {
    NodeHarness h = new NodeHarness();
    assertThat(h.peerStates.load()).contains(new PeerState(3, List.of(S1, S2, S3),
        PeerState.EXT_UNDETERMINED));
  }

  @Test
  void theStoredMembershipReplacesTheConfiguredOneAtStart() {
    MemoryPeerStateStore stored = new MemoryPeerStateStore();
    stored.save(new PeerState(3, List.of(S1, S2, S4), PeerState.EXT_EXTENDED));
    NodeHarness h = new NodeHarness(c -> c.withRecovering(true), new MemoryRaftLog(),
        new MemoryTermVoteStore(), new MemorySnapshotStorage(GROUP), stored);
    assertThat(h.node.peerIds()).containsExactlyInAnyOrder(S1, S2, S4);
    assertThat(h.node.clusterSize()).isEqualTo(3);
    assertThat(h.node.quorumNeeded()).isEqualTo(2);
    // The extension state is kept as stored.
    assertThat(stored.load().orElseThrow().domainExt()).isEqualTo(PeerState.EXT_EXTENDED);
  }

  @Test
  void aCommittedRemovalSurvivesARestartWithoutItsLogEntry() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 1, peerEntry(EntryType.REMOVE_PEER, S3)));
    // Applied speculatively, but nothing committed yet: the store keeps the committed view.
    assertThat(h.node.clusterSize()).isEqualTo(2);
    assertThat(h.peerStates.load().orElseThrow().knownPeers()).containsExactly(S1, S2, S3);

    h.deliverAe(ae(S2, 1, 2, 1, 2));
    assertThat(h.node.commitIndex()).isEqualTo(2);
    assertThat(h.peerStates.load()).contains(new PeerState(2, List.of(S1, S2),
        PeerState.EXT_UNDETERMINED));

    // Restart over an empty log (as after the log was compacted away): still two members.
    NodeHarness again = new NodeHarness(c -> c.withRecovering(true), new MemoryRaftLog(),
        new MemoryTermVoteStore(), new MemorySnapshotStorage(GROUP), h.peerStates);
    assertThat(again.node.peerIds()).containsExactlyInAnyOrder(S1, S2);
    assertThat(again.node.clusterSize()).isEqualTo(2);
  }

  @Test
  void aCommittedAdditionIsStoredAndARevertedOneIsNot() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 1, peerEntry(EntryType.ADD_PEER, S4)));
    assertThat(h.node.clusterSize()).isEqualTo(4);
    // A new leader's entry replaces the uncommitted addition: reverted, and the store (which never
    // held it) still has the three members.
    h.deliverAe(ae(S3, 2, 1, 1, 1, entry("b")));
    assertThat(h.node.clusterSize()).isEqualTo(3);
    assertThat(h.peerStates.load().orElseThrow().knownPeers()).containsExactly(S1, S2, S3);

    h.deliverAe(ae(S3, 2, 2, 2, 2, peerEntry(EntryType.ADD_PEER, S4)));
    h.deliverAe(ae(S3, 2, 3, 2, 3));
    assertThat(h.peerStates.load()).contains(new PeerState(4, List.of(S1, S2, S3, S4),
        PeerState.EXT_UNDETERMINED));
    NodeHarness again = h.restart();
    assertThat(again.node.peerIds()).containsExactlyInAnyOrder(S1, S2, S3, S4);
    assertThat(again.node.quorumNeeded()).isEqualTo(3);
  }

  @Test
  void aCommittedPeerStateKeepsALaterSpeculativeRemovalInTheQuorum() {
    // Found by MembershipCampaignTest seed 7105: a follower restarted with a peer state at index 6
    // and the removal of a peer at 7 in its log replays the removal first (the AE holding it
    // carries commit 6), then commits the older peer state. The membership kept the removal, but
    // the cluster size came back from the peer state: 3 peers with a quorum of 3, so with the
    // removed peer's replica gone no election could ever be won.
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 1, peerEntry(EntryType.ADD_PEER, S4)));
    byte[] four = PeerStateCodec.encode(new PeerState(4, List.of(S1, S2, S3, S4), PeerState.EXT_UNDETERMINED));
    h.deliverAe(ae(S2, 1, 2, 1, 2, new Entry(EntryType.PEER_STATE, four)));
    h.deliverAe(ae(S2, 1, 2, 1, 3, peerEntry(EntryType.REMOVE_PEER, S3)));
    assertThat(h.node.clusterSize()).isEqualTo(3);
    // The heartbeat commits the peer state (index 3) but not the removal (index 4).
    h.deliverAe(ae(S2, 1, 3, 1, 4));
    assertThat(h.node.commitIndex()).isEqualTo(3);
    assertThat(h.node.peerIds()).containsExactlyInAnyOrder(S1, S2, S4);
    assertThat(h.node.clusterSize()).isEqualTo(3);
    assertThat(h.node.quorumNeeded()).isEqualTo(2);
    // The store keeps the committed peer state, without the speculative removal.
    assertThat(h.peerStates.load().orElseThrow().knownPeers()).containsExactly(S1, S2, S3, S4);

    NodeHarness again = h.restart();
    assertThat(again.node.peerIds()).containsExactlyInAnyOrder(S1, S2, S4);
    assertThat(again.node.clusterSize()).isEqualTo(3);
    assertThat(again.node.quorumNeeded()).isEqualTo(2);
  }

  @Test
  @org.junit.jupiter.api.DisplayName("Seed 9236: the leader's snapshot over a speculative membership change ends the change, so"
      + " this node can later lead and change the membership")
  void theLeadersSnapshotEndsASpeculativeMembershipChange() {
    // Found by MembershipCampaignTest seed 9236: a leader proposed removing a peer (index 2), was
    // killed before any later entry carried its commit, and replayed the removal as speculative on
    // restart. The new leader had compacted past it and sent its snapshot, so the removal was never
    // applied again and stayed "in progress"; elected later, the node could never change the
    // membership again and the stream's scale-up waited for ever.
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 1, peerEntry(EntryType.REMOVE_PEER, S3)));
    assertThat(h.node.membershipChangeInProgress()).isTrue();
    // A later leader's first AE does not follow this log: catch-up, answered with its snapshot at 3.
    h.deliverAe(ae(S2, 2, 4, 2, 4));
    assertThat(h.node.isCatchingUp()).isTrue();
    byte[] two = PeerStateCodec.encode(new PeerState(2, List.of(S1, S2), PeerState.EXT_UNDETERMINED));
    h.deliverCatchup(ae(S2, 2, 3, 2, 3, new Entry(EntryType.SNAPSHOT, new byte[] {1}),
        new Entry(EntryType.PEER_STATE, two)));
    assertThat(h.node.commitIndex()).isEqualTo(3);
    assertThat(h.node.membershipChangeInProgress()).isFalse();
    assertThat(h.node.peerIds()).containsExactlyInAnyOrder(S1, S2);
    assertThat(h.node.clusterSize()).isEqualTo(2);
  }

  @Test
  void aPeerStateFromTheLeaderIsStored() {
    NodeHarness h = new NodeHarness();
    byte[] ps = PeerStateCodec.encode(new PeerState(3, List.of(S1, S2, S4),
        PeerState.EXT_UNDETERMINED));
    h.deliverAe(ae(S2, 1, 0, 0, 0, new Entry(EntryType.PEER_STATE, ps)));
    h.deliverAe(ae(S2, 1, 1, 1, 1));
    assertThat(h.peerStates.load().orElseThrow().knownPeers()).containsExactly(S1, S2, S4);
  }

  @Test
  void resetStoresTheSelfOnlyMembership() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.node.reset(h.now);
    assertThat(h.peerStates.load().orElseThrow().knownPeers()).containsExactly(S1);
  }

  @Test
  void aSnapshotSuppliesTheMembershipAndTheStoreIsNotRead(@TempDir Path dir) throws IOException {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 1, entry("b")));
    h.node.applied(h.now, 1);
    assertThat(h.node.installSnapshot(h.now, new byte[] {1})).isPositive();
    assertThat(h.node.snapshotIndex()).isEqualTo(1);
    // A damaged peers.idx beside a snapshot: as NRG, the snapshot's membership is used and stored.
    PeerStateFile file = new PeerStateFile(dir);
    Files.write(file.path(), new byte[] {1, 2, 3});
    RaftNode n = newNode(h.log.afterCrash(0), h.tv, h.snapshots, file);
    assertThat(n.writeError()).isNull();
    assertThat(n.peerIds()).containsExactlyInAnyOrder(S1, S2, S3);
    assertThat(new PeerStateFile(dir).read().orElseThrow().knownPeers())
        .containsExactly(S1, S2, S3);
  }

  @Test
  void aMissingPeersFileBootstrapsAndIsWrittenAtomically(@TempDir Path dir) throws IOException {
    PeerStateFile file = new PeerStateFile(dir);
    RaftNode n = newNode(new MemoryRaftLog(), new MemoryTermVoteStore(),
        new MemorySnapshotStorage(GROUP), file);
    assertThat(n.writeError()).isNull();
    assertThat(new PeerStateFile(dir).read()).contains(new PeerState(3, List.of(S1, S2, S3),
        PeerState.EXT_UNDETERMINED));
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("peers.idx");
    }
  }

  @Test
  void aDamagedPeersFileStopsTheNodeWithATypedError(@TempDir Path dir) throws IOException {
    PeerStateFile file = new PeerStateFile(dir);
    // Says two ids follow but holds one: not a peer state.
    PeerState ps = new PeerState(5, List.of(S1, S2, S3, S4), PeerState.EXT_UNDETERMINED);
    byte[] good = PeerStateCodec.encode(ps);
    Files.write(file.path(), java.util.Arrays.copyOf(good, 8 + 8 * 2 + 3));
    RaftNode n = newNode(new MemoryRaftLog(), new MemoryTermVoteStore(),
        new MemorySnapshotStorage(GROUP), file);
    assertThat(n.state()).isEqualTo(RaftState.CLOSED);
    assertThat(n.writeError()).isNotNull();
    assertThat(n.writeError().kind()).isEqualTo(LogException.Kind.CORRUPT);
    assertThat(n.writeError().getMessage()).contains("peers.idx");
    // Nothing was overwritten: the damaged file is still there for inspection.
    assertThat(Files.size(file.path())).isEqualTo(8 + 8 * 2 + 3);

    Files.write(file.path(), new byte[] {1, 2, 3});
    RaftNode tooShort = newNode(new MemoryRaftLog(), new MemoryTermVoteStore(),
        new MemorySnapshotStorage(GROUP), new PeerStateFile(dir));
    assertThat(tooShort.writeError().kind()).isEqualTo(LogException.Kind.CORRUPT);
  }

  private static RaftNode newNode(MemoryRaftLog log, MemoryTermVoteStore tv,
      MemorySnapshotStorage snaps, PeerStateFile peers) {
    List<CommittedEntry> applied = new ArrayList<>();
    RaftEffects effects = new RaftEffects() {
      @Override
      public void send(String subject, String reply, byte[] payload) { }

      @Override
      public void subscribe(String subject) { }

      @Override
      public void unsubscribe(String subject) { }

      @Override
      public void apply(CommittedEntry entry) {
        applied.add(entry);
      }

      @Override
      public void drainApplyQueue() { }

      @Override
      public void applyMarker() { }

      @Override
      public void leaderChanged(boolean isLeader, long term) { }

      @Override
      public void readIndexReady(long requestId, long index) { }

      @Override
      public void readIndexFailed(long requestId) { }
    };
    RaftNode n = new RaftNode(RaftConfig.of(GROUP, S1, List.of(S1, S2, S3)).withRecovering(true),
        log, tv, peers, snaps, new Random(3), effects);
    n.start(1_000);
    return n;
  }
}
