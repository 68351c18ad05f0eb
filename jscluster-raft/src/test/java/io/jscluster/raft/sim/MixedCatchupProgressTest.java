package io.jscluster.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.RaftException;
import io.jscluster.raft.wire.NodeIds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Catch-up progress reports are wire-compatible with NRG: a follower far behind a leader is caught
 * up whichever side runs without them. n3 lags by about 6 MiB (three 2 MiB windows); n1 and n2
 * (one of which leads) and n3 have progress reports on or off independently.
 *
 * <ul>
 *   <li>both on: the stream never waits for a re-request, so the catch-up takes less than one
 *       2 s stall;
 *   <li>NRG follower (no reports): the leader's stream stops at its window and the follower's
 *       stall detection re-requests, round after round, as in NRG;
 *   <li>NRG leader (ignores reports): the follower's reports change nothing on the leader (no
 *       step-down, no commit, no stream movement), and the same stall rounds finish the job.
 * </ul>
 */
class MixedCatchupProgressTest {

  private static final int ENTRY_BYTES = 64 * 1024;
  private static final int ENTRIES = 96;

  @ParameterizedTest(name = "leader side progress {0}, lagging follower progress {1}")
  @CsvSource({"true, true", "true, false", "false, true", "false, false"})
  void laggingFollowerIsCaughtUpWhicheverSideSendsNoReports(boolean leaderSide,
      boolean followerSide) {
    String lagging = NodeIds.fromServerName("n3");
    SimCluster c = new SimCluster(31, 3,
        cfg -> cfg.withCatchupProgress(cfg.selfId().equals(lagging) ? followerSide : leaderSide));
    c.start();
    SimNode n3 = c.node("n3");
    n3.crash(0);
    SimNode leader = c.awaitLeader(30_000);
    assertThat(leader).isNotNull().isNotSameAs(n3);
    long term = leader.raft().term();
    for (int i = 0; i < ENTRIES; i++) {
      byte[] data = new byte[ENTRY_BYTES];
      data[0] = (byte) i;
      try {
        leader.input(r -> r.propose(c.sim().now(), term, data));
      } catch (RaftException e) {
        throw new AssertionError("leader refused a proposal", e);
      }
      c.sim().runFor(20);
    }
    long target = leader.raft().lastIndex();
    assertThat(c.awaitApplied(target, 30_000)).as(Chaos.describe(c)).isTrue();
    long commitBefore = leader.raft().commitIndex();

    n3.start();
    assertThat(c.sim().runUntil(() -> n3.raft().isCatchingUp(), 10_000)).isTrue();
    long startedAt = c.sim().now();
    assertThat(c.awaitApplied(target, 120_000)).as(Chaos.describe(c)).isTrue();
    long took = c.sim().now() - startedAt;
    System.out.println("MixedCatchupProgressTest leader side " + leaderSide + ", follower side "
        + followerSide + ": caught up in " + took + " ms virtual");

    assertThat(leader.raft().isLeader()).isTrue();
    assertThat(leader.raft().term()).isEqualTo(term);
    assertThat(leader.raft().commitIndex()).isEqualTo(commitBefore);
    if (leaderSide && followerSide) {
      assertThat(took).as("no stall between windows").isLessThan(2_000);
    } else {
      // More than one window: at least one stall of 2 s and a re-request, as in NRG.
      assertThat(took).as("NRG rounds").isGreaterThan(2_000);
    }
    c.checker().checkLogMatching(c.alive());
    c.checker().checkConverged(c.alive());
    assertThat(c.checker().violations()).isEmpty();
  }
}
