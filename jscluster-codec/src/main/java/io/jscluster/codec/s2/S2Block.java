package io.jscluster.codec.s2;

import io.jscluster.codec.CodecException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The S2 block format: a uvarint of the uncompressed length followed by literal and copy
 * elements. Decoding understands every S2 element (Snappy literals, 1-, 2- and 4-byte-offset
 * copies, and S2's repeat-offset copies); encoding delegates to {@link S2BlockEncoder}.
 *
 * <p>All methods are thread-safe. The static encoders use one reusable {@link S2BlockEncoder} per
 * thread, so encoding allocates nothing but the result (and nothing at all for the array-into-array
 * form).
 */
public final class S2Block {

  /** The largest uncompressed length the block header can express (uint32). */
  public static final long MAX_DECLARED_LENGTH = 0xffff_ffffL;

  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final int TAG_LITERAL = 0;
  private static final int TAG_COPY1 = 1;
  private static final int TAG_COPY2 = 2;

  /**
   * Output arrays up to this size, or up to {@link #EAGER_RATIO} times the compressed size, are
   * allocated at once from the declared length. Larger claims start at that size and grow only
   * as bytes are really produced, so a lying header cannot force a large allocation.
   */
  private static final int EAGER_LIMIT = 1 << 16;

  private static final int EAGER_RATIO = 64;

  private static final ThreadLocal<S2BlockEncoder> ENCODERS =
      ThreadLocal.withInitial(S2BlockEncoder::new);

  private S2Block() {}

  /**
   * Reads the uncompressed length declared by the block header.
   *
   * @throws CodecException if the header varint is missing, longer than 5 bytes or above uint32
   */
  public static long decodedLength(byte[] src, int off, int len) {
    return header(src, off, len) >>> 3;
  }

  /**
   * Parses the header varint (Go accepts non-minimal encodings, so its length is taken from the
   * bytes, not from the value) and returns {@code value << 3 | headerLength}.
   */
  private static long header(byte[] src, int off, int len) {
    long v = 0;
    int shift = 0;
    for (int i = 0; i < 5; i++) {
      if (i >= len) {
        throw new CodecException("s2.length", i, "truncated block length varint");
      }
      int b = src[off + i] & 0xff;
      v |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        if (v > MAX_DECLARED_LENGTH) {
          throw new CodecException("s2.length", 0, "declared length exceeds uint32: " + v);
        }
        return v << 3 | (i + 1);
      }
      shift += 7;
    }
    throw new CodecException("s2.length", 0, "block length varint longer than 5 bytes");
  }

  /**
   * Decodes a whole S2 block into a new array of exactly the declared length.
   *
   * @param maxDecoded the largest uncompressed length the caller accepts; checked against the
   *     header before anything is allocated
   * @throws CodecException on a malformed block or a declared length above {@code maxDecoded}
   */
  public static byte[] decode(byte[] src, int off, int len, int maxDecoded) {
    long hdr = header(src, off, len);
    long declared = hdr >>> 3;
    if (declared > maxDecoded) {
      throw new CodecException(
          "s2.length", 0, "declared length " + declared + " exceeds maximum " + maxDecoded);
    }
    int n = (int) declared;
    int h = (int) (hdr & 7);
    long eager = Math.max(EAGER_LIMIT, (long) (len - h) * EAGER_RATIO);
    byte[] dst = new byte[(int) Math.min(n, eager)];
    return decodeElements(src, off + h, off + len, dst, 0, n, -off);
  }

  /** As {@link #decode(byte[], int, int, int)} over the whole array. */
  public static byte[] decode(byte[] src, int maxDecoded) {
    return decode(src, 0, src.length, maxDecoded);
  }

  /**
   * Decodes a whole S2 block into {@code dst} starting at {@code dstOff}.
   *
   * @return the number of bytes written (the declared length)
   * @throws CodecException on a malformed block or when the declared length does not fit in
   *     {@code dst} after {@code dstOff}
   */
  public static int decode(byte[] src, int off, int len, byte[] dst, int dstOff) {
    long hdr = header(src, off, len);
    long declared = hdr >>> 3;
    if (declared > dst.length - dstOff) {
      throw new CodecException(
          "s2.length", 0, "declared length " + declared + " exceeds destination space");
    }
    int n = (int) declared;
    int h = (int) (hdr & 7);
    if (dstOff < 0) {
      throw new IndexOutOfBoundsException("negative destination offset " + dstOff);
    }
    decodeElements(src, off + h, off + len, dst, dstOff, n, -off);
    return n;
  }

  /**
   * Runs the element loop, writing {@code count} bytes from {@code dst[base]}. Returns {@code dst}
   * or, when {@code base} is 0 and {@code dst} was allocated short, a grown replacement holding
   * exactly {@code count} bytes. {@code offBias} turns an array index into a reported offset.
   */
  private static byte[] decodeElements(
      byte[] src, int s, int sEnd, byte[] dst, int base, int count, int offBias) {
    int d = base;
    int target = base + count;
    int offset = 0;
    while (s < sEnd) {
      int tagPos = s;
      int tag = src[s] & 0xff;
      int length;
      switch (tag & 3) {
        case TAG_LITERAL: {
          int x = tag >>> 2;
          if (x < 60) {
            s += 1;
          } else {
            int extra = x - 59;
            if (extra > sEnd - s - 1) {
              throw corrupt(tagPos + offBias, "truncated literal length");
            }
            long lx = 0;
            for (int i = 0; i < extra; i++) {
              lx |= (long) (src[s + 1 + i] & 0xff) << (8 * i);
            }
            if (lx >= Integer.MAX_VALUE) {
              throw corrupt(tagPos + offBias, "literal length too large");
            }
            x = (int) lx;
            s += 1 + extra;
          }
          length = x + 1;
          if (length > sEnd - s) {
            throw corrupt(tagPos + offBias, "literal runs past end of input");
          }
          if (length > target - d) {
            throw corrupt(tagPos + offBias, "literal runs past declared length");
          }
          if (length > dst.length - d) {
            dst = grow(dst, d + length, target);
          }
          if (length <= 16 && sEnd - s >= 16 && target - d >= 16 && dst.length - d >= 16) {
            // Short literal: two word moves beat arraycopy's fixed cost; the bytes written past
            // the literal lie inside the output and are overwritten by what follows.
            LONG_LE.set(dst, d, (long) LONG_LE.get(src, s));
            LONG_LE.set(dst, d + 8, (long) LONG_LE.get(src, s + 8));
          } else {
            System.arraycopy(src, s, dst, d, length);
          }
          d += length;
          s += length;
          continue;
        }
        case TAG_COPY1: {
          if (sEnd - s < 2) {
            throw corrupt(tagPos + offBias, "truncated copy1");
          }
          int toffset = ((tag & 0xe0) << 3) | (src[s + 1] & 0xff);
          length = (tag >>> 2) & 7;
          s += 2;
          if (toffset == 0) {
            // S2 repeat: reuse the previous offset; codes 5..7 carry a longer length.
            switch (length) {
              case 5:
                if (sEnd - s < 1) {
                  throw corrupt(tagPos + offBias, "truncated repeat length");
                }
                length = (src[s] & 0xff) + 4;
                s += 1;
                break;
              case 6:
                if (sEnd - s < 2) {
                  throw corrupt(tagPos + offBias, "truncated repeat length");
                }
                length = ((src[s] & 0xff) | (src[s + 1] & 0xff) << 8) + (1 << 8);
                s += 2;
                break;
              case 7:
                if (sEnd - s < 3) {
                  throw corrupt(tagPos + offBias, "truncated repeat length");
                }
                length =
                    ((src[s] & 0xff) | (src[s + 1] & 0xff) << 8 | (src[s + 2] & 0xff) << 16)
                        + (1 << 16);
                s += 3;
                break;
              default:
                break;
            }
          } else {
            offset = toffset;
          }
          length += 4;
          break;
        }
        case TAG_COPY2: {
          if (sEnd - s < 3) {
            throw corrupt(tagPos + offBias, "truncated copy2");
          }
          offset = (src[s + 1] & 0xff) | (src[s + 2] & 0xff) << 8;
          length = 1 + (tag >>> 2);
          s += 3;
          break;
        }
        default: {
          if (sEnd - s < 5) {
            throw corrupt(tagPos + offBias, "truncated copy4");
          }
          long lo =
              (src[s + 1] & 0xffL)
                  | (src[s + 2] & 0xffL) << 8
                  | (src[s + 3] & 0xffL) << 16
                  | (src[s + 4] & 0xffL) << 24;
          // An offset beyond int range can never be behind the output position.
          offset = lo > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) lo;
          length = 1 + (tag >>> 2);
          s += 5;
          break;
        }
      }
      if (offset <= 0 || offset > d - base) {
        throw corrupt(
            tagPos + offBias, "copy offset " + offset + " outside output of " + (d - base));
      }
      if (length > target - d) {
        throw corrupt(tagPos + offBias, "copy runs past declared length");
      }
      if (length > dst.length - d) {
        dst = grow(dst, d + length, target);
      }
      if (offset >= 8 && length <= 64 && target - d >= length + 8 && dst.length - d >= length + 8) {
        // Word-at-a-time copy: with offset >= 8 every word read is already final, even when
        // the ranges overlap; the overrun stays inside the output and is rewritten later.
        int from = d - offset;
        for (int i = 0; i < length; i += 8) {
          LONG_LE.set(dst, d + i, (long) LONG_LE.get(dst, from + i));
        }
        d += length;
      } else if (offset >= length) {
        System.arraycopy(dst, d - offset, dst, d, length);
        d += length;
      } else {
        // Overlapping copy repeats the pattern: widen it by doubling to keep arraycopy chunks.
        int from = d - offset;
        int end = d + length;
        int chunk = offset;
        while (d < end) {
          int n = Math.min(chunk, end - d);
          System.arraycopy(dst, from, dst, d, n);
          d += n;
          chunk += n;
        }
      }
    }
    if (d != target) {
      throw corrupt(
          sEnd + offBias, "block produced " + (d - base) + " bytes, declared " + count);
    }
    return base > 0 || dst.length == target ? dst : Arrays.copyOf(dst, target);
  }

  private static byte[] grow(byte[] dst, int needed, int target) {
    long next = Math.max((long) dst.length * 2, needed);
    return Arrays.copyOf(dst, (int) Math.min(next, target));
  }

  private static CodecException corrupt(long offset, String message) {
    return new CodecException("s2.block", offset, message);
  }

  /** The largest block {@link #encode} can produce for {@code n} input bytes. */
  public static int maxEncodedLength(int n) {
    return S2BlockEncoder.maxEncodedLength(n);
  }

  /**
   * Compresses {@code len} bytes into {@code dst} at {@code dstOff}, which must have at least
   * {@link #maxEncodedLength(int)} bytes of room.
   *
   * @return the number of bytes written
   */
  public static int encode(byte[] src, int off, int len, byte[] dst, int dstOff) {
    return ENCODERS.get().encode(src, off, len, dst, dstOff);
  }

  /** Compresses {@code len} bytes into a new array of exactly the compressed size. */
  public static byte[] encode(byte[] src, int off, int len) {
    return ENCODERS.get().encode(src, off, len);
  }

  /** Compresses a whole array. */
  public static byte[] encode(byte[] src) {
    return encode(src, 0, src.length);
  }
}
