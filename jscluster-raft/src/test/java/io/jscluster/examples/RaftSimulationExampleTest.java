package io.jscluster.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.sim.SimCluster;
import io.jscluster.raft.sim.SimNode;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Raft-level example of docs/testing.md: a bare Raft group in virtual time. */
class RaftSimulationExampleTest {

  // region: raft-sim
  @Test
  void committedEntriesSurviveALeaderCrashAndAPartition() {
    SimCluster c = new SimCluster(42, 3).start(); // servers n1..n3, NRG defaults, seed 42
    SimNode leader = c.awaitLeader(30_000);
    assertThat(leader).isNotNull();

    for (int i = 0; i < 10; i++) {
      assertThat(c.propose(("entry " + i).getBytes(StandardCharsets.UTF_8))).isTrue();
    }
    long committed = leader.raft().lastIndex();
    assertThat(c.awaitApplied(committed, 30_000)).isTrue();

    leader.crash(0); // volatile state gone, unsynced log writes lost
    SimNode next = c.awaitLeader(30_000);
    assertThat(next).isNotNull().isNotSameAs(leader);

    c.network().partition(Set.of(next.name())); // the new leader alone: it loses its quorum
    c.sim().runFor(30_000);
    c.network().heal();
    leader.start(); // the old leader restarts from its log
    SimNode last = c.awaitLeader(30_000);
    assertThat(last).isNotNull();
    // Everyone applies what was committed before the faults, and whatever the new terms added.
    assertThat(c.awaitApplied(Math.max(committed, last.raft().lastIndex()), 60_000)).isTrue();

    c.checker().checkLogMatching(c.alive());
    c.checker().checkConverged(c.alive());
    assertThat(c.checker().violations()).as("seed %d", c.sim().seed()).isEmpty();
  }
  // endregion: raft-sim
}
