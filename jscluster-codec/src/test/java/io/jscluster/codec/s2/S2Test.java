package io.jscluster.codec.s2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscluster.codec.CodecException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class S2Test {

  private static final int MAX = 64 << 20;

  /** Text-like data: words from a small vocabulary, so it compresses but not trivially. */
  static byte[] textLike(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    String[] words = {"orders", "created", "subject", ">", "stream", "\"seq\":", "12345", " ", "{", "}"};
    byte[] out = new byte[n];
    int i = 0;
    while (i < n) {
      byte[] w = words[r.nextInt(words.length)].getBytes(StandardCharsets.UTF_8);
      for (int j = 0; j < w.length && i < n; j++) {
        out[i++] = w[j];
      }
    }
    return out;
  }

  static byte[] random(int n, long seed) {
    byte[] out = new byte[n];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      out[i] = (byte) r.nextInt(256);
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 4, 16, 17, 18, 100, 4096, 65535, 65536, 65537, 200_000, 1 << 20})
  void blockRoundTripsTextRandomAndZeros(int n) {
    for (byte[] in : new byte[][] {textLike(n, n), random(n, n), new byte[n]}) {
      byte[] enc = S2Block.encode(in);
      assertThat(enc.length).isLessThanOrEqualTo(S2Block.maxEncodedLength(n));
      assertThat(S2Block.decode(enc, MAX)).isEqualTo(in);
    }
    if (n >= 4096) {
      assertThat(S2Block.encode(new byte[n]).length).isLessThan(n / 10);
      assertThat(S2Block.encode(textLike(n, 7)).length).isLessThan(n / 2);
    }
  }

  @Test
  void blockEncodeIntoOffsetAndDecodeIntoOffset() {
    byte[] in = textLike(30_000, 3);
    byte[] dst = new byte[10 + S2Block.maxEncodedLength(in.length)];
    int n = S2Block.encode(in, 0, in.length, dst, 10);
    byte[] out = new byte[in.length + 5];
    int m = S2Block.decode(dst, 10, n, out, 5);
    assertThat(m).isEqualTo(in.length);
    assertThat(Arrays.copyOfRange(out, 5, out.length)).isEqualTo(in);
  }

  @Test
  void decodesHandBuiltS2ElementsIncludingRepeatsAndCopy4() {
    // "abcd" literal, copy4 offset 4 len 8, repeat (code 0 -> len 4), repeat code 5 (len 8+x),
    // repeat code 6 (len 260+...), copy1 offset 2 len 5, repeat code 7.
    byte[] block = {
      0, // placeholder for length varint, rewritten below
      (byte) (3 << 2), 'a', 'b', 'c', 'd',
      (byte) (((8 - 1) << 2) | 3), 4, 0, 0, 0,
      (byte) ((0 << 2) | 1), 0,
      (byte) ((5 << 2) | 1), 0, 2,
      (byte) ((6 << 2) | 1), 0, 1, 0,
      (byte) (((5 - 4) << 2) | 1), 2,
      (byte) ((7 << 2) | 1), 0, 0, 0, 0
    };
    int expectedLen = 4 + 8 + 4 + (2 + 8) + (1 + 256 + 4) + 5 + (65536 + 4);
    byte[] header = varint(expectedLen);
    byte[] src = new byte[header.length + block.length - 1];
    System.arraycopy(header, 0, src, 0, header.length);
    System.arraycopy(block, 1, src, header.length, block.length - 1);
    byte[] out = S2Block.decode(src, MAX);
    assertThat(out.length).isEqualTo(expectedLen);
    byte[] expect = new byte[expectedLen];
    byte[] abcd = "abcd".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 4 + 8 + 4 + 10 + 261; i++) {
      expect[i] = abcd[i % 4];
    }
    // The copy1 with offset 2 switches the pattern period to 2; the final repeat keeps it.
    int p = 4 + 8 + 4 + 10 + 261;
    for (int i = 0; i < 5 + 65540; i++, p++) {
      expect[p] = expect[p - 2];
    }
    assertThat(out).isEqualTo(expect);
  }

  private static byte[] varint(long v) {
    byte[] b = new byte[10];
    int i = 0;
    while (v >= 0x80) {
      b[i++] = (byte) (v | 0x80);
      v >>>= 7;
    }
    b[i++] = (byte) v;
    return Arrays.copyOf(b, i);
  }

  @Test
  void rejectsMalformedBlocks() {
    // Repeat before any offset was set.
    assertThatThrownBy(() -> S2Block.decode(new byte[] {4, 1, 0}, MAX))
        .isInstanceOf(CodecException.class);
    // Declared length above the caller's maximum: rejected before allocation.
    assertThatThrownBy(() -> S2Block.decode(new byte[] {(byte) 0xff, (byte) 0xff, 0x7f}, 100))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("exceeds maximum");
    // Length varint above uint32.
    assertThatThrownBy(
            () -> S2Block.decode(new byte[] {-1, -1, -1, -1, 0x1f}, Integer.MAX_VALUE))
        .isInstanceOf(CodecException.class);
    // Produces fewer bytes than declared.
    assertThatThrownBy(() -> S2Block.decode(new byte[] {5, 0, 'a'}, MAX))
        .isInstanceOf(CodecException.class);
    // Offset beyond output.
    assertThatThrownBy(() -> S2Block.decode(new byte[] {8, 0, 'a', (byte) 0x0e, 9, 0}, MAX))
        .isInstanceOf(CodecException.class);
    // Literal longer than the input.
    assertThatThrownBy(() -> S2Block.decode(new byte[] {8, (byte) (7 << 2), 'a'}, MAX))
        .isInstanceOf(CodecException.class);
    assertThatThrownBy(() -> S2Block.decode(new byte[0], MAX)).isInstanceOf(CodecException.class);
  }

  @Test
  void acceptsNonMinimalLengthHeaderAsGoDoes() {
    // 3 as a 2-byte varint, then a 3-byte literal.
    byte[] src = {(byte) 0x83, 0x00, (byte) (2 << 2), 'a', 'b', 'c'};
    assertThat(S2Block.decode(src, MAX)).isEqualTo(new byte[] {'a', 'b', 'c'});
    assertThat(S2Block.decode(new byte[] {(byte) 0x80, 0x00}, MAX)).isEmpty();
  }

  @Test
  void lyingHugeLengthWithTinyInputFailsWithoutBigAllocation() {
    byte[] src = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0, 'a'};
    assertThatThrownBy(() -> S2Block.decode(src, Integer.MAX_VALUE))
        .isInstanceOf(CodecException.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 1000, 100_000, (1 << 20) + 17, 3 << 20})
  void streamRoundTrips(int n) {
    for (byte[] in : new byte[][] {textLike(n, n), random(n, n + 1)}) {
      byte[] enc = S2Stream.encode(in);
      assertThat(Arrays.copyOf(enc, 10))
          .isEqualTo(new byte[] {(byte) 0xff, 6, 0, 0, 'S', '2', 's', 'T', 'w', 'O'});
      assertThat(S2Stream.decode(enc, MAX)).isEqualTo(in);
      byte[] snappy = S2Stream.encodeSnappyFramed(in, 0, in.length);
      assertThat(Arrays.copyOf(snappy, 10))
          .isEqualTo(new byte[] {(byte) 0xff, 6, 0, 0, 's', 'N', 'a', 'P', 'p', 'Y'});
      assertThat(S2Stream.decode(snappy, MAX)).isEqualTo(in);
    }
  }

  @Test
  void streamSkipsPaddingAcceptsSnappyIdAndRejectsBadChunks() {
    byte[] data = textLike(5000, 9);
    byte[] enc = S2Stream.encode(data);
    byte[] padded = new byte[enc.length + 4 + 3 + 4 + 2];
    System.arraycopy(enc, 0, padded, 0, 10);
    int p = 10;
    padded[p++] = (byte) 0xfe; // padding
    padded[p++] = 3;
    p += 2 + 3;
    padded[p++] = (byte) 0x80; // reserved skippable
    padded[p++] = 2;
    p += 2 + 2;
    System.arraycopy(enc, 10, padded, p, enc.length - 10);
    assertThat(S2Stream.decode(padded, MAX)).isEqualTo(data);

    byte[] snappy = enc.clone();
    System.arraycopy("sNaPpY".getBytes(StandardCharsets.US_ASCII), 0, snappy, 4, 6);
    assertThat(S2Stream.decode(snappy, MAX)).isEqualTo(data);

    byte[] unknown = enc.clone();
    unknown[10] = 0x02;
    assertThatThrownBy(() -> S2Stream.decode(unknown, MAX))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("unskippable");

    byte[] badCrc = enc.clone();
    badCrc[14] ^= 1;
    assertThatThrownBy(() -> S2Stream.decode(badCrc, MAX))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("checksum");

    byte[] noId = Arrays.copyOfRange(enc, 10, enc.length);
    assertThatThrownBy(() -> S2Stream.decode(noId, MAX)).isInstanceOf(CodecException.class);

    assertThatThrownBy(() -> S2Stream.decode(enc, 100))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("maximum");

    assertThat(S2Stream.decode(new byte[0], MAX)).isEmpty();
    assertThatThrownBy(() -> S2Stream.decode(Arrays.copyOf(enc, enc.length - 1), MAX))
        .isInstanceOf(CodecException.class);
  }

  @Test
  void decodesGoStreamMessageBlocksFromVectors() {
    int blocks = 0;
    for (String file : new String[] {"stream_msg.json"}) {
      for (JsonNode c : VectorFile.cases(file)) {
        if (!c.path("compressed").asBoolean(false)) {
          continue;
        }
        byte[] plain = VectorFile.hex(c, "uncompressed_hex");
        byte[] expected = Arrays.copyOfRange(plain, 1, plain.length);
        for (String field : new String[] {"hex", "hex_s2_pure_go"}) {
          byte[] entry = VectorFile.hex(c, field);
          if (entry == null) {
            continue;
          }
          assertThat(entry[0]).as(c.get("name").asText()).isEqualTo((byte) 14);
          assertThat(S2Block.decode(entry, 1, entry.length - 1, MAX))
              .as(c.get("name").asText() + " " + field)
              .isEqualTo(expected);
          blocks++;
        }
        // Our own block of the same body round-trips.
        assertThat(S2Block.decode(S2Block.encode(expected), MAX)).isEqualTo(expected);
      }
    }
    System.out.println("golden s2 blocks (stream_msg): " + blocks + " decoded");
    assertThat(blocks).isPositive();
  }

  @Test
  void decodesGoS2StreamsFromCompressedConsumerAssignments() {
    int streams = 0;
    for (JsonNode c : VectorFile.cases("assignments.json")) {
      if (!c.path("compressed").asBoolean(false)) {
        continue;
      }
      byte[] plain = VectorFile.hex(c, "uncompressed_hex");
      byte[] expected = Arrays.copyOfRange(plain, 1, plain.length);
      for (String field : new String[] {"hex", "hex_s2_pure_go"}) {
        byte[] entry = VectorFile.hex(c, field);
        if (entry == null) {
          continue;
        }
        assertThat(S2Stream.decode(entry, 1, entry.length - 1, MAX))
            .as(c.get("name").asText() + " " + field)
            .isEqualTo(expected);
        streams++;
      }
      assertThat(S2Stream.decode(S2Stream.encode(expected), MAX)).isEqualTo(expected);
    }
    System.out.println("golden s2 streams (assignments): " + streams + " decoded");
    assertThat(streams).isPositive();
  }
}
