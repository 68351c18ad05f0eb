package io.jscluster.codec.s2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.iq80.snappy.Snappy;
import org.iq80.snappy.SnappyFramedInputStream;
import org.iq80.snappy.SnappyFramedOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cross-checks against an independent Snappy implementation (iq80 snappy): our encoders' output
 * must be valid Snappy, and Snappy's output must decode with our S2 decoders (S2 is a superset).
 */
class SnappyInteropTest {

  private static final int MAX = 64 << 20;

  private static byte[][] inputs(int n) {
    return new byte[][] {S2Test.textLike(n, n), S2Test.random(n, n + 3), new byte[n]};
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 17, 100, 5000, 65536, 70_000, 300_000})
  void ourBlocksAreValidSnappyAndSnappyBlocksDecodeAsS2(int n) {
    for (byte[] in : inputs(n)) {
      byte[] ours = S2Block.encode(in);
      assertThat(Snappy.uncompress(ours, 0, ours.length)).isEqualTo(in);
      byte[] theirs = Snappy.compress(in);
      assertThat(S2Block.decode(theirs, MAX)).isEqualTo(in);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 1000, 65536, 200_000})
  void snappyFramedStreamsInteroperate(int n) throws IOException {
    for (byte[] in : inputs(n)) {
      byte[] ours = S2Stream.encodeSnappyFramed(in, 0, in.length);
      try (InputStream r = new SnappyFramedInputStream(new ByteArrayInputStream(ours), true)) {
        assertThat(r.readAllBytes()).isEqualTo(in);
      }
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      try (OutputStream w = new SnappyFramedOutputStream(bos)) {
        w.write(in);
      }
      assertThat(S2Stream.decode(bos.toByteArray(), MAX)).isEqualTo(in);
    }
  }
}
