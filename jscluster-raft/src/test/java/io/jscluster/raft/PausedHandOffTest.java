package io.jscluster.raft;

import static io.jscluster.raft.NodeHarness.GROUP;
import static io.jscluster.raft.NodeHarness.S1;
import static io.jscluster.raft.NodeHarness.S2;
import static io.jscluster.raft.NodeHarness.ae;
import static io.jscluster.raft.NodeHarness.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.AppendEntryResponse;
import io.jscluster.raft.wire.EntryType;
import io.jscluster.raft.wire.RaftCodec;
import io.jscluster.raft.wire.Subjects;
import io.jscluster.raft.wire.VoteRequest;
import io.jscluster.raft.wire.VoteResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A paused node (its upper layer restores a snapshot and waits for a catch-up) never campaigns in
 * NRG ({@code switchToCandidate}: {@code n.paused} re-arms the timer; Go:
 * TestNRGDontSwitchToCandidateWithInflightSnapshot for the unprocessed-snapshot half). Beyond NRG:
 * once it refused a candidate only because that candidate's log is behind its own, it may be the
 * one node able to win (the stall of MembershipCampaignTest seed 7766), so it campaigns, commits
 * nothing as leader and hands leadership to a peer whose log matches its own, preferring the
 * candidate it refused (which was campaigning, so neither paused nor an observer).
 */
class PausedHandOffTest {

  /** S-1 holds indexes 1..3 (3 of term 2, from a leader S-3 that is gone), commit 1, then pauses. */
  private static NodeHarness pausedWithLongerLog() {
    NodeHarness h = new NodeHarness();
    h.autoApply = true;
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 1, entry("b")));
    h.node.pauseApply(h.now);
    h.deliverAe(ae(NodeHarness.S3, 2, 1, 1, 2, entry("c")));
    assertThat(h.node.lastIndex()).isEqualTo(3);
    assertThat(h.node.isPaused()).isTrue();
    // S-3 falls silent.
    h.advance(10_000);
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    return h;
  }

  @Test
  @DisplayName("Go: TestNRGDontSwitchToCandidateWithInflightSnapshot — a paused follower that blocks no"
      + " candidate never campaigns")
  void pausedFollowerDoesNotCampaignOnItsOwn() {
    NodeHarness h = pausedWithLongerLog();
    h.advance(60_000);
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    assertThat(h.sentOn(Subjects.preVote(GROUP))).isEmpty();
    assertThat(h.sentOn(Subjects.vote(GROUP))).isEmpty();
  }

  @Test
  @DisplayName("Seed 7766: a paused follower that refused a candidate with a shorter log wins, commits"
      + " nothing and hands leadership to the first peer whose log matches its own")
  void pausedFollowerBlockingACandidateWinsAndHandsOn() {
    NodeHarness h = pausedWithLongerLog();
    long committed = h.node.commitIndex();
    int appliedBefore = h.applied.size();
    // S-2 (log up to index 2, term 1) asks for pre-votes and is refused: S-1's log is longer.
    h.node.receive(h.now, Subjects.preVote(GROUP), Subjects.inbox("s2pre"),
        RaftCodec.encode(new VoteRequest(3, 1, 2, S2)));
    VoteResponse refused = RaftCodec.decodeVoteResponse(h.lastSentTo(Subjects.inbox("s2pre")).payload());
    assertThat(refused.granted()).isFalse();

    // S-1's timer fires: it pre-votes, then campaigns despite being paused.
    h.advance(1_000);
    NodeHarness.Sent pre = h.lastSentTo(Subjects.preVote(GROUP));
    assertThat(pre).isNotNull();
    long preTerm = RaftCodec.decodeVoteRequest(pre.payload()).term();
    h.node.receive(h.now, pre.reply(), null, RaftCodec.encode(new VoteResponse(preTerm, S2, true, false)));
    h.node.flush(h.now);
    assertThat(h.node.state()).isEqualTo(RaftState.CANDIDATE);
    h.deliverVote(new VoteResponse(h.node.term(), S2, true, false));
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    assertThat(h.node.isPaused()).isTrue();
    // The upper layer never hears of this leadership: nothing it could serve from.
    assertThat(h.leaderSignals).doesNotContain(true);
    long last = h.node.lastIndex();
    assertThat(last).isEqualTo(4);

    // S-2 matches up to 3 only: no commit (paused), no hand-off yet.
    h.deliverAr(new AppendEntryResponse(h.node.term(), 3, S2, true));
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    assertThat(h.node.commitIndex()).isEqualTo(committed);

    // S-2 holds everything S-1 holds: a quorum, yet S-1 commits nothing and hands leadership on.
    h.sent.clear();
    h.deliverAr(new AppendEntryResponse(h.node.term(), last, S2, true));
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    assertThat(h.node.commitIndex()).isEqualTo(committed);
    assertThat(h.applied).hasSize(appliedBefore);
    AppendEntry transfer = h.appendEntriesSent().get(h.appendEntriesSent().size() - 1);
    assertThat(transfer.entries()).hasSize(1);
    assertThat(transfer.entries().get(0).type()).isEqualTo(EntryType.LEADER_TRANSFER);
    assertThat(new String(transfer.entries().get(0).data(), StandardCharsets.ISO_8859_1)).isEqualTo(S2);
    assertThat(transfer.pindex()).isEqualTo(last);

    // The new leader's entries are accepted and committed once the upper layer resumes.
    h.deliverAe(ae(S2, h.node.term() + 1, last + 1, h.node.term(), last + 1));
    assertThat(h.node.commitIndex()).isEqualTo(committed);
    h.node.resumeApply(h.now);
    h.applyAll();
    assertThat(h.node.commitIndex()).isEqualTo(last + 1);
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    assertThat(h.node.leaderId()).isEqualTo(S2);
    assertThat(S1).isNotEqualTo(S2);
  }

  /** From {@link #pausedWithLongerLog()}: S-1 refuses S-2 (shorter log), then wins with S-2's votes. */
  private static NodeHarness pausedLeaderAfterRefusingS2() {
    NodeHarness h = pausedWithLongerLog();
    h.node.receive(h.now, Subjects.preVote(GROUP), Subjects.inbox("s2pre"),
        RaftCodec.encode(new VoteRequest(3, 1, 2, S2)));
    h.advance(1_000);
    NodeHarness.Sent pre = h.lastSentTo(Subjects.preVote(GROUP));
    long preTerm = RaftCodec.decodeVoteRequest(pre.payload()).term();
    h.node.receive(h.now, pre.reply(), null, RaftCodec.encode(new VoteResponse(preTerm, S2, true, false)));
    h.node.flush(h.now);
    h.deliverVote(new VoteResponse(h.node.term(), S2, true, false));
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    assertThat(h.node.isPaused()).isTrue();
    return h;
  }

  private static String transferTarget(NodeHarness h) {
    AppendEntry transfer = h.appendEntriesSent().get(h.appendEntriesSent().size() - 1);
    assertThat(transfer.entries()).hasSize(1);
    assertThat(transfer.entries().get(0).type()).isEqualTo(EntryType.LEADER_TRANSFER);
    return new String(transfer.entries().get(0).data(), StandardCharsets.ISO_8859_1);
  }

  @Test
  @DisplayName("A paused leader hands leadership to the candidate it refused, not to a peer whose log matched"
      + " first: that one may be paused too (a new peer waiting for the same catch-up) and would not campaign")
  void pausedLeaderHandsOnToTheRefusedCandidateNotTheFirstMatch() {
    NodeHarness h = pausedLeaderAfterRefusingS2();
    long last = h.node.lastIndex();
    h.deliverAr(new AppendEntryResponse(h.node.term(), 3, S2, true));
    // S-3 is back and already holds everything: S-1 does not know whether it could campaign.
    h.deliverAr(new AppendEntryResponse(h.node.term(), last, NodeHarness.S3, true));
    h.advance(500);
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);

    h.sent.clear();
    h.deliverAr(new AppendEntryResponse(h.node.term(), last, S2, true));
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    assertThat(transferTarget(h)).isEqualTo(S2);
  }

  @Test
  @DisplayName("Go: StepDown picks the first healthy peer — once the refused candidate falls silent, a paused"
      + " leader hands leadership to any recently heard peer whose log matches its own")
  void pausedLeaderFallsBackToAnyMatchingPeerWhenTheCandidateIsSilent() {
    NodeHarness h = pausedLeaderAfterRefusingS2();
    long last = h.node.lastIndex();
    h.deliverAr(new AppendEntryResponse(h.node.term(), 3, S2, true));
    // S-2 falls silent for longer than a transfer target may be.
    h.advance(RaftTiming.NRG_DEFAULTS.transferTargetContact() + 100);
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    h.sent.clear();
    h.deliverAr(new AppendEntryResponse(h.node.term(), last, NodeHarness.S3, true));
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    assertThat(transferTarget(h)).isEqualTo(NodeHarness.S3);
  }

  @Test
  @DisplayName("A paused leader whose catch-up ends resumes as follower, never applying its backlog as leader")
  void resumingAPausedLeaderStepsItDown() {
    NodeHarness h = pausedWithLongerLog();
    h.node.receive(h.now, Subjects.vote(GROUP), Subjects.inbox("s2vote"),
        RaftCodec.encode(new VoteRequest(3, 1, 2, S2)));
    h.advance(1_000);
    NodeHarness.Sent pre = h.lastSentTo(Subjects.preVote(GROUP));
    long preTerm = RaftCodec.decodeVoteRequest(pre.payload()).term();
    h.node.receive(h.now, pre.reply(), null, RaftCodec.encode(new VoteResponse(preTerm, S2, true, false)));
    h.node.flush(h.now);
    h.deliverVote(new VoteResponse(h.node.term(), S2, true, false));
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    h.node.resumeApply(h.now);
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    assertThat(h.node.isPaused()).isFalse();
    assertThat(h.leaderSignals).doesNotContain(true);
  }
}
