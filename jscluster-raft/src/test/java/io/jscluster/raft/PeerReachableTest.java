package io.jscluster.raft;

import static io.jscluster.raft.NodeHarness.S1;
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
import io.jscluster.raft.wire.PeerState;
import io.jscluster.raft.wire.PeerStateCodec;
import io.jscluster.raft.wire.EntryType;
import io.jscluster.raft.wire.RaftCodec;
import io.jscluster.raft.wire.Subjects;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Beyond NRG: {@link RaftNode#peerReachable} (a leader heartbeats a peer whose connection came up)
 * and the heartbeat a leader sends behind a finished catch-up, so a returning follower neither
 * waits a heartbeat interval to be contacted nor another one to learn its catch-up is over.
 */
class PeerReachableTest {

  private static final String AE_SUBJECT = Subjects.appendEntry(NodeHarness.GROUP);

  private static NodeHarness leader() {
    NodeHarness h = new NodeHarness();
    h.autoApply = true;
    h.electSelf();
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    h.deliverAr(new AppendEntryResponse(h.node.term(), 1, S2, true));
    assertThat(h.node.commitIndex()).isEqualTo(1);
    return h;
  }

  @Test
  void aLeaderHeartbeatsAReachableMemberAtOnce() {
    NodeHarness h = leader();
    int before = h.appendEntriesSent().size();
    long deadline = h.node.nextDeadline();

    assertThat(h.node.peerReachable(h.now, S3)).isTrue();

    List<AppendEntry> aes = h.appendEntriesSent();
    assertThat(aes).hasSize(before + 1);
    AppendEntry hb = aes.get(aes.size() - 1);
    assertThat(hb.entries()).isEmpty();
    assertThat(hb.leader()).isEqualTo(S1);
    assertThat(hb.term()).isEqualTo(h.node.term());
    assertThat(hb.commit()).isEqualTo(h.node.commitIndex());
    assertThat(hb.pindex()).isEqualTo(h.node.lastIndex());
    // Nothing else changes: no entry, no commit, the timers stay where they were.
    assertThat(h.node.lastIndex()).isEqualTo(1);
    assertThat(h.node.nextDeadline()).isEqualTo(deadline);
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
  }

  @Test
  void ignoredUnlessLeaderOfAGroupWithThatMember() {
    NodeHarness follower = new NodeHarness();
    follower.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    int sent = follower.sent.size();
    assertThat(follower.node.peerReachable(follower.now, S2)).isFalse();
    assertThat(follower.node.peerReachable(follower.now, S3)).isFalse();
    assertThat(follower.sent).hasSize(sent);

    NodeHarness h = leader();
    sent = h.sent.size();
    assertThat(h.node.peerReachable(h.now, "zzzzzzzz")).as("not a member").isFalse();
    assertThat(h.node.peerReachable(h.now, S1)).as("itself").isFalse();
    assertThat(h.node.peerReachable(h.now, null)).isFalse();
    assertThat(h.sent).hasSize(sent);

    h.node.stop();
    assertThat(h.node.peerReachable(h.now, S2)).as("closed").isFalse();
    assertThat(h.sent).hasSize(sent);
  }

  @Test
  void aSnapshotOnlyCatchupIsFollowedByAHeartbeat() {
    NodeHarness h = leader();
    h.node.installSnapshot(h.now, "state".getBytes(StandardCharsets.UTF_8));
    assertThat(h.node.snapshotIndex()).isEqualTo(1);
    int before = h.sent.size();

    String inbox = Subjects.catchupInbox("follower");
    h.node.receive(h.now, h.node.appendEntryResponseInbox(), inbox,
        RaftCodec.encode(new AppendEntryResponse(0, 0, S3, false)));
    h.node.flush(h.now);

    List<NodeHarness.Sent> after = h.sent.subList(before, h.sent.size());
    assertThat(after).extracting(NodeHarness.Sent::subject).containsExactly(inbox, AE_SUBJECT);
    AppendEntry snap = RaftCodec.decodeAppendEntry(after.get(0).payload());
    assertThat(snap.entries().get(0).type()).isEqualTo(EntryType.SNAPSHOT);
    AppendEntry hb = RaftCodec.decodeAppendEntry(after.get(1).payload());
    assertThat(hb.entries()).isEmpty();
    assertThat(hb.pindex()).isEqualTo(snap.pindex());
    assertThat(hb.pterm()).isEqualTo(snap.pterm());
    assertThat(h.node.catchupStreams()).isZero();
  }

  @Test
  void aStreamThatSentEverythingIsFollowedByAHeartbeat() {
    MemoryRaftLog log = new MemoryRaftLog();
    List<AppendEntry> history = List.of(ae(S2, 1, 0, 0, 0, entry("a")),
        ae(S2, 1, 0, 1, 1, entry("b")), ae(S2, 1, 0, 1, 2, entry("c")));
    for (AppendEntry ae : history) {
      log.append(ae.pindex() + 1, ae.term(), RaftCodec.encode(ae));
    }
    log.sync();
    MemoryTermVoteStore tv = new MemoryTermVoteStore();
    tv.save(new TermVote(1, ""));
    NodeHarness h = new NodeHarness(c -> c.withCatchupProgress(false), log, tv);
    h.electSelf();
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    int before = h.sent.size();

    String inbox = Subjects.catchupInbox("follower");
    h.node.receive(h.now, h.node.appendEntryResponseInbox(), inbox,
        RaftCodec.encode(new AppendEntryResponse(0, 0, S3, false)));
    h.node.flush(h.now);

    List<NodeHarness.Sent> after = h.sent.subList(before, h.sent.size());
    // Four entries (three stored, the new leader's peer state), then the heartbeat behind them.
    assertThat(after).extracting(NodeHarness.Sent::subject)
        .containsExactly(inbox, inbox, inbox, inbox, AE_SUBJECT);
    AppendEntry hb = RaftCodec.decodeAppendEntry(after.get(4).payload());
    assertThat(hb.entries()).isEmpty();
    assertThat(hb.pindex()).isEqualTo(h.node.lastIndex());
    assertThat(h.node.catchupStreams()).isZero();
  }

  @Test
  void theHeartbeatBehindTheSnapshotEndsTheFollowersCatchup() {
    NodeHarness f = new NodeHarness();
    f.autoApply = true;
    // The leader's first contact shows a log far ahead: the follower asks for a catch-up.
    f.deliverAe(ae(S2, 3, 40, 3, 40));
    assertThat(f.node.isCatchingUp()).isTrue();
    f.deliverCatchup(new AppendEntry(S2, 3, 40, 3, 40, List.of(
        new Entry(EntryType.SNAPSHOT, "state".getBytes(StandardCharsets.UTF_8)),
        new Entry(EntryType.PEER_STATE, PeerStateCodec.encode(new PeerState(3, List.of(S1, S2, S3), 0)))),
        0));
    assertThat(f.node.lastIndex()).isEqualTo(40);
    assertThat(f.node.isCatchingUp()).as("until an append entry confirms the position").isTrue();

    f.deliverAe(ae(S2, 3, 40, 3, 40));
    assertThat(f.node.isCatchingUp()).isFalse();
    assertThat(f.lastResponse().success()).isTrue();
    assertThat(f.node.current(f.now)).isTrue();
  }
}
