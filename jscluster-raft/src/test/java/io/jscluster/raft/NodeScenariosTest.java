package io.jscluster.raft;

import static io.jscluster.raft.NodeHarness.S1;
import static io.jscluster.raft.NodeHarness.S2;
import static io.jscluster.raft.NodeHarness.S3;
import static io.jscluster.raft.NodeHarness.ae;
import static io.jscluster.raft.NodeHarness.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.raft.log.LogException;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.TermVote;
import io.jscluster.raft.log.TermVoteStore;
import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.AppendEntryResponse;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.EntryType;
import io.jscluster.raft.wire.NodeIds;
import io.jscluster.raft.wire.RaftCodec;
import io.jscluster.raft.wire.Subjects;
import io.jscluster.raft.wire.VoteRequest;
import io.jscluster.raft.wire.VoteResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Single-node scenarios ported from nats-server's raft_test.go: one node driven with hand-built
 * peer messages in virtual time (the Go tests do the same with {@code initSingleMemRaftNode}).
 */
class NodeScenariosTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("Go: TestNRGOnlyCommitIfCurrentTerm")
  void onlyCommitIfCurrentTerm() {
    NodeHarness h = NodeHarness.withHistory(List.of(
        ae(S1, 1, 0, 0, 0, entry("a")),
        ae(S1, 2, 0, 1, 1, entry("b")),
        ae(S1, 4, 0, 2, 2, entry("c"))), 4);
    h.electSelf();
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    long term = h.node.term();
    assertThat(term).isEqualTo(5);
    assertThat(h.node.lastIndex()).isEqualTo(4);
    h.deliverAr(new AppendEntryResponse(1, 1, S2, true));
    assertThat(h.node.commitIndex()).isZero();
    h.deliverAr(new AppendEntryResponse(2, 2, S2, true));
    assertThat(h.node.commitIndex()).isZero();
    h.deliverAr(new AppendEntryResponse(4, 3, S2, true));
    assertThat(h.node.commitIndex()).isZero();
    h.deliverAr(new AppendEntryResponse(term, 4, S2, true));
    assertThat(h.node.commitIndex()).isEqualTo(4);
    assertThat(h.applied).extracting(CommittedEntry::index).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  @DisplayName("Go: TestNRGQuorumAccounting")
  void quorumAccounting() {
    NodeHarness h = new NodeHarness(c -> c.withClusterSize(5));
    assertThat(h.node.clusterSize()).isEqualTo(5);
    assertThat(h.node.quorumNeeded()).isEqualTo(3);
    h.electSelf();
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    assertThat(h.node.lastIndex()).isEqualTo(1);
    long term = h.node.term();
    h.deliverAr(new AppendEntryResponse(term, 1, S2, true));
    assertThat(h.node.commitIndex()).isZero();
    h.deliverAr(new AppendEntryResponse(term, 1, S3, true));
    assertThat(h.node.commitIndex()).isEqualTo(1);
  }

  @Test
  @DisplayName("Go: TestNRGRevalidateQuorumAfterLeaderChange")
  void revalidateQuorumAfterLeaderChange() {
    NodeHarness h = new NodeHarness(c -> c.withClusterSize(5));
    h.electSelf();
    long firstTerm = h.node.term();
    h.deliverAr(new AppendEntryResponse(firstTerm, 1, S2, true));
    assertThat(h.node.commitIndex()).isZero();
    // A higher-term vote request deposes us; acks of the old term must not carry over.
    h.deliverVoteRequest(new VoteRequest(firstTerm + 1, 0, 0, S3));
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    h.electSelf();
    long term = h.node.term();
    assertThat(term).isGreaterThan(firstTerm);
    long noop = h.node.lastIndex();
    h.deliverAr(new AppendEntryResponse(firstTerm, 1, S3, true));
    assertThat(h.node.commitIndex()).isZero();
    h.deliverAr(new AppendEntryResponse(term, noop, S2, true));
    assertThat(h.node.commitIndex()).isZero();
    h.deliverAr(new AppendEntryResponse(term, noop, S3, true));
    assertThat(h.node.commitIndex()).isEqualTo(noop);
  }

  @Test
  @DisplayName("Go: TestNRGIgnoreTrackResponseWhenNotLeader")
  void ignoreTrackResponseWhenNotLeader() {
    NodeHarness h = new NodeHarness();
    h.electSelf();
    long term = h.node.term();
    h.deliverVoteRequest(new VoteRequest(term + 1, 0, 0, S3));
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    h.deliverAr(new AppendEntryResponse(term, 1, S2, true));
    assertThat(h.node.commitIndex()).isZero();
  }

  @Test
  @DisplayName("Go: TestNRGAppendEntryCanEstablishQuorumAfterLeaderChange")
  void appendEntryCanEstablishQuorumAfterLeaderChange() {
    NodeHarness h = new NodeHarness();
    h.electSelf();
    long term = h.node.term();
    assertThat(h.appendEntriesSent()).hasSize(1);
    assertThat(h.appendEntriesSent().get(0).entries().get(0).type()).isEqualTo(EntryType.PEER_STATE);
    h.deliverAr(new AppendEntryResponse(term, 1, S2, true));
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.isLeader()).isFalse();
    h.node.applied(h.now, 1);
    assertThat(h.node.isLeader()).isTrue();
  }

  @Test
  @DisplayName("Go: TestNRGReportLeaderAfterNoopEntry")
  void reportLeaderAfterNoopEntry() {
    NodeHarness h = new NodeHarness();
    h.electSelf();
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    assertThat(h.node.isLeader()).isFalse();
    assertThat(h.leaderSignals).doesNotContain(true);
    h.deliverAr(new AppendEntryResponse(h.node.term(), 1, S2, true));
    assertThat(h.node.isLeader()).isFalse();
    h.node.processed(h.now, 1, 0);
    assertThat(h.node.isLeader()).isTrue();
    assertThat(h.leaderSignals).containsExactly(true);
    assertThat(h.subscriptions).contains(Subjects.proposal(NodeHarness.GROUP),
        Subjects.removePeer(NodeHarness.GROUP));
  }

  @Test
  @DisplayName("Go: TestNRGProcessed")
  void processedAndApplied() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 1, entry("b")));
    h.deliverAe(ae(S2, 1, 2, 1, 2));
    assertThat(h.node.commitIndex()).isEqualTo(2);
    h.node.processed(h.now, 3, 3);
    assertThat(h.node.processedIndex()).isZero();
    h.node.processed(h.now, 2, 1);
    assertThat(h.node.processedIndex()).isEqualTo(2);
    assertThat(h.node.appliedIndex()).isEqualTo(1);
    h.node.applied(h.now, 2);
    assertThat(h.node.appliedIndex()).isEqualTo(2);
    h.node.applied(h.now, 1);
    assertThat(h.node.appliedIndex()).isEqualTo(2);
  }

  @Test
  @DisplayName("Go: TestNRGTermFencedProposals")
  void termFencedProposals() {
    NodeHarness h = new NodeHarness();
    assertThatThrownBy(() -> h.node.propose(h.now, 0, bytes("x")))
        .isInstanceOfSatisfying(RaftException.class,
            e -> assertThat(e.error()).isEqualTo(RaftException.Error.NOT_LEADER));
    h.electSelf();
    long term = h.node.term();
    assertThatThrownBy(() -> h.node.propose(h.now, term - 1, bytes("x")))
        .isInstanceOf(RaftException.class);
    assertThatThrownBy(() -> h.node.propose(h.now, term + 1, bytes("x")))
        .isInstanceOf(RaftException.class);
    h.node.propose(h.now, term, bytes("x"));
    h.node.flush(h.now);
    assertThat(h.node.lastIndex()).isEqualTo(2);
  }

  @Test
  @DisplayName("Go: TestNRGSendAppendEntryNotLeader")
  void followerCannotSendAppendEntries() {
    NodeHarness h = new NodeHarness();
    assertThatThrownBy(() -> h.node.propose(h.now, h.node.term(), bytes("x")))
        .isInstanceOf(RaftException.class);
    h.node.flush(h.now);
    assertThat(h.appendEntriesSent()).isEmpty();
    assertThat(h.node.lastIndex()).isZero();
  }

  @Test
  @DisplayName("Go: TestNRGProposalFastPath (batching: one log index per batch)")
  void proposalsAreBatchedIntoOneIndex() {
    NodeHarness h = new NodeHarness();
    h.electSelf();
    long term = h.node.term();
    for (int i = 0; i < 10; i++) {
      h.node.propose(h.now, term, bytes("m" + i));
    }
    assertThat(h.node.pendingProposals()).isEqualTo(10);
    h.node.flush(h.now);
    assertThat(h.node.lastIndex()).isEqualTo(2);
    List<AppendEntry> sent = h.appendEntriesSent();
    assertThat(sent.get(sent.size() - 1).entries()).hasSize(10);
    List<Entry> many = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      many.add(entry("e" + i));
    }
    h.node.proposeMulti(h.now, term, many);
    h.node.flush(h.now);
    assertThat(h.node.lastIndex()).isEqualTo(4);
    sent = h.appendEntriesSent();
    assertThat(sent.get(sent.size() - 2).entries()).hasSize(4096);
    assertThat(sent.get(sent.size() - 1).entries()).hasSize(904);
  }

  @Test
  @DisplayName("Go: TestNRGForwardProposalResponse")
  void forwardProposal() {
    NodeHarness h = new NodeHarness();
    h.node.forwardProposal(h.now, bytes("fwd"));
    NodeHarness.Sent s = h.lastSentTo(Subjects.proposal(NodeHarness.GROUP));
    assertThat(s).isNotNull();
    assertThat(new String(s.payload(), StandardCharsets.UTF_8)).isEqualTo("fwd");
    h.electSelf();
    h.deliverAr(new AppendEntryResponse(h.node.term(), 1, S2, true));
    h.node.applied(h.now, 1);
    h.node.forwardProposal(h.now, bytes("own"));
    h.node.flush(h.now);
    assertThat(h.node.lastIndex()).isEqualTo(2);
  }

  @Test
  @DisplayName("Go: TestNRGIgnoreForwardedProposalIfNotCaughtUpLeader")
  void ignoreForwardedProposalIfNotCaughtUpLeader() {
    NodeHarness h = new NodeHarness();
    h.electSelf();
    String subject = Subjects.proposal(NodeHarness.GROUP);
    h.node.receive(h.now, subject, null, bytes("early"));
    h.node.flush(h.now);
    assertThat(h.node.lastIndex()).isEqualTo(1);
    h.deliverAr(new AppendEntryResponse(h.node.term(), 1, S2, true));
    h.node.applied(h.now, 1);
    h.node.receive(h.now, subject, "$NRG.R.reply", bytes("late"));
    h.node.flush(h.now);
    assertThat(h.node.lastIndex()).isEqualTo(2);
    assertThat(h.lastSentTo("$NRG.R.reply")).isNotNull();
  }

  @Test
  @DisplayName("Go: TestNRGMalformedAppendEntryResponse")
  void malformedAppendEntryResponseIsDropped() {
    NodeHarness h = new NodeHarness();
    h.electSelf();
    long commit = h.node.commitIndex();
    byte[] good = RaftCodec.encode(new AppendEntryResponse(h.node.term(), 1, S2, true));
    byte[] bad = java.util.Arrays.copyOf(good, 24);
    h.node.receive(h.now, h.node.appendEntryResponseInbox(), null, bad);
    assertThat(h.node.malformedCount()).isEqualTo(1);
    assertThat(h.node.commitIndex()).isEqualTo(commit);
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
  }

  @Test
  @DisplayName("Go: TestNRGAEFromOldLeader")
  void appendEntryFromOldLeaderIsRejected() {
    NodeHarness h = new NodeHarness();
    h.deliverVoteRequest(new VoteRequest(5, 0, 0, S2));
    assertThat(h.node.term()).isEqualTo(5);
    h.deliverAe(ae(S3, 1, 0, 0, 0, entry("old")));
    AppendEntryResponse r = h.lastResponse();
    assertThat(r.success()).isFalse();
    assertThat(r.term()).isEqualTo(5);
    assertThat(h.lastSentTo(NodeHarness.AE_REPLY).reply()).isNull();
    assertThat(h.node.isCatchingUp()).isFalse();
  }

  @Test
  @DisplayName("Go: TestNRGRejectNewAppendEntryFromPreviousLeader")
  void rejectNewAppendEntryFromPreviousLeader() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    assertThat(h.node.lastIndex()).isEqualTo(1);
    h.deliverVoteRequest(new VoteRequest(5, 1, 1, S3));
    assertThat(h.node.vote()).isEqualTo(S3);
    h.deliverAe(ae(S2, 1, 0, 1, 1, entry("b")));
    assertThat(h.node.lastIndex()).isEqualTo(1);
    assertThat(h.lastResponse().success()).isFalse();
  }

  @Test
  @DisplayName("Go: TestNRGCandidateDoesntRevertTermAfterOldAE")
  void candidateDoesntRevertTermAfterOldAppendEntry() {
    NodeHarness h = NodeHarness.withHistory(List.of(), 10);
    h.node.campaignImmediately(h.now);
    h.advance(100);
    assertThat(h.node.state()).isEqualTo(RaftState.CANDIDATE);
    assertThat(h.node.term()).isEqualTo(11);
    h.deliverAe(ae(S2, 5, 0, 0, 0));
    assertThat(h.node.state()).isEqualTo(RaftState.CANDIDATE);
    assertThat(h.node.term()).isEqualTo(11);
  }

  @Test
  @DisplayName("Go: TestNRGStepDownOnSameTermDoesntClearVote")
  void stepDownOnSameTermDoesntClearVote() {
    NodeHarness h = new NodeHarness();
    h.node.campaignImmediately(h.now);
    h.advance(100);
    long term = h.node.term();
    assertThat(h.node.vote()).isEqualTo(S1);
    h.deliverAe(ae(S2, term, 0, 0, 0));
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    assertThat(h.node.leaderId()).isEqualTo(S2);
    assertThat(h.node.vote()).isEqualTo(S1);
    assertThat(h.tv.load()).isEqualTo(new TermVote(term, S1));
  }

  @Test
  @DisplayName("Go: TestNRGMustNotResetVoteOnStepDownOrLeaderTransfer")
  void stepDownKeepsVote() {
    NodeHarness h = new NodeHarness();
    h.electSelf();
    h.deliverAr(new AppendEntryResponse(h.node.term(), 1, S2, true));
    h.node.stepDown(h.now, S2);
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    assertThat(h.node.vote()).isEqualTo(S1);
    AppendEntry last = h.appendEntriesSent().get(h.appendEntriesSent().size() - 1);
    assertThat(last.entries()).containsExactly(
        new Entry(EntryType.LEADER_TRANSFER, S2.getBytes(StandardCharsets.ISO_8859_1)));
  }

  @Test
  @DisplayName("Go: TestNRGSwitchToCandidateResetsVote")
  void switchToCandidateResetsVote() {
    NodeHarness h = new NodeHarness();
    h.deliverVoteRequest(new VoteRequest(1, 0, 0, S2));
    assertThat(h.node.vote()).isEqualTo(S2);
    h.node.campaignImmediately(h.now);
    h.advance(100);
    assertThat(h.node.term()).isEqualTo(2);
    assertThat(h.node.vote()).isEqualTo(S1);
  }

  @Test
  @DisplayName("Go: TestNRGUnsuccessfulVoteRequestDoesntResetElectionTimer")
  void staleVoteRequestDoesntResetElectionTimer() {
    NodeHarness h = new NodeHarness();
    h.deliverVoteRequest(new VoteRequest(3, 0, 0, S2));
    long deadline = h.node.nextDeadline();
    h.now += 10;
    h.deliverVoteRequest(new VoteRequest(2, 2, 0, S3));
    assertThat(h.node.nextDeadline()).isEqualTo(deadline);
    VoteResponse vr = RaftCodec.decodeVoteResponse(h.sent.get(h.sent.size() - 1).payload());
    assertThat(vr.granted()).isFalse();
    assertThat(vr.term()).isEqualTo(3);
  }

  @Test
  @DisplayName("Go: TestNRGUnsuccessfulVoteRequestCampaignEarly")
  void unsuccessfulVoteRequestCampaignsEarly() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverVoteRequest(new VoteRequest(2, 0, 0, S3));
    VoteResponse vr = RaftCodec.decodeVoteResponse(h.sent.get(h.sent.size() - 1).payload());
    assertThat(vr.granted()).isFalse();
    assertThat(h.node.nextDeadline() - h.now).isBetween(100L, 800L);
  }

  @Test
  @DisplayName("Go: TestNRGDoesntRequestVoteOnWriteError")
  void noVoteRequestWhenTermVoteCannotBePersisted() {
    TermVoteStore failing = new TermVoteStore() {
      @Override
      public TermVote load() {
        return TermVote.NONE;
      }

      @Override
      public void save(TermVote value) {
        throw new LogException(LogException.Kind.IO, -1, "disk full");
      }
    };
    List<String> subjects = new ArrayList<>();
    RaftEffects fx = new RecordingEffects(subjects);
    RaftNode n = new RaftNode(RaftConfig.of("TEST", S1, List.of(S1, S2, S3)), new MemoryRaftLog(),
        failing, new Random(1), fx);
    n.start(0);
    n.campaignImmediately(0);
    n.tick(100);
    assertThat(subjects).doesNotContain(Subjects.vote("TEST"));
    assertThat(n.state()).isEqualTo(RaftState.CLOSED);
    assertThat(n.writeError()).isNotNull();
    assertThatThrownBy(() -> n.propose(100, 1, bytes("x"))).isInstanceOfSatisfying(
        RaftException.class, e -> assertThat(e.error()).isEqualTo(RaftException.Error.WRITE_ERROR));
  }

  @Test
  @DisplayName("Go: TestNRGInitializeAndScaleUp (empty votes count only when everyone answered)")
  void emptyVotesNeedTheWholeCluster() {
    NodeHarness h = new NodeHarness(c -> c.withRecovering(true));
    h.node.campaignImmediately(h.now);
    h.advance(100);
    long term = h.node.term();
    h.deliverVote(new VoteResponse(term, S2, true, true));
    assertThat(h.node.state()).isEqualTo(RaftState.CANDIDATE);
    h.deliverVote(new VoteResponse(term, S3, true, true));
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
  }

  @Test
  @DisplayName("Go: TestNRGInitializeAndScaleUp (an initializing voter's vote is not empty)")
  void initializingVoterIsNotEmpty() {
    NodeHarness h = new NodeHarness();
    h.deliverVoteRequest(new VoteRequest(1, 0, 0, S2));
    VoteResponse vr = RaftCodec.decodeVoteResponse(h.sent.get(h.sent.size() - 1).payload());
    assertThat(vr.granted()).isTrue();
    assertThat(vr.empty()).isFalse();
    NodeHarness r = new NodeHarness(c -> c.withRecovering(true));
    r.deliverVoteRequest(new VoteRequest(1, 0, 0, S2));
    VoteResponse vr2 = RaftCodec.decodeVoteResponse(r.sent.get(r.sent.size() - 1).payload());
    assertThat(vr2.empty()).isTrue();
  }

  @Test
  @DisplayName("vote granted only to an up-to-date candidate and persisted before the reply")
  void voteUpToDateCheckAndPersistence() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 2, 0, 0, 0, entry("a")));
    h.deliverVoteRequest(new VoteRequest(3, 1, 5, S3));
    assertThat(RaftCodec.decodeVoteResponse(h.sent.get(h.sent.size() - 1).payload()).granted())
        .isFalse();
    h.deliverVoteRequest(new VoteRequest(4, 2, 1, S3));
    assertThat(RaftCodec.decodeVoteResponse(h.sent.get(h.sent.size() - 1).payload()).granted())
        .isTrue();
    assertThat(h.tv.load()).isEqualTo(new TermVote(4, S3));
    h.deliverVoteRequest(new VoteRequest(4, 2, 1, S2));
    assertThat(RaftCodec.decodeVoteResponse(h.sent.get(h.sent.size() - 1).payload()).granted())
        .isFalse();
  }

  @Test
  @DisplayName("Go: TestNRGCatchupDontCountTowardQuorum")
  void catchupDoesNotCountTowardQuorum() {
    // As NRG: no catch-up progress reports (CatchupProgressTest covers the extension).
    NodeHarness h = new NodeHarness(c -> c.withCatchupProgress(false));
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    // A live AE beyond our log: request catch-up from our position.
    h.deliverAe(ae(S2, 1, 1, 1, 3, entry("d")));
    AppendEntryResponse req = h.lastResponse();
    assertThat(req.success()).isFalse();
    assertThat(req.index()).isEqualTo(1);
    assertThat(h.lastSentTo(NodeHarness.AE_REPLY).reply()).startsWith("$NRG.CR.");
    int before = h.responses().size();
    h.deliverCatchup(ae(S2, 1, 1, 1, 1, entry("b")).withLterm(1));
    h.deliverCatchup(ae(S2, 1, 1, 1, 2, entry("c")).withLterm(1));
    assertThat(h.node.lastIndex()).isEqualTo(3);
    assertThat(h.responses()).hasSize(before);
    h.deliverAe(ae(S2, 1, 3, 1, 3, entry("d")));
    assertThat(h.node.isCatchingUp()).isFalse();
    AppendEntryResponse ok = h.lastResponse();
    assertThat(ok.success()).isTrue();
    assertThat(ok.index()).isEqualTo(4);
    assertThat(h.lastSentTo(NodeHarness.AE_REPLY).reply()).isNull();
  }

  @Test
  @DisplayName("Go: TestNRGIgnoreEntryAfterCanceledCatchup")
  void entryOnCancelledCatchupIsIgnored() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 2, entry("c")));
    String inbox = h.node.catchupInbox();
    assertThat(inbox).isNotNull();
    // A higher-term vote request cancels the catch-up.
    h.deliverVoteRequest(new VoteRequest(2, 1, 5, S3));
    assertThat(h.node.isCatchingUp()).isFalse();
    h.node.receive(h.now, inbox, NodeHarness.AE_REPLY,
        RaftCodec.encode(ae(S2, 1, 1, 1, 1, entry("b"))));
    assertThat(h.node.lastIndex()).isEqualTo(1);
  }

  @Test
  @DisplayName("Go: TestNRGTruncateDownToCommitted")
  void truncateDownToCommitted() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 1, entry("b")));
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.lastIndex()).isEqualTo(2);
    h.deliverAe(ae(S3, 2, 1, 1, 1, entry("B")));
    assertThat(h.node.lastIndex()).isEqualTo(2);
    assertThat(h.node.lastTerm()).isEqualTo(2);
    assertThat(h.node.commitIndex()).isEqualTo(1);
    h.deliverAe(ae(S3, 2, 2, 2, 2));
    assertThat(h.node.commitIndex()).isEqualTo(2);
    assertThat(h.applied.get(h.applied.size() - 1).entries()).containsExactly(entry("B"));
  }

  @Test
  @DisplayName("Go: TestNRGProcessAppendEntryTermMismatchDoesNotRegressCommit")
  void termMismatchBelowCommitDoesNotRegressCommit() {
    NodeHarness h = new NodeHarness();
    for (int i = 0; i < 5; i++) {
      h.deliverAe(ae(S2, 1, i, i == 0 ? 0 : 1, i, entry("e" + i)));
    }
    h.deliverAe(ae(S2, 1, 5, 1, 5));
    assertThat(h.node.commitIndex()).isEqualTo(5);
    h.deliverAe(ae(S2, 1, 5, 7, 3, entry("x")));
    assertThat(h.node.commitIndex()).isEqualTo(5);
    assertThat(h.node.lastIndex()).isEqualTo(5);
    assertThat(h.log.lastIndex()).isEqualTo(5);
  }

  @Test
  @DisplayName("Go: TestNRGCatchupDoesNotTruncateCommittedEntriesDuringRedelivery")
  void redeliveredOldEntryDoesNotTruncate() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 1, entry("b")));
    h.deliverAe(ae(S2, 1, 2, 1, 2, entry("c")));
    h.deliverAe(ae(S2, 1, 3, 1, 3));
    assertThat(h.node.commitIndex()).isEqualTo(3);
    h.deliverAe(ae(S2, 1, 1, 1, 1, entry("b")));
    assertThat(h.node.lastIndex()).isEqualTo(3);
    assertThat(h.node.commitIndex()).isEqualTo(3);
  }

  @Test
  @DisplayName("Go: TestNRGTruncateWALRevertsUncommittedAddPeer")
  void truncationRevertsUncommittedAddPeer() {
    NodeHarness h = new NodeHarness();
    String s4 = NodeIds.fromServerName("S-4");
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 1,
        new Entry(EntryType.ADD_PEER, s4.getBytes(StandardCharsets.ISO_8859_1))));
    assertThat(h.node.clusterSize()).isEqualTo(4);
    assertThat(h.node.quorumNeeded()).isEqualTo(3);
    assertThat(h.node.membershipChangeInProgress()).isTrue();
    h.deliverAe(ae(S3, 2, 1, 1, 1, entry("other")));
    assertThat(h.node.clusterSize()).isEqualTo(3);
    assertThat(h.node.quorumNeeded()).isEqualTo(2);
    assertThat(h.node.membershipChangeInProgress()).isFalse();
  }

  @Test
  @DisplayName("Go: TestNRGTruncateWALRevertsUncommittedRemovePeer")
  void truncationRevertsUncommittedRemovePeer() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 1,
        new Entry(EntryType.REMOVE_PEER, S3.getBytes(StandardCharsets.ISO_8859_1))));
    assertThat(h.node.clusterSize()).isEqualTo(2);
    assertThat(h.node.peerIds()).doesNotContain(S3);
    h.deliverAe(ae(S3, 2, 1, 1, 1, entry("other")));
    assertThat(h.node.clusterSize()).isEqualTo(3);
    assertThat(h.node.peerIds()).contains(S3);
  }

  @Test
  @DisplayName("Go: TestNRGUncommittedMembershipChangeGetsTruncated")
  void membershipChangeStaysUnlessItsIndexIsTruncated() {
    NodeHarness h = new NodeHarness();
    String s4 = NodeIds.fromServerName("S-4");
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 1,
        new Entry(EntryType.ADD_PEER, s4.getBytes(StandardCharsets.ISO_8859_1))));
    h.deliverAe(ae(S2, 1, 1, 1, 2, entry("c")));
    // Truncating only index 3 keeps the change at index 2.
    h.deliverAe(ae(S3, 2, 1, 1, 2, entry("C")));
    assertThat(h.node.membershipChangeInProgress()).isTrue();
    assertThat(h.node.clusterSize()).isEqualTo(4);
    h.deliverAe(ae(S3, 2, 3, 2, 3));
    assertThat(h.node.membershipChangeInProgress()).isFalse();
    assertThat(h.node.peerIds()).contains(s4);
  }

  @Test
  @DisplayName("Go: TestNRGDontSwitchToCandidateWithInflightSelfMembershipChange")
  void noCandidacyWhileOwnRemovalInFlight() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 1,
        new Entry(EntryType.REMOVE_PEER, S1.getBytes(StandardCharsets.ISO_8859_1))));
    h.autoApply = true;
    h.advance(60_000);
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    assertThat(h.node.term()).isEqualTo(1);
    assertThat(h.node.leaderless()).isTrue();
  }

  @Test
  @DisplayName("Go: TestNRGTrackPeerAutoAddOnlyUnmanaged")
  void autoAddOnlyUnmanaged() {
    String stranger = NodeIds.fromServerName("S-9");
    for (boolean managed : new boolean[] {false, true}) {
      NodeHarness h = new NodeHarness(c -> new RaftConfig(c.group(), c.selfId(), c.peers(),
          c.clusterSize(), false, managed, false, true, true, c.maxBatchBytes(),
          c.maxBatchEntries(), c.catchupWindowBytes(), c.timing()));
      h.electSelf();
      h.deliverAr(new AppendEntryResponse(h.node.term(), 1, S2, true));
      h.node.applied(h.now, 1);
      h.deliverAr(new AppendEntryResponse(0, 0, stranger, true));
      assertThat(h.node.membershipChangeInProgress()).as("managed=%s", managed)
          .isEqualTo(!managed);
    }
  }

  @Test
  @DisplayName("Go: TestNRGTrackPeerObserved")
  void trackPeerObserved() {
    String stranger = NodeIds.fromServerName("S-9");
    String removedPeer = S3;
    for (boolean managed : new boolean[] {true, false}) {
      NodeHarness h = new NodeHarness(c -> new RaftConfig(c.group(), c.selfId(), c.peers(),
          c.clusterSize(), false, managed, false, true, true, c.maxBatchBytes(),
          c.maxBatchEntries(), c.catchupWindowBytes(), c.timing()));
      h.electSelf();
      long term = h.node.term();
      h.deliverAr(new AppendEntryResponse(term, 1, S2, true));
      h.node.applied(h.now, 1);
      // A peer outside the peer set of a managed group is heard when it answers; members through
      // their own peer state.
      assertThat(h.node.lastHeardFrom(stranger)).isEqualTo(-1);
      h.advance(10);
      h.deliverAr(new AppendEntryResponse(0, 0, stranger, false));
      assertThat(h.node.lastHeardFrom(stranger)).as("managed=%s", managed).isEqualTo(managed ? h.now : -1);
      assertThat(h.node.lastHeardFrom(S2)).isGreaterThanOrEqualTo(0);
      if (!managed) {
        continue;
      }
      // A peer removed recently is not observed.
      h.node.proposeRemovePeer(h.now, removedPeer);
      h.deliverAr(new AppendEntryResponse(term, h.node.lastIndex(), S2, true));
      assertThat(h.node.peerIds()).doesNotContain(removedPeer);
      h.deliverAr(new AppendEntryResponse(0, 0, removedPeer, false));
      assertThat(h.node.lastHeardFrom(removedPeer)).isEqualTo(-1);
      // Once the observed peer is a member, it is tracked through its peer state.
      h.node.applied(h.now, h.node.commitIndex());
      h.node.proposeAddPeer(h.now, stranger);
      h.deliverAr(new AppendEntryResponse(term, h.node.lastIndex(), S2, true));
      assertThat(h.node.peerIds()).contains(stranger);
      assertThat(h.node.lastHeardFrom(stranger)).as("a new member not yet heard").isEqualTo(-1);
      h.advance(10);
      h.deliverAr(new AppendEntryResponse(term, h.node.lastIndex(), stranger, true));
      assertThat(h.node.lastHeardFrom(stranger)).isEqualTo(h.now);
    }
  }

  @Test
  @DisplayName("A membership entry whose AE commits the previous change is applied at once, live and on replay "
      + "(the lone survivor of a scale-down restarted on a two-member configuration and never led again)")
  void membershipChangeAfterACommittedOneAppliesAtOnce() {
    String s4 = NodeIds.fromServerName("S-4");
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, new Entry(EntryType.REMOVE_PEER, S3.getBytes(StandardCharsets.ISO_8859_1))));
    assertThat(h.node.peerIds()).containsExactlyInAnyOrder(S1, S2);
    // The leader commits the removal, then proposes the next change; its AE carries that commit.
    h.deliverAe(ae(S2, 1, 1, 1, 1, new Entry(EntryType.ADD_PEER, s4.getBytes(StandardCharsets.ISO_8859_1))));
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.peerIds()).containsExactlyInAnyOrder(S1, S2, s4);
    assertThat(h.node.membershipChangeInProgress()).isTrue();

    NodeHarness r = h.restart();
    assertThat(r.node.peerIds()).as("after replaying the log").containsExactlyInAnyOrder(S1, S2, s4);
    assertThat(r.node.membershipChangeInProgress()).isTrue();
    assertThat(r.node.clusterSize()).isEqualTo(3);
  }

  @Test
  @DisplayName("A configured peer missing from the snapshot's membership is not taken as removed at start-up: it is heard as soon as it answers")
  void configuredPeerOutsideTheSnapshotMembershipIsHeard() {
    java.util.function.UnaryOperator<RaftConfig> lone = c -> new RaftConfig(c.group(), c.selfId(), List.of(S1), 1,
        false, true, false, true, true, c.maxBatchBytes(), c.maxBatchEntries(), c.catchupWindowBytes(), c.timing());
    NodeHarness h = new NodeHarness(lone);
    h.autoApply = true;
    h.advance(10_000);
    assertThat(h.node.isLeader()).isTrue();
    h.node.propose(h.now, h.node.term(), bytes("r1"));
    h.node.flush(h.now);
    h.node.installSnapshot(h.now, bytes("store"));
    h.node.stop();
    // Restarted as the scale-up source: its assignment now lists the new peers.
    NodeHarness r = new NodeHarness(c -> new RaftConfig(c.group(), c.selfId(), List.of(S1, S2, S3), 3, false, true,
        true, true, true, c.maxBatchBytes(), c.maxBatchEntries(), c.catchupWindowBytes(), c.timing()),
        h.log.afterCrash(0), h.tv, h.snapshots, h.peerStates);
    assertThat(r.node.peerIds()).containsExactly(S1);
    r.autoApply = true;
    r.advance(10_000);
    assertThat(r.node.isLeader()).isTrue();
    r.deliverAr(new AppendEntryResponse(0, 0, S2, false));
    assertThat(r.node.lastHeardFrom(S2)).isEqualTo(r.now);
  }

  @Test
  @DisplayName("Go: TestNRGLostQuorum")
  void leaderStepsDownWhenQuorumIsLost() {
    NodeHarness h = new NodeHarness();
    h.electSelf();
    assertThat(h.node.quorum(h.now)).isTrue();
    h.advance(9_000);
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    h.advance(12_000);
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    assertThat(h.leaderSignals).endsWith(false);
  }

  @Test
  @DisplayName("Go: TestNRGSingleNodeElection")
  void singleNodeElectsItselfAndCommitsAlone() {
    NodeHarness h = new NodeHarness(c -> new RaftConfig(c.group(), c.selfId(), List.of(S1), 1,
        false, false, false, true, true, c.maxBatchBytes(), c.maxBatchEntries(),
        c.catchupWindowBytes(), c.timing()));
    h.autoApply = true;
    h.advance(10_000);
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    assertThat(h.node.isLeader()).isTrue();
    h.node.propose(h.now, h.node.term(), bytes("solo"));
    h.node.flush(h.now);
    assertThat(h.node.commitIndex()).isEqualTo(2);
  }

  @Test
  @DisplayName("Go: TestNRGObserverMode")
  void observerNeverCampaignsButVotesAndAcks() {
    NodeHarness h = new NodeHarness(c -> c.withObserver(true));
    h.advance(120_000);
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    assertThat(h.node.term()).isZero();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    assertThat(h.lastResponse().success()).isTrue();
    h.deliverVoteRequest(new VoteRequest(2, 1, 1, S3));
    assertThat(RaftCodec.decodeVoteResponse(h.sent.get(h.sent.size() - 1).payload()).granted())
        .isTrue();
  }

  @Test
  @DisplayName("Go: TestNRGElectionTimerAfterObserver")
  void leavingObserverRearmsElectionTimer() {
    NodeHarness h = new NodeHarness(c -> c.withObserver(true));
    assertThat(h.node.nextDeadline() - h.now).isGreaterThan(3_600_000L);
    h.node.setObserver(h.now, false);
    assertThat(h.node.nextDeadline() - h.now).isBetween(4_000L, 9_000L);
  }

  @Test
  @DisplayName("Go: TestNRGLeaderTransfer (target side)")
  void leaderTransferTargetCampaignsAtOnce() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 1,
        new Entry(EntryType.LEADER_TRANSFER, S1.getBytes(StandardCharsets.ISO_8859_1))));
    assertThat(h.node.nextDeadline() - h.now).isEqualTo(10);
    h.node.applied(h.now, 1);
    h.advance(20);
    assertThat(h.node.state()).isEqualTo(RaftState.CANDIDATE);
    assertThat(h.node.term()).isEqualTo(2);
  }

  @Test
  @DisplayName("Go: TestNRGHealthCheckWaitForPendingCommitsWhenPaused")
  void pausedFollowerIsNotCurrentUntilResumed() {
    NodeHarness h = new NodeHarness();
    h.autoApply = true;
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 1, entry("b")));
    assertThat(h.node.current(h.now)).isTrue();
    h.node.pauseApply(h.now);
    h.deliverAe(ae(S2, 1, 2, 1, 2));
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.pausedCommit()).isEqualTo(2);
    assertThat(h.node.current(h.now)).isFalse();
    h.node.resumeApply(h.now);
    h.applyAll();
    assertThat(h.node.commitIndex()).isEqualTo(2);
    assertThat(h.node.current(h.now)).isTrue();
  }

  @Test
  @DisplayName("Go: TestNRGHealthCheckWaitForCatchup (health rules)")
  void healthRules() {
    NodeHarness h = new NodeHarness();
    assertThat(h.node.current(h.now)).isFalse();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 1));
    assertThat(h.node.current(h.now)).isFalse();
    h.node.applied(h.now, 1);
    assertThat(h.node.current(h.now)).isTrue();
    h.now += 2_500;
    assertThat(h.node.current(h.now)).isFalse();
    h.deliverAe(ae(S2, 1, 1, 1, 1));
    assertThat(h.node.current(h.now)).isTrue();
    h.deliverAe(ae(S2, 1, 1, 1, 4, entry("gap")));
    assertThat(h.node.isCatchingUp()).isTrue();
    assertThat(h.node.current(h.now)).isFalse();
  }

  @Test
  @DisplayName("Go: TestNRGTrackPeerLag / TestNRGPeersResponse")
  void peerLagAsLeader() {
    NodeHarness h = new NodeHarness();
    h.electSelf();
    long term = h.node.term();
    h.node.propose(h.now, term, bytes("x"));
    h.node.flush(h.now);
    h.deliverAr(new AppendEntryResponse(term, 2, S2, true));
    assertThat(h.node.commitIndex()).isEqualTo(2);
    List<PeerInfo> infos = h.node.peerInfos(h.now);
    PeerInfo s2 = infos.stream().filter(p -> p.id().equals(S2)).findFirst().orElseThrow();
    PeerInfo s3 = infos.stream().filter(p -> p.id().equals(S3)).findFirst().orElseThrow();
    assertThat(s2.lag()).isZero();
    assertThat(s2.current()).isTrue();
    assertThat(s3.lag()).isEqualTo(2);
    assertThat(s3.current()).isFalse();
  }

  @Test
  @DisplayName("Go: TestNRGNoResetOnAppendEntryResponse")
  void higherTermResponseStepsDownWithoutTouchingTheLog() {
    NodeHarness h = new NodeHarness();
    h.electSelf();
    long term = h.node.term();
    h.deliverAr(new AppendEntryResponse(term + 5, 0, S2, false));
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    assertThat(h.node.term()).isEqualTo(term + 5);
    assertThat(h.node.lastIndex()).isEqualTo(1);
    assertThat(h.log.lastIndex()).isEqualTo(1);
  }

  @Test
  @DisplayName("Go: TestNRGMultipleStopsDontPanic")
  void stopIsIdempotent() {
    NodeHarness h = new NodeHarness();
    h.electSelf();
    h.node.stop();
    h.node.stop();
    assertThat(h.node.state()).isEqualTo(RaftState.CLOSED);
    assertThat(h.leaderSignals).endsWith(false);
    h.node.tick(h.now + 100_000);
    h.deliverAe(ae(S2, 9, 0, 0, 0));
    assertThat(h.node.term()).isEqualTo(1);
  }

  @Test
  @DisplayName("Go: TestNRGLeaderStepsDownIfOverrun")
  void leaderStepsDownWhenOverrun() {
    NodeHarness h = new NodeHarness();
    h.electSelf();
    long term = h.node.term();
    byte[] data = bytes("o");
    while (h.node.lastIndex() - h.node.commitIndex() <= RaftNode.OVERRUN) {
      h.node.propose(h.now, term, data);
      h.node.flush(h.now);
    }
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    assertThatThrownBy(() -> h.node.propose(h.now, term, data)).isInstanceOfSatisfying(
        RaftException.class, e -> assertThat(e.error()).isEqualTo(RaftException.Error.NOT_LEADER));
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    assertThat(h.node.overrunCount()).isEqualTo(1);
  }

  /** Effects that only record subjects sent to. */
  private record RecordingEffects(List<String> subjects) implements RaftEffects {
    @Override
    public void send(String subject, String reply, byte[] payload) {
      subjects.add(subject);
    }

    @Override
    public void subscribe(String subject) {}

    @Override
    public void unsubscribe(String subject) {}

    @Override
    public void apply(CommittedEntry entry) {}

    @Override
    public void applyMarker() {}

    @Override
    public void leaderChanged(boolean isLeader, long term) {}
  }
}
