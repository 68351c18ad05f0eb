package io.jscluster.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Same seed, same run: the event-trace hashes of two runs must be equal. */
class DeterminismTest {

  @Test
  void sameSeedGivesTheSameTrace() {
    for (long seed : new long[] {3, 8, 42}) {
      Chaos.Result a = Chaos.run(seed, seed % 2 == 0 ? 3 : 5, 30_000);
      Chaos.Result b = Chaos.run(seed, seed % 2 == 0 ? 3 : 5, 30_000);
      System.out.println("DeterminismTest seed " + seed + " trace " + Long.toHexString(a.traceHash())
          + " events " + a.events());
      assertThat(b.traceHash()).as("seed %d", seed).isEqualTo(a.traceHash());
      assertThat(b.events()).isEqualTo(a.events());
      assertThat(b.committed()).isEqualTo(a.committed());
      assertThat(a.events()).isGreaterThan(100);
    }
  }

  @Test
  void sameSeedGivesTheSameTraceOnDisks() {
    for (long seed : new long[] {5, 12}) {
      Chaos.Result a = Chaos.runOnDisk(seed, seed % 2 == 0 ? 3 : 5, 30_000);
      Chaos.Result b = Chaos.runOnDisk(seed, seed % 2 == 0 ? 3 : 5, 30_000);
      System.out.println("DeterminismTest disk seed " + seed + " trace "
          + Long.toHexString(a.traceHash()) + " events " + a.events() + " " + a.disk());
      assertThat(b.traceHash()).as("seed %d", seed).isEqualTo(a.traceHash());
      assertThat(b.events()).isEqualTo(a.events());
      assertThat(b.disk()).isEqualTo(a.disk());
      assertThat(a.events()).isGreaterThan(100);
    }
  }

  @Test
  void differentSeedsGiveDifferentTraces() {
    assertThat(Chaos.run(5, 3, 20_000).traceHash()).isNotEqualTo(Chaos.run(6, 3, 20_000).traceHash());
  }
}
