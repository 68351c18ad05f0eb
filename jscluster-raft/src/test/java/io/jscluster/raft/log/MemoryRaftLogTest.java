package io.jscluster.raft.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link MemoryRaftLog} against the log contract, plus its crash model. */
class MemoryRaftLogTest extends RaftLogContractTest {

  @Override
  protected RaftLog openNew() {
    return new MemoryRaftLog();
  }

  @Override
  protected RaftLog reopen(RaftLog synced) {
    return ((MemoryRaftLog) synced).afterCrash(0);
  }

  @Test
  void crashLosesUnsyncedMutationsOnly() {
    MemoryRaftLog l = new MemoryRaftLog(FsyncPolicy.ON_SYNC);
    l.append(1, 1, payload(1));
    l.append(2, 1, payload(2));
    l.sync();
    l.truncateAfter(1);
    l.append(2, 2, payload(2));
    l.append(3, 2, payload(3));
    assertThat(l.unsyncedOperations()).isEqualTo(3);

    MemoryRaftLog none = l.afterCrash(0);
    assertThat(none.lastIndex()).isEqualTo(2);
    assertThat(none.termAt(2)).isEqualTo(1);

    MemoryRaftLog torn = l.afterCrash(2);
    assertThat(torn.lastIndex()).isEqualTo(2);
    assertThat(torn.termAt(2)).isEqualTo(2);

    MemoryRaftLog all = l.afterCrash(99);
    assertThat(all.lastIndex()).isEqualTo(3);
    assertThat(l.lastIndex()).isEqualTo(3);
  }

  @Test
  void alwaysPolicyMakesEveryMutationDurable() {
    MemoryRaftLog l = new MemoryRaftLog(FsyncPolicy.ALWAYS);
    l.append(1, 1, payload(1));
    l.compactUpTo(1);
    assertThat(l.unsyncedOperations()).isZero();
    MemoryRaftLog r = l.afterCrash(0);
    assertThat(r.firstIndex()).isEqualTo(2);
    assertThat(r.lastIndex()).isEqualTo(1);
  }

  @Test
  void neverPolicyKeepsNothingDurable() {
    MemoryRaftLog l = new MemoryRaftLog(FsyncPolicy.NEVER);
    l.append(1, 1, payload(1));
    l.sync();
    assertThat(l.afterCrash(0).lastIndex()).isZero();
    assertThat(l.syncCount()).isEqualTo(1);
  }

  @Test
  void byteSizeFollowsTheMemoryStoreRule() {
    MemoryRaftLog l = new MemoryRaftLog();
    l.append(1, 1, new byte[89]);
    assertThat(l.byteSize()).isEqualTo(105);
  }

  @Test
  void termVoteStoreKeepsTheLastValue() {
    MemoryTermVoteStore s = new MemoryTermVoteStore();
    assertThat(s.load()).isEqualTo(TermVote.NONE);
    s.save(new TermVote(3, "abcdefgh"));
    s.save(new TermVote(3, "abcdefgh"));
    assertThat(s.load()).isEqualTo(new TermVote(3, "abcdefgh"));
    assertThat(s.saveCount()).isEqualTo(1);
  }
}
