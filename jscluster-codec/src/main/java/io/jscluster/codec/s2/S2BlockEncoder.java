package io.jscluster.codec.s2;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A reusable S2 block compressor: greedy hash-table matching, emitting only Snappy-compatible
 * literal and copy elements so that any S2 or Snappy block decoder accepts the output.
 *
 * <p>The input is matched in independent 64 KiB windows, so every copy uses a 1- or 2-byte
 * offset. An instance keeps its hash table and scratch buffer between calls and is not
 * thread-safe; {@link S2Block} hands out one per thread.
 */
public final class S2BlockEncoder {

  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final int MAX_TABLE_BITS = 14;
  private static final int MIN_TABLE_BITS = 8;
  private static final int WINDOW = 1 << 16;
  /** Inputs shorter than this are emitted as one literal: a match could not pay for itself. */
  private static final int MIN_MATCHABLE = 17;
  /** Bytes kept back at the end of a window so 8-byte loads near the end stay in bounds. */
  private static final int INPUT_MARGIN = 15;
  /** Multiplier for hashing the 6 bytes at a position (S2's choice: fewer, longer matches). */
  private static final long HASH6_MUL = 227718039650203L;
  /** Scratch buffers larger than this are not kept between calls. */
  private static final int MAX_RETAINED_SCRATCH = 1 << 22;

  private final int[] table = new int[1 << MAX_TABLE_BITS];
  /** End of the destination room the caller granted for the current call. */
  private int dstLimit;
  private byte[] scratch = new byte[0];

  /** Creates an encoder with its own hash table. */
  public S2BlockEncoder() {}

  /**
   * The largest block this encoder produces for {@code n} input bytes.
   *
   * @throws IllegalArgumentException if {@code n} is negative or the bound would overflow
   */
  public static int maxEncodedLength(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative length " + n);
    }
    long bound = 32L + n + n / 6;
    if (bound > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("input too large for one block: " + n);
    }
    return (int) bound;
  }

  /** Compresses {@code len} bytes of {@code src} into a new array of exactly the output size. */
  public byte[] encode(byte[] src, int off, int len) {
    int bound = maxEncodedLength(len);
    byte[] buf = scratch.length >= bound ? scratch : new byte[bound];
    int n = encode(src, off, len, buf, 0);
    byte[] out = Arrays.copyOf(buf, n);
    if (buf != scratch && bound <= MAX_RETAINED_SCRATCH) {
      scratch = buf;
    }
    return out;
  }

  /**
   * Compresses {@code len} bytes of {@code src} into {@code dst} at {@code dstOff}; the caller
   * guarantees {@link #maxEncodedLength(int)} bytes of room.
   *
   * @return the number of bytes written
   */
  public int encode(byte[] src, int off, int len, byte[] dst, int dstOff) {
    if (off < 0 || len < 0 || off > src.length - len) {
      throw new IndexOutOfBoundsException("source range " + off + "+" + len);
    }
    if (dstOff < 0 || dstOff > dst.length - maxEncodedLength(len)) {
      throw new IndexOutOfBoundsException("destination too small for " + len + " input bytes");
    }
    dstLimit = dstOff + maxEncodedLength(len);
    int d = putUvarint(dst, dstOff, len);
    int p = off;
    int end = off + len;
    while (p < end) {
      int n = Math.min(WINDOW, end - p);
      d = n < MIN_MATCHABLE ? emitLiteral(dst, d, src, p, n, end) : encodeWindow(src, p, n, dst, d);
      p += n;
    }
    return d - dstOff;
  }

  private int encodeWindow(byte[] src, int base, int n, byte[] dst, int d) {
    int bits = MIN_TABLE_BITS;
    while (bits < MAX_TABLE_BITS && (1 << bits) < n) {
      bits++;
    }
    int shift = 64 - bits;
    int[] t = table;
    // Seeding with the window start makes every empty slot a harmless, in-window candidate.
    Arrays.fill(t, 0, 1 << bits, base);
    int end = base + n;
    int sLimit = end - INPUT_MARGIN;
    int nextEmit = base;
    int s = base + 1;
    int nextHash = hash6(load64(src, s), shift);

    search:
    while (true) {
      // Skip faster through input that keeps missing: one more byte per 32 misses.
      int skip = 32;
      int nextS = s;
      int candidate;
      do {
        s = nextS;
        int step = skip >>> 5;
        nextS = s + step;
        skip += step;
        if (nextS > sLimit) {
          break search;
        }
        candidate = t[nextHash];
        t[nextHash] = s;
        nextHash = hash6(load64(src, nextS), shift);
      } while (load32(src, s) != load32(src, candidate));

      d = emitLiteral(dst, d, src, nextEmit, s - nextEmit, end);

      // Emit copies back to back for as long as the byte after a match starts another one.
      while (true) {
        int matchStart = s;
        s = extendMatch(src, candidate + 4, s + 4, end);
        d = emitCopy(dst, d, matchStart - candidate, s - matchStart);
        nextEmit = s;
        if (s >= sLimit) {
          break search;
        }
        long x = load64(src, s - 1);
        t[hash6(x, shift)] = s - 1;
        int currHash = hash6(x >>> 8, shift);
        candidate = t[currHash];
        t[currHash] = s;
        if ((int) (x >>> 8) != load32(src, candidate)) {
          nextHash = hash6(x >>> 16, shift);
          s++;
          break;
        }
      }
    }
    if (nextEmit < end) {
      d = emitLiteral(dst, d, src, nextEmit, end - nextEmit, end);
    }
    return d;
  }

  private static int extendMatch(byte[] src, int i, int s, int end) {
    while (s <= end - 8) {
      long diff = load64(src, s) ^ load64(src, i);
      if (diff != 0) {
        return s + (Long.numberOfTrailingZeros(diff) >>> 3);
      }
      s += 8;
      i += 8;
    }
    while (s < end && src[i] == src[s]) {
      s++;
      i++;
    }
    return s;
  }

  /** Hash of the low 6 bytes of {@code u} into {@code 64 - shift} bits. */
  private static int hash6(long u, int shift) {
    return (int) (((u << 16) * HASH6_MUL) >>> shift);
  }

  private static int load32(byte[] b, int i) {
    return (int) INT_LE.get(b, i);
  }

  private static long load64(byte[] b, int i) {
    return (long) LONG_LE.get(b, i);
  }

  private static int putUvarint(byte[] dst, int d, int v) {
    while ((v & ~0x7f) != 0) {
      dst[d++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    dst[d++] = (byte) v;
    return d;
  }

  private int emitLiteral(byte[] dst, int d, byte[] src, int from, int len, int srcEnd) {
    if (len == 0) {
      return d;
    }
    int n = len - 1;
    if (n < 60) {
      dst[d++] = (byte) (n << 2);
    } else if (n < 1 << 8) {
      dst[d++] = (byte) (60 << 2);
      dst[d++] = (byte) n;
    } else if (n < 1 << 16) {
      dst[d++] = (byte) (61 << 2);
      dst[d++] = (byte) n;
      dst[d++] = (byte) (n >>> 8);
    } else if (n < 1 << 24) {
      dst[d++] = (byte) (62 << 2);
      dst[d++] = (byte) n;
      dst[d++] = (byte) (n >>> 8);
      dst[d++] = (byte) (n >>> 16);
    } else {
      dst[d++] = (byte) (63 << 2);
      dst[d++] = (byte) n;
      dst[d++] = (byte) (n >>> 8);
      dst[d++] = (byte) (n >>> 16);
      dst[d++] = (byte) (n >>> 24);
    }
    if (len <= 16 && srcEnd - from >= 16 && dstLimit - d >= 16) {
      // Short literal: two word moves; the overrun lands in room the caller granted and is
      // overwritten by the next element or ignored past the end.
      LONG_LE.set(dst, d, load64(src, from));
      LONG_LE.set(dst, d + 8, load64(src, from + 8));
    } else {
      System.arraycopy(src, from, dst, d, len);
    }
    return d + len;
  }

  private static int emitCopy(byte[] dst, int d, int offset, int length) {
    // Copy2 carries at most 64 bytes; peel long matches so the remainder stays >= 4.
    while (length >= 68) {
      d = copy2(dst, d, offset, 64);
      length -= 64;
    }
    if (length > 64) {
      d = copy2(dst, d, offset, 60);
      length -= 60;
    }
    if (length >= 12 || offset >= 2048) {
      return copy2(dst, d, offset, length);
    }
    dst[d++] = (byte) (((offset >>> 8) << 5) | ((length - 4) << 2) | 1);
    dst[d++] = (byte) offset;
    return d;
  }

  private static int copy2(byte[] dst, int d, int offset, int length) {
    dst[d++] = (byte) (((length - 1) << 2) | 2);
    dst[d++] = (byte) offset;
    dst[d++] = (byte) (offset >>> 8);
    return d;
  }
}
