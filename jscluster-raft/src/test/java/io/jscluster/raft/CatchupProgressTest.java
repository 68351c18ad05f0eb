package io.jscluster.raft;

import static io.jscluster.raft.NodeHarness.S1;
import static io.jscluster.raft.NodeHarness.S2;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The catch-up progress extension ({@link RaftConfig#catchupProgress()}): a catching-up follower
 * reports each stored catch-up batch, the leader's stream moves on inside its window, and the
 * reports never count toward quorum. With the switch off (on by default) both sides behave as
 * NRG (ported tests in CommitSafetyCatalogueTest and NodeScenariosTest).
 */
class CatchupProgressTest {

  @Test
  void followerReportsEachStoredCatchupBatchAsARejectionWithoutReply() {
    NodeHarness h = new NodeHarness(c -> c.withCatchupProgress(true));
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 3, entry("d")));
    assertThat(h.node.isCatchingUp()).isTrue();
    int before = h.responses().size();

    h.deliverCatchup(ae(S2, 1, 1, 1, 1, entry("b")).withLterm(1));
    assertThat(h.responses()).hasSize(before + 1);
    AppendEntryResponse report = h.lastResponse();
    assertThat(report.success()).isFalse();
    assertThat(report.index()).isEqualTo(2);
    assertThat(report.term()).isEqualTo(1);
    assertThat(report.peer()).isEqualTo(S1);
    assertThat(h.lastSentTo(NodeHarness.AE_REPLY).reply()).isNull();

    h.deliverCatchup(ae(S2, 1, 1, 1, 2, entry("c")).withLterm(1));
    assertThat(h.responses()).hasSize(before + 2);
    assertThat(h.lastResponse().index()).isEqualTo(3);

    // The live AE ends the catch-up and is the only success.
    h.deliverAe(ae(S2, 1, 3, 1, 3, entry("d")));
    assertThat(h.node.isCatchingUp()).isFalse();
    assertThat(h.lastResponse().success()).isTrue();
    assertThat(h.lastResponse().index()).isEqualTo(4);
  }

  @Test
  void switchedOffTheFollowerNeverAnswersCatchupEntries() {
    NodeHarness h = new NodeHarness(c -> c.withCatchupProgress(false));
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 3, entry("d")));
    int before = h.responses().size();
    h.deliverCatchup(ae(S2, 1, 1, 1, 1, entry("b")).withLterm(1));
    h.deliverCatchup(ae(S2, 1, 1, 1, 2, entry("c")).withLterm(1));
    assertThat(h.node.lastIndex()).isEqualTo(3);
    assertThat(h.responses()).hasSize(before);
  }

  @Test
  void leaderStreamsOnInsideItsWindowOnProgressReportsWithoutCommitting() {
    // 40 stored batches of ~100 KiB: the 2 MiB window holds about 21 of them.
    Entry big = Entry.normal(new byte[100 * 1024]);
    List<AppendEntry> history = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      history.add(ae(S2, 1, 0, i == 0 ? 0 : 1, i, big));
    }
    NodeHarness h = leaderWithHistory(history);
    h.electSelf();
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    long term = h.node.term();
    long commit = h.node.commitIndex();

    String inbox = "$NRG.CR.test";
    h.node.receive(h.now, h.node.appendEntryResponseInbox(), inbox,
        RaftCodec.encode(new AppendEntryResponse(0, 0, S2, false)));
    int firstRound = h.sentOn(inbox).size();
    assertThat(firstRound).isBetween(20, 22);
    assertThat(h.node.catchupStreams()).isEqualTo(1);

    // The follower stored the first five: they leave the window, about five more go out.
    h.deliverAr(new AppendEntryResponse(term, 5, S2, false));
    int secondRound = h.sentOn(inbox).size();
    assertThat(secondRound - firstRound).isBetween(4, 6);
    assertThat(h.node.commitIndex()).isEqualTo(commit);
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);

    // Reports up to the end finish the stream; none of them committed anything.
    long last = h.node.lastIndex();
    for (long i = 6; i <= last; i++) {
      h.deliverAr(new AppendEntryResponse(term, i, S2, false));
    }
    assertThat(h.sentOn(inbox)).hasSize((int) last);
    assertThat(h.node.catchupStreams()).isZero();
    assertThat(h.node.commitIndex()).isEqualTo(commit);
    // Streamed entries are the stored ones, stamped with our term.
    AppendEntry lastStreamed = RaftCodec.decodeAppendEntry(
        h.sentOn(inbox).get((int) last - 2).payload());
    assertThat(lastStreamed.pindex()).isEqualTo(last - 2);
    assertThat(lastStreamed.lterm()).isEqualTo(term);
  }

  @ParameterizedTest(name = "progress reports {0}")
  @ValueSource(booleans = {true, false})
  void aStreamWithoutProgressEndsAtTheDeadlineItReports(boolean progress) {
    // Regression: the stream's inactivity deadline was reported as due while expiry needed one more
    // millisecond, so a runtime firing exactly at the deadline (the simulation) spun forever at the
    // same virtual time once a stream waited on a follower that sends no progress (an NRG one).
    Entry big = Entry.normal(new byte[100 * 1024]);
    List<AppendEntry> history = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      history.add(ae(S2, 1, 0, i == 0 ? 0 : 1, i, big));
    }
    NodeHarness h = leaderWithHistory(history, progress);
    h.electSelf();
    h.node.receive(h.now, h.node.appendEntryResponseInbox(), "$NRG.CR.stall",
        RaftCodec.encode(new AppendEntryResponse(0, 0, S2, false)));
    assertThat(h.node.catchupStreams()).isEqualTo(1);
    long due = h.node.nextDeadline();
    for (int i = 0; i < 10 && h.node.catchupStreams() > 0; i++) {
      due = h.node.nextDeadline();
      h.node.tick(due);
      assertThat(h.node.nextDeadline()).as("deadline after firing at %d", due).isGreaterThan(due);
    }
    assertThat(h.node.catchupStreams()).isZero();
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
  }

  @Test
  void aReportAboveOurTermStillDeposesTheLeader() {
    List<AppendEntry> history = List.of(ae(S2, 1, 0, 0, 0, entry("a")));
    NodeHarness h = leaderWithHistory(history);
    h.electSelf();
    long term = h.node.term();
    h.node.receive(h.now, h.node.appendEntryResponseInbox(), "$NRG.CR.x",
        RaftCodec.encode(new AppendEntryResponse(0, 0, S2, false)));
    h.deliverAr(new AppendEntryResponse(term + 1, 1, S2, false));
    assertThat(h.node.state()).isEqualTo(RaftState.FOLLOWER);
    assertThat(h.node.term()).isEqualTo(term + 1);
  }

  /** As {@link NodeHarness#withHistory} with catch-up progress switched on. */
  private static NodeHarness leaderWithHistory(List<AppendEntry> history) {
    return leaderWithHistory(history, true);
  }

  /** As {@link NodeHarness#withHistory} with catch-up progress as given. */
  private static NodeHarness leaderWithHistory(List<AppendEntry> history, boolean progress) {
    MemoryRaftLog log = new MemoryRaftLog();
    for (AppendEntry ae : history) {
      log.append(ae.pindex() + 1, ae.term(), RaftCodec.encode(ae));
    }
    log.sync();
    MemoryTermVoteStore tv = new MemoryTermVoteStore();
    tv.save(new TermVote(1, ""));
    return new NodeHarness(c -> c.withCatchupProgress(progress), log, tv);
  }
}
