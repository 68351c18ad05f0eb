package io.jscluster.raft.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.state.TermVoteCodec;
import io.jscluster.raft.wire.PeerState;
import io.jscluster.raft.wire.PeerStateCodec;
import io.jscluster.raft.wire.WireFormatException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile bytes against the peer-state, term-vote and snapshot decoders: each input decodes or
 * fails with the typed exception, never anything else. Size with {@code -Djscluster.fuzz.cases}.
 */
class DiskFormatFuzzTest {

  private static final String GROUP = "fuzz-group";

  @Test
  void randomAndMutatedInputsNeverEscapeTheTypedException() {
    int cases = Integer.getInteger("jscluster.fuzz.cases", 100_000);
    long seed = 0xD15CL;
    System.out.println("DiskFormatFuzzTest seed=" + seed + " cases=" + cases);
    Random rnd = new Random(seed);
    SnapshotCodec codec = new SnapshotCodec(GROUP);
    byte[] validPeers = PeerStateCodec.encode(new PeerState(3, List.of("S1Nunr6R", "yrzKKRBu",
        "cnrtt3eg"), 1));
    byte[] validSnap = codec.encode(new Snapshot(4, 9, validPeers, new byte[40]));
    int decodedPeers = 0;
    int decodedSnaps = 0;
    for (int i = 0; i < cases; i++) {
      byte[] input;
      switch (rnd.nextInt(3)) {
        case 0 -> {
          input = new byte[rnd.nextInt(80)];
          rnd.nextBytes(input);
        }
        case 1 -> input = mutate(rnd, validPeers);
        default -> input = mutate(rnd, validSnap);
      }
      try {
        PeerState ps = PeerStateCodec.decode(input);
        assertThat(ps.knownPeers().size() * 8L + 8).isLessThanOrEqualTo(input.length);
        decodedPeers++;
      } catch (WireFormatException expected) {
        // typed failure is the only acceptable one
      }
      TermVoteCodec.decode(input);
      try {
        Snapshot s = codec.decode(input);
        assertThat(s.peerState().length + s.data().length + 28).isEqualTo(input.length);
        decodedSnaps++;
      } catch (SnapshotCorruptException expected) {
        // typed failure is the only acceptable one
      }
    }
    System.out.println("DiskFormatFuzzTest decoded peer states=" + decodedPeers
        + " snapshots=" + decodedSnaps);
    assertThat(decodedPeers).isPositive();
  }

  private static byte[] mutate(Random rnd, byte[] valid) {
    byte[] b = java.util.Arrays.copyOf(valid, rnd.nextBoolean() ? valid.length
        : rnd.nextInt(valid.length + 8));
    int flips = rnd.nextInt(3);
    for (int k = 0; k < flips && b.length > 0; k++) {
      b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
    }
    return b;
  }
}
