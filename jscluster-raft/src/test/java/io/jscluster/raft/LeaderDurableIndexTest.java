package io.jscluster.raft;

import static io.jscluster.raft.NodeHarness.GROUP;
import static io.jscluster.raft.NodeHarness.S1;
import static io.jscluster.raft.NodeHarness.S2;
import static io.jscluster.raft.NodeHarness.S3;
import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.AppendEntryResponse;
import io.jscluster.raft.wire.RaftCodec;
import io.jscluster.raft.wire.Subjects;
import io.jscluster.raft.wire.VoteResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A leader whose log forces in the background ({@link io.jscluster.raft.log.RaftLog#durableIndex()}
 * behind its last index) counts its own copy toward a commit only up to the durable index, and
 * {@link RaftNode#logDurable} recounts once the force completed.
 */
class LeaderDurableIndexTest {

  /** A log whose syncs only request a force; the test decides how far the forces got. */
  private static final class LaggingLog extends ForwardingRaftLog {
    long durable;

    LaggingLog() {
      super(new MemoryRaftLog(FsyncPolicy.ON_SYNC));
    }

    @Override
    public long durableIndex() {
      return Math.min(durable, lastIndex());
    }
  }

  private final LaggingLog log = new LaggingLog();
  private final List<CommittedEntry> applied = new ArrayList<>();
  private final List<AppendEntry> aes = new ArrayList<>();
  private long now = 1_000;
  private final RaftNode node = new RaftNode(RaftConfig.of(GROUP, S1, List.of(S1, S2, S3)), log,
      new MemoryTermVoteStore(), new Random(7), new RaftEffects() {
        @Override
        public void send(String subject, String reply, byte[] payload) {
          if (subject.equals(Subjects.appendEntry(GROUP))) {
            aes.add(RaftCodec.decodeAppendEntry(payload));
          }
        }

        @Override
        public void subscribe(String subject) {}

        @Override
        public void unsubscribe(String subject) {}

        @Override
        public void apply(CommittedEntry entry) {
          applied.add(entry);
          node().applied(now, entry.index());
        }

        @Override
        public void applyMarker() {}

        @Override
        public void leaderChanged(boolean isLeader, long term) {}
      });

  private RaftNode node() {
    return node;
  }

  /** Elects S-1 with S-2's vote, commits its noop with a durable log, and returns the term. */
  private long lead() {
    node.setDeferredSync(true);
    node.start(now);
    node.campaignImmediately(now);
    now += 100;
    node.tick(now);
    long term = node.term();
    node.receive(now, node.voteInbox(), null, RaftCodec.encode(new VoteResponse(term, S2, true, false)));
    node.flush(now);
    assertThat(node.state()).isEqualTo(RaftState.LEADER);
    log.durable = node.lastIndex();
    ack(S2, node.lastIndex());
    assertThat(node.commitIndex()).isEqualTo(node.lastIndex());
    return term;
  }

  private void ack(String peer, long index) {
    node.receive(now, node.appendEntryResponseInbox(), null,
        RaftCodec.encode(new AppendEntryResponse(node.term(), index, peer, true)));
    node.flush(now);
  }

  private long proposeOne(long term, String s) {
    node.propose(now, term, s.getBytes(StandardCharsets.UTF_8));
    node.flush(now);
    return node.lastIndex();
  }

  @Test
  @DisplayName("one follower's ack does not commit while the leader's own copy is not durable; logDurable then does")
  void ownCopyCountsOnlyOnceDurable() {
    long term = lead();
    long commitBefore = node.commitIndex();
    long index = proposeOne(term, "a");
    assertThat(aes.get(aes.size() - 1).entries()).as("the AE went out before the leader's force").hasSize(1);

    ack(S2, index);
    assertThat(node.commitIndex()).as("S-2 alone is no quorum without the leader's copy").isEqualTo(commitBefore);

    int aesBefore = aes.size();
    node.logDurable(now);
    assertThat(node.commitIndex()).as("nothing new is durable yet").isEqualTo(commitBefore);

    log.durable = index;
    node.logDurable(now);
    assertThat(node.commitIndex()).isEqualTo(index);
    assertThat(applied).extracting(CommittedEntry::index).contains(index);
    assertThat(aes.size()).as("a heartbeat carries the new commit").isEqualTo(aesBefore + 1);
    assertThat(aes.get(aes.size() - 1).commit()).isEqualTo(index);
  }

  @Test
  @DisplayName("two followers' acks commit without the leader's copy")
  void followersAloneFormAQuorum() {
    long term = lead();
    long index = proposeOne(term, "a");
    ack(S2, index);
    ack(S3, index);
    assertThat(node.commitIndex()).isEqualTo(index);
  }

  @Test
  @DisplayName("logDurable commits only up to the durable index, and an ack above it waits")
  void recountStopsAtTheDurableIndex() {
    long term = lead();
    long commitBefore = node.commitIndex();
    long first = proposeOne(term, "a");
    long second = proposeOne(term, "b");
    ack(S2, first);
    ack(S2, second);
    assertThat(node.commitIndex()).isEqualTo(commitBefore);

    log.durable = first;
    node.logDurable(now);
    assertThat(node.commitIndex()).isEqualTo(first);

    log.durable = second;
    node.logDurable(now);
    assertThat(node.commitIndex()).isEqualTo(second);
  }

  @Test
  @DisplayName("a follower ignores logDurable")
  void followerIgnoresLogDurable() {
    node.start(now);
    long commit = node.commitIndex();
    log.durable = Long.MAX_VALUE;
    node.logDurable(now);
    assertThat(node.state()).isEqualTo(RaftState.FOLLOWER);
    assertThat(node.commitIndex()).isEqualTo(commit);
  }
}
