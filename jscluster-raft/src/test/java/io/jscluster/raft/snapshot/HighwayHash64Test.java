package io.jscluster.raft.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Streaming behaviour of the hasher; the known answers are in the snapshot golden vectors. */
class HighwayHash64Test {

  @Test
  void anySplitOfTheInputGivesTheOneShotHash() {
    long seed = 0x5eedL;
    System.out.println("HighwayHash64Test seed=" + seed);
    Random rnd = new Random(seed);
    byte[] key = new byte[32];
    rnd.nextBytes(key);
    HighwayHash64 streaming = new HighwayHash64(key);
    for (int len = 0; len <= 300; len++) {
      byte[] data = new byte[len];
      rnd.nextBytes(data);
      long expected = HighwayHash64.hash(key, data, 0, len);
      streaming.reset(key);
      int pos = 0;
      while (pos < len) {
        int step = Math.min(len - pos, rnd.nextInt(40));
        streaming.update(data, pos, step);
        pos += step;
      }
      assertThat(streaming.finish()).as("len %d seed %d", len, seed).isEqualTo(expected);
    }
  }

  @Test
  void everyLengthModulo32HashesDifferently() {
    byte[] key = new byte[32];
    byte[] data = new byte[64];
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int len = 0; len <= 64; len++) {
      seen.add(HighwayHash64.hash(key, data, 0, len));
    }
    // Zero bytes of different lengths must not collide: the length is mixed in.
    assertThat(seen).hasSize(65);
  }
}
