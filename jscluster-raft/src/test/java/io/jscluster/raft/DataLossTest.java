package io.jscluster.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.log.LogException;
import io.jscluster.raft.log.LogRecord;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.log.TermVote;
import io.jscluster.raft.log.TermVoteStore;
import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.AppendEntryResponse;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.NodeIds;
import io.jscluster.raft.wire.RaftCodec;
import io.jscluster.raft.wire.Subjects;
import io.jscluster.raft.wire.VoteRequest;
import io.jscluster.raft.wire.VoteResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A node whose log came back shorter than what it acknowledged (damage found at recovery, records
 * cut during replay, a record unreadable when committing) must not let a quorum rest on that log:
 * its votes are empty until it holds an entry of a later term, durably so across restarts. And a
 * node whose storage failed answers nothing more. Found by the disk-fault safety campaign.
 */
class DataLossTest {

  static final String S1 = NodeIds.fromServerName("S-1");
  static final String S2 = NodeIds.fromServerName("S-2");
  static final String S3 = NodeIds.fromServerName("S-3");
  static final String GROUP = "TEST";
  static final String REPLY = Subjects.inbox("leaderAR");

  /** Records what a node sends. */
  static final class Recorder implements RaftEffects {
    final List<String> subjects = new ArrayList<>();
    final List<String> replies = new ArrayList<>();
    final List<byte[]> payloads = new ArrayList<>();
    final List<CommittedEntry> applied = new ArrayList<>();

    @Override
    public void send(String subject, String reply, byte[] payload) {
      subjects.add(subject);
      replies.add(reply);
      payloads.add(payload);
    }

    @Override
    public void subscribe(String subject) {
    }

    @Override
    public void unsubscribe(String subject) {
    }

    @Override
    public void apply(CommittedEntry entry) {
      applied.add(entry);
    }

    @Override
    public void applyMarker() {
    }

    @Override
    public void leaderChanged(boolean isLeader, long term) {
    }

    VoteResponse lastVote() {
      return RaftCodec.decodeVoteResponse(payloads.get(payloads.size() - 1));
    }
  }

  /** A memory log that reports recovery damage, or reads one index as corrupt. */
  static final class DamagedLog extends ForwardingRaftLog {
    String damage;
    long corruptIndex;
    /** How far this log's forces got (as a log forced in the background reports it). */
    long forcedUpTo = Long.MAX_VALUE;

    DamagedLog(MemoryRaftLog delegate) {
      super(delegate);
    }

    @Override
    public long durableIndex() {
      return Math.min(forcedUpTo, delegate.durableIndex());
    }

    @Override
    public long termAt(long index) {
      return delegate.termAt(index);
    }

    @Override
    public Optional<String> recoveryDamage() {
      return Optional.ofNullable(damage);
    }

    @Override
    public LogRecord read(long index) {
      if (index == corruptIndex) {
        throw new LogException(LogException.Kind.CORRUPT, index, "checksum mismatch");
      }
      return super.read(index);
    }
  }

  static AppendEntry ae(String leader, long term, long commit, long pterm, long pindex,
      String... data) {
    List<Entry> entries = new ArrayList<>();
    for (String d : data) {
      entries.add(Entry.normal(d.getBytes(StandardCharsets.UTF_8)));
    }
    return new AppendEntry(leader, term, commit, pterm, pindex, entries, 0);
  }

  /** A log holding indexes 1..n, all written by S-2 in {@code term}, each committing the last. */
  static MemoryRaftLog logOf(int n, long term) {
    return logOf(n, term, true);
  }

  static MemoryRaftLog logOf(int n, long term, boolean commits) {
    MemoryRaftLog log = new MemoryRaftLog();
    for (int i = 1; i <= n; i++) {
      log.append(i, term, RaftCodec.encode(
          ae(S2, term, commits ? i - 1 : 0, i == 1 ? 0 : term, i - 1, "e" + i)));
    }
    log.sync();
    return log;
  }

  static RaftNode node(io.jscluster.raft.log.RaftLog log, TermVoteStore tv, Recorder fx) {
    RaftNode n = new RaftNode(RaftConfig.of(GROUP, S1, List.of(S1, S2, S3)).withRecovering(true),
        log, tv, new Random(3), fx);
    n.start(1_000);
    // The upper layer applies what the replay surfaced, so nothing blocks a candidacy.
    for (CommittedEntry ce : fx.applied) {
      n.applied(1_000, ce.index());
    }
    return n;
  }

  @Test
  @DisplayName("damage found at recovery marks the node: its votes are empty, durably")
  void recoveryDamageMakesVotesEmpty() {
    DamagedLog log = new DamagedLog(logOf(2, 3));
    log.damage = "checksum mismatch at index 3";
    MemoryTermVoteStore tv = new MemoryTermVoteStore();
    tv.save(new TermVote(3, S2));
    Recorder fx = new Recorder();
    RaftNode n = node(log, tv, fx);
    assertThat(n.dataLossTerm()).isEqualTo(3);
    assertThat(tv.dataLossTerm()).isEqualTo(3);

    n.receive(1_000, Subjects.vote(GROUP), Subjects.inbox("cand"),
        RaftCodec.encode(new VoteRequest(4, 3, 2, S3)));
    VoteResponse vr = fx.lastVote();
    assertThat(vr.granted()).isTrue();
    assertThat(vr.empty()).as("a short log cannot vouch for the candidate").isTrue();

    // A restart over a log that now looks clean still carries the mark.
    Recorder fx2 = new Recorder();
    RaftNode again = node(new DamagedLog(log.delegate), tv, fx2);
    assertThat(again.dataLossTerm()).isEqualTo(3);
  }

  @Test
  @DisplayName("no mark when the surviving log ends in a term after the current one")
  void noMarkWhenNothingAcknowledgedCanBeMissing() {
    DamagedLog log = new DamagedLog(logOf(2, 5));
    log.damage = "torn tail";
    MemoryTermVoteStore tv = new MemoryTermVoteStore();
    tv.save(new TermVote(4, ""));
    RaftNode n = node(log, tv, new Recorder());
    assertThat(n.dataLossTerm()).isZero();
  }

  @Test
  @DisplayName("a marked candidate's own vote is empty: it wins only when every peer grants")
  void markedCandidateNeedsEveryone() {
    DamagedLog log = new DamagedLog(logOf(2, 3));
    log.damage = "checksum mismatch";
    MemoryTermVoteStore tv = new MemoryTermVoteStore();
    tv.save(new TermVote(3, ""));
    Recorder fx = new Recorder();
    RaftNode n = node(log, tv, fx);
    n.campaignImmediately(1_000);
    n.tick(1_100);
    assertThat(n.state()).isEqualTo(RaftState.CANDIDATE);
    long term = n.term();
    n.receive(1_100, n.voteInbox(), null, RaftCodec.encode(new VoteResponse(term, S2, true,
        false)));
    assertThat(n.state()).as("one real vote of three is no quorum").isEqualTo(RaftState.CANDIDATE);
    n.receive(1_100, n.voteInbox(), null, RaftCodec.encode(new VoteResponse(term, S3, true,
        false)));
    assertThat(n.state()).isEqualTo(RaftState.LEADER);
  }

  @Test
  @DisplayName("the mark clears once the node stores an entry of a later term")
  void markClearsOnLaterTermEntry() {
    DamagedLog log = new DamagedLog(logOf(2, 3));
    log.damage = "checksum mismatch";
    MemoryTermVoteStore tv = new MemoryTermVoteStore();
    tv.save(new TermVote(3, ""));
    Recorder fx = new Recorder();
    RaftNode n = node(log, tv, fx);
    // The leader of term 3 refills index 3: still term 3, the mark stays.
    n.receive(1_000, Subjects.appendEntry(GROUP), REPLY, RaftCodec.encode(ae(S2, 3, 2, 3, 2, "e3")));
    assertThat(n.lastIndex()).isEqualTo(3);
    assertThat(n.dataLossTerm()).isEqualTo(3);
    // A leader of term 4 appends its entry: the log now equals that leader's up to index 4.
    n.receive(1_000, Subjects.appendEntry(GROUP), REPLY, RaftCodec.encode(ae(S3, 4, 3, 3, 3, "n")));
    assertThat(n.lastTerm()).isEqualTo(4);
    assertThat(n.dataLossTerm()).isZero();
    assertThat(tv.dataLossTerm()).isZero();
  }

  @Test
  @DisplayName("with a background-forced log the mark clears only once the later-term entry is forced")
  void markWaitsForTheForceOfTheProvingEntry() {
    DamagedLog log = new DamagedLog(logOf(2, 3));
    log.damage = "checksum mismatch";
    MemoryTermVoteStore tv = new MemoryTermVoteStore();
    tv.save(new TermVote(3, ""));
    RaftNode n = node(log, tv, new Recorder());
    log.forcedUpTo = 2;
    n.receive(1_000, Subjects.appendEntry(GROUP), REPLY, RaftCodec.encode(ae(S3, 4, 2, 3, 2, "n")));
    assertThat(n.lastTerm()).isEqualTo(4);
    assertThat(n.dataLossTerm()).as("the entry of term 4 is not forced yet").isEqualTo(3);
    assertThat(tv.dataLossTerm()).isEqualTo(3);
    log.forcedUpTo = 3;
    n.logDurable(1_010);
    assertThat(n.dataLossTerm()).isZero();
    assertThat(tv.dataLossTerm()).isZero();
  }

  @Test
  @DisplayName("a corrupt record met while committing costs that record and its successors only")
  void corruptRecordAtCommitKeepsThePrefix() {
    DamagedLog log = new DamagedLog(logOf(4, 2, false));
    MemoryTermVoteStore tv = new MemoryTermVoteStore();
    tv.save(new TermVote(2, S2));
    Recorder fx = new Recorder();
    RaftNode n = node(log, tv, fx);
    log.corruptIndex = 3;
    n.receive(1_000, Subjects.appendEntry(GROUP), REPLY, RaftCodec.encode(ae(S2, 2, 4, 2, 4)));
    assertThat(n.commitIndex()).isEqualTo(2);
    assertThat(n.lastIndex()).as("the WAL is not reset").isEqualTo(2);
    assertThat(log.delegate.lastIndex()).isEqualTo(2);
    assertThat(n.dataLossTerm()).isEqualTo(2);
  }

  @Test
  @DisplayName("a node whose term/vote write fails answers nothing, not even the AE it stored")
  void noAnswerAfterStorageFailure() {
    boolean[] failing = {false};
    MemoryTermVoteStore inner = new MemoryTermVoteStore();
    TermVoteStore tv = new TermVoteStore() {
      @Override
      public TermVote load() {
        return inner.load();
      }

      @Override
      public void save(TermVote value) {
        if (failing[0]) {
          throw new LogException(LogException.Kind.IO, -1, "disk failed");
        }
        inner.save(value);
      }
    };
    Recorder fx = new Recorder();
    RaftNode n = node(new MemoryRaftLog(), tv, fx);
    failing[0] = true;
    // A live AE from a new leader: recording the leader persists term and vote, which fails.
    n.receive(1_000, Subjects.appendEntry(GROUP), REPLY, RaftCodec.encode(ae(S2, 1, 0, 0, 0, "a")));
    assertThat(n.state()).isEqualTo(RaftState.CLOSED);
    assertThat(n.writeError()).isNotNull();
    assertThat(fx.subjects).doesNotContain(REPLY);
    assertThat(n.current(1_000)).isFalse();
    n.receive(1_000, Subjects.vote(GROUP), Subjects.inbox("cand"),
        RaftCodec.encode(new VoteRequest(5, 1, 1, S3)));
    assertThat(fx.subjects).isEmpty();
  }

  @Test
  @DisplayName("a pre-vote refused from a later term makes the pre-candidate adopt that term")
  void preVoteRefusalFromLaterTermIsAdopted() {
    MemoryTermVoteStore tv = new MemoryTermVoteStore();
    tv.save(new TermVote(1, ""));
    Recorder fx = new Recorder();
    RaftNode n = node(logOf(3, 1), tv, fx);
    n.tick(20_000);
    assertThat(fx.subjects).contains(Subjects.preVote(GROUP));
    // S-2 is at term 2 with a shorter log: it refuses (our pre-vote term 2 is not above its own).
    String preVoteInbox = fx.replies.get(fx.subjects.indexOf(Subjects.preVote(GROUP)));
    n.receive(20_000, preVoteInbox, null,
        RaftCodec.encode(new VoteResponse(2, S2, false, false)));
    assertThat(n.term()).isEqualTo(2);
    assertThat(tv.load().term()).isEqualTo(2);
    // The next pre-vote asks for term 3, which S-2 can grant.
    fx.subjects.clear();
    fx.replies.clear();
    fx.payloads.clear();
    n.tick(40_000);
    int at = fx.subjects.indexOf(Subjects.preVote(GROUP));
    assertThat(at).isNotNegative();
    assertThat(RaftCodec.decodeVoteRequest(fx.payloads.get(at)).term()).isEqualTo(3);
  }
}
