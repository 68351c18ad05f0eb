package io.jscluster.codec.s2;

import io.jscluster.codec.CodecException;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The S2 framed stream format (Snappy framing with S2 blocks), as nats-server uses for the
 * compressed consumer assignment (op 9).
 *
 * <p>A stream is a sequence of chunks {@code [type:1][length:3 LE][body]}. It starts with the
 * identifier chunk ({@code S2sTwO}, or {@code sNaPpY} for a Snappy stream); type 0x00 holds a
 * masked CRC-32C of the uncompressed data and an S2 block, type 0x01 the CRC and raw data; types
 * 0x80–0xFE are skipped and 0x02–0x7F are rejected. Thread-safe.
 */
public final class S2Stream {

  /** Uncompressed size of each block the encoder writes (as the Go writer's default). */
  public static final int DEFAULT_BLOCK_SIZE = 1 << 20;
  /** The largest uncompressed block an S2 stream may carry. */
  public static final int MAX_BLOCK_SIZE = 4 << 20;
  /** The largest uncompressed block a Snappy-identified stream may carry. */
  public static final int MAX_SNAPPY_BLOCK_SIZE = 1 << 16;

  private static final int CHUNK_COMPRESSED = 0x00;
  private static final int CHUNK_UNCOMPRESSED = 0x01;
  private static final int CHUNK_STREAM_ID = 0xff;
  private static final byte[] S2_MAGIC = {'S', '2', 's', 'T', 'w', 'O'};
  private static final byte[] SNAPPY_MAGIC = {'s', 'N', 'a', 'P', 'p', 'Y'};
  private static final int CHECKSUM_SIZE = 4;

  private S2Stream() {}

  /**
   * The checksum of the framing format: CRC-32C (Castagnoli), rotated right by 15 and offset by
   * {@code 0xa282ead8}, so that checksums of data holding checksums stay well distributed.
   */
  public static int maskedCrc(byte[] b, int off, int len) {
    CRC32C crc = new CRC32C();
    crc.update(b, off, len);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + 0xa282ead8;
  }

  /** Encodes a whole array as an S2 stream. */
  public static byte[] encode(byte[] src) {
    return encode(src, 0, src.length);
  }

  /**
   * Encodes {@code len} bytes as an S2 stream: the {@code S2sTwO} identifier chunk, then one
   * chunk per {@link #DEFAULT_BLOCK_SIZE} of input, compressed unless that would not save space.
   * An empty input gives just the identifier chunk. This is what nats-server's writer produces.
   */
  public static byte[] encode(byte[] src, int off, int len) {
    return encode(src, off, len, false);
  }

  /**
   * Encodes {@code len} bytes as a Snappy framed stream: the {@code sNaPpY} identifier and blocks
   * of at most 64 KiB. Both Snappy and S2 stream readers (nats-server included) accept it.
   */
  public static byte[] encodeSnappyFramed(byte[] src, int off, int len) {
    return encode(src, off, len, true);
  }

  private static byte[] encode(byte[] src, int off, int len, boolean snappy) {
    int blockSize = snappy ? MAX_SNAPPY_BLOCK_SIZE : DEFAULT_BLOCK_SIZE;
    int blocks = Math.max(1, (int) ((len + (long) blockSize - 1) / blockSize));
    long bound =
        10L + (long) blocks * (8 + S2Block.maxEncodedLength(Math.min(len, blockSize)));
    if (bound > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("input too large for one stream: " + len);
    }
    byte[] out = new byte[(int) bound];
    int o = 0;
    out[o++] = (byte) CHUNK_STREAM_ID;
    out[o++] = 6;
    out[o++] = 0;
    out[o++] = 0;
    System.arraycopy(snappy ? SNAPPY_MAGIC : S2_MAGIC, 0, out, o, S2_MAGIC.length);
    o += S2_MAGIC.length;
    int p = off;
    int end = off + len;
    while (p < end) {
      int n = Math.min(blockSize, end - p);
      int crc = maskedCrc(src, p, n);
      int header = o;
      int body = o + 4 + CHECKSUM_SIZE;
      int c = S2Block.encode(src, p, n, out, body);
      int type = CHUNK_COMPRESSED;
      if (c >= n) {
        System.arraycopy(src, p, out, body, n);
        c = n;
        type = CHUNK_UNCOMPRESSED;
      }
      int chunkLen = c + CHECKSUM_SIZE;
      out[header] = (byte) type;
      out[header + 1] = (byte) chunkLen;
      out[header + 2] = (byte) (chunkLen >>> 8);
      out[header + 3] = (byte) (chunkLen >>> 16);
      out[header + 4] = (byte) crc;
      out[header + 5] = (byte) (crc >>> 8);
      out[header + 6] = (byte) (crc >>> 16);
      out[header + 7] = (byte) (crc >>> 24);
      o = body + c;
      p += n;
    }
    return Arrays.copyOf(out, o);
  }

  /** As {@link #decode(byte[], int, int, int)} over the whole array. */
  public static byte[] decode(byte[] src, int maxDecoded) {
    return decode(src, 0, src.length, maxDecoded);
  }

  /**
   * Decodes a whole S2 (or Snappy) framed stream, verifying every checksum.
   *
   * @param maxDecoded the largest total uncompressed size accepted; checked before each block
   *     is allocated
   * @return the concatenated uncompressed data (empty for an empty input)
   * @throws CodecException naming the chunk and offset on a missing identifier, a truncated or
   *     oversized chunk, a corrupt block, a checksum mismatch, an unskippable unknown chunk type,
   *     or output beyond {@code maxDecoded}
   */
  public static byte[] decode(byte[] src, int off, int len, int maxDecoded) {
    int s = off;
    int end = off + len;
    byte[] out = new byte[Math.min(maxDecoded, Math.min(len * 2 + 64, DEFAULT_BLOCK_SIZE))];
    int o = 0;
    boolean seenId = false;
    int maxBlock = MAX_BLOCK_SIZE;
    while (s < end) {
      int at = s - off;
      if (end - s < 4) {
        throw new CodecException("s2.chunk", at, "truncated chunk header");
      }
      int type = src[s] & 0xff;
      int chunkLen = (src[s + 1] & 0xff) | (src[s + 2] & 0xff) << 8 | (src[s + 3] & 0xff) << 16;
      s += 4;
      if (!seenId && type != CHUNK_STREAM_ID) {
        throw new CodecException("s2.chunk", at, "stream does not start with an identifier");
      }
      if (chunkLen > end - s) {
        throw new CodecException(
            "s2.chunk", at, "chunk length " + chunkLen + " exceeds remaining " + (end - s));
      }
      switch (type) {
        case CHUNK_STREAM_ID: {
          if (chunkLen != S2_MAGIC.length) {
            throw new CodecException("s2.identifier", at, "identifier length " + chunkLen);
          }
          if (Arrays.equals(src, s, s + 6, S2_MAGIC, 0, 6)) {
            maxBlock = MAX_BLOCK_SIZE;
          } else if (Arrays.equals(src, s, s + 6, SNAPPY_MAGIC, 0, 6)) {
            maxBlock = MAX_SNAPPY_BLOCK_SIZE;
          } else {
            throw new CodecException("s2.identifier", at, "unknown stream identifier");
          }
          seenId = true;
          break;
        }
        case CHUNK_COMPRESSED:
        case CHUNK_UNCOMPRESSED: {
          if (chunkLen < CHECKSUM_SIZE) {
            throw new CodecException("s2.chunk", at, "data chunk shorter than its checksum");
          }
          int want =
              (src[s] & 0xff)
                  | (src[s + 1] & 0xff) << 8
                  | (src[s + 2] & 0xff) << 16
                  | (src[s + 3] & 0xff) << 24;
          int data = s + CHECKSUM_SIZE;
          int dataLen = chunkLen - CHECKSUM_SIZE;
          byte[] block;
          int blockOff;
          int n;
          if (type == CHUNK_UNCOMPRESSED) {
            block = src;
            blockOff = data;
            n = dataLen;
            if (n > maxBlock) {
              throw new CodecException("s2.chunk", at, "block of " + n + " bytes exceeds " + maxBlock);
            }
          } else {
            long declared = S2Block.decodedLength(src, data, dataLen);
            if (declared > maxBlock) {
              throw new CodecException(
                  "s2.chunk", at, "block of " + declared + " bytes exceeds " + maxBlock);
            }
            if (declared > maxDecoded - o) {
              throw new CodecException(
                  "s2.chunk", at, "stream output exceeds maximum " + maxDecoded);
            }
            try {
              // Decoding into its own array keeps allocation in step with real output.
              block = S2Block.decode(src, data, dataLen, maxBlock);
            } catch (CodecException e) {
              throw new CodecException(
                  "s2.chunk", at, "corrupt compressed block: " + e.getMessage(), e);
            }
            blockOff = 0;
            n = block.length;
          }
          if (n > maxDecoded - o) {
            throw new CodecException("s2.chunk", at, "stream output exceeds maximum " + maxDecoded);
          }
          if (maskedCrc(block, blockOff, n) != want) {
            throw new CodecException("s2.crc", at, "checksum mismatch");
          }
          if (n > out.length - o) {
            out = Arrays.copyOf(out, (int) Math.min(maxDecoded, Math.max(out.length * 2L, (long) o + n)));
          }
          System.arraycopy(block, blockOff, out, o, n);
          o += n;
          break;
        }
        default: {
          if (type <= 0x7f) {
            throw new CodecException("s2.chunk", at, "unskippable chunk type " + type);
          }
          break;
        }
      }
      s += chunkLen;
    }
    return o == out.length ? out : Arrays.copyOf(out, o);
  }
}
