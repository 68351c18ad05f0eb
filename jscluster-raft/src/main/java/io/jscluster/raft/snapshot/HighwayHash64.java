package io.jscluster.raft.snapshot;

import java.util.Arrays;

/**
 * HighwayHash with a 64-bit result (Alakuijala, Cox, Wassenberg, "Fast keyed hash/pseudo-random
 * function using SIMD multiply and permute", 2016), the keyed checksum NRG puts at the end of every
 * snapshot file.
 *
 * <p>A streaming hasher: {@link #reset(long[])} with a 256-bit key, any number of {@link #update}
 * calls, then {@link #finish()}. The state is four 64-bit lanes of {@code v0, v1, mul0, mul1};
 * input is consumed in 32-byte packets of four little-endian lanes, and a final partial packet is
 * folded in with the length-dependent padding the algorithm specifies. Not thread-safe; reusable
 * after {@code reset}. Allocation-free after construction.
 */
public final class HighwayHash64 {

  /** Key length in bytes. */
  public static final int KEY_BYTES = 32;

  private static final long[] INIT0 = {
    0xdbe6d5d5fe4cce2fL, 0xa4093822299f31d0L, 0x13198a2e03707344L, 0x243f6a8885a308d3L
  };
  private static final long[] INIT1 = {
    0x3bd39e10cb0ef593L, 0xc0acf169b5f18a8cL, 0xbe5466cf34e90c6cL, 0x452821e638d01377L
  };

  private final long[] v0 = new long[4];
  private final long[] v1 = new long[4];
  private final long[] mul0 = new long[4];
  private final long[] mul1 = new long[4];
  private final byte[] pending = new byte[32];
  private final byte[] lastPacket = new byte[32];
  private int pendingLength;
  private boolean finished;

  /** A hasher keyed with {@code key} (32 bytes). */
  public HighwayHash64(byte[] key) {
    reset(key);
  }

  /** Restarts hashing with a 32-byte key. */
  public void reset(byte[] key) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("HighwayHash key must be 32 bytes, got " + key.length);
    }
    long[] k = new long[4];
    for (int i = 0; i < 4; i++) {
      k[i] = readLong(key, 8 * i);
    }
    reset(k);
  }

  /** Restarts hashing with a key given as four 64-bit lanes. */
  public void reset(long[] key) {
    for (int i = 0; i < 4; i++) {
      mul0[i] = INIT0[i];
      mul1[i] = INIT1[i];
      v0[i] = mul0[i] ^ key[i];
      v1[i] = mul1[i] ^ ((key[i] >>> 32) | (key[i] << 32));
    }
    pendingLength = 0;
    finished = false;
  }

  /** Hashes {@code length} bytes of {@code data} from {@code offset}. */
  public void update(byte[] data, int offset, int length) {
    if (finished) {
      throw new IllegalStateException("finish() was called; reset first");
    }
    if (offset < 0 || length < 0 || length > data.length - offset) {
      throw new IndexOutOfBoundsException("range outside array");
    }
    int pos = offset;
    int end = offset + length;
    if (pendingLength > 0) {
      int take = Math.min(32 - pendingLength, length);
      System.arraycopy(data, pos, pending, pendingLength, take);
      pendingLength += take;
      pos += take;
      if (pendingLength < 32) {
        return;
      }
      updatePacket(pending, 0);
      pendingLength = 0;
    }
    while (end - pos >= 32) {
      updatePacket(data, pos);
      pos += 32;
    }
    if (pos < end) {
      System.arraycopy(data, pos, pending, 0, end - pos);
      pendingLength = end - pos;
    }
  }

  /** Hashes a whole array. */
  public void update(byte[] data) {
    update(data, 0, data.length);
  }

  /** Completes the hash and returns the 64-bit result; call {@code reset} before reusing. */
  public long finish() {
    if (finished) {
      throw new IllegalStateException("finish() was called; reset first");
    }
    finished = true;
    if (pendingLength > 0) {
      updateRemainder();
    }
    for (int round = 0; round < 4; round++) {
      update(rotate32(v0[2]), rotate32(v0[3]), rotate32(v0[0]), rotate32(v0[1]));
    }
    return v0[0] + v1[0] + mul0[0] + mul1[0];
  }

  /** One-shot hash of {@code data} under {@code key}. */
  public static long hash(byte[] key, byte[] data, int offset, int length) {
    HighwayHash64 h = new HighwayHash64(key);
    h.update(data, offset, length);
    return h.finish();
  }

  private void updatePacket(byte[] b, int off) {
    update(readLong(b, off), readLong(b, off + 8), readLong(b, off + 16), readLong(b, off + 24));
  }

  private void update(long a0, long a1, long a2, long a3) {
    v1[0] += mul0[0] + a0;
    v1[1] += mul0[1] + a1;
    v1[2] += mul0[2] + a2;
    v1[3] += mul0[3] + a3;
    for (int i = 0; i < 4; i++) {
      mul0[i] ^= (v1[i] & 0xffffffffL) * (v0[i] >>> 32);
      v0[i] += mul1[i];
      mul1[i] ^= (v0[i] & 0xffffffffL) * (v1[i] >>> 32);
    }
    v0[0] += zipperMerge0(v1[1], v1[0]);
    v0[1] += zipperMerge1(v1[1], v1[0]);
    v0[2] += zipperMerge0(v1[3], v1[2]);
    v0[3] += zipperMerge1(v1[3], v1[2]);
    v1[0] += zipperMerge0(v0[1], v0[0]);
    v1[1] += zipperMerge1(v0[1], v0[0]);
    v1[2] += zipperMerge0(v0[3], v0[2]);
    v1[3] += zipperMerge1(v0[3], v0[2]);
  }

  // The byte shuffle that moves the well-mixed middle bytes of the products into new positions;
  // result for the low lane of the pair.
  private static long zipperMerge0(long hi, long lo) {
    return (((lo & 0xff000000L) | (hi & 0xff00000000L)) >>> 24)
        | (((lo & 0xff0000000000L) | (hi & 0xff000000000000L)) >>> 16)
        | (lo & 0xff0000L)
        | ((lo & 0xff00L) << 32)
        | ((hi & 0xff00000000000000L) >>> 8)
        | (lo << 56);
  }

  // Same shuffle, result for the high lane of the pair.
  private static long zipperMerge1(long hi, long lo) {
    return (((hi & 0xff000000L) | (lo & 0xff00000000L)) >>> 24)
        | (hi & 0xff0000L)
        | ((hi & 0xff0000000000L) >>> 16)
        | ((hi & 0xff00L) << 24)
        | ((lo & 0xff000000000000L) >>> 8)
        | ((hi & 0xffL) << 48)
        | (lo & 0xff00000000000000L);
  }

  private void updateRemainder() {
    int size = pendingLength;
    int sizeMod4 = size & 3;
    int whole = size & ~3;
    long inc = ((long) size << 32) + size;
    for (int i = 0; i < 4; i++) {
      v0[i] += inc;
      v1[i] = rotate32By(v1[i], size);
    }
    byte[] packet = lastPacket;
    Arrays.fill(packet, (byte) 0);
    System.arraycopy(pending, 0, packet, 0, whole);
    if ((size & 16) != 0) {
      // The last four input bytes (overlapping the whole words) fill the packet's top word.
      for (int i = 0; i < 4; i++) {
        packet[28 + i] = pending[whole + i + sizeMod4 - 4];
      }
    } else if (sizeMod4 != 0) {
      packet[16] = pending[whole];
      packet[17] = pending[whole + (sizeMod4 >>> 1)];
      packet[18] = pending[whole + sizeMod4 - 1];
    }
    updatePacket(packet, 0);
  }

  private static long rotate32(long x) {
    return (x >>> 32) | (x << 32);
  }

  // Rotates each 32-bit half of x left by count bits.
  private static long rotate32By(long x, int count) {
    int lo = Integer.rotateLeft((int) x, count);
    int hi = Integer.rotateLeft((int) (x >>> 32), count);
    return ((long) hi << 32) | (lo & 0xffffffffL);
  }

  private static long readLong(byte[] b, int off) {
    return (b[off] & 0xffL)
        | (b[off + 1] & 0xffL) << 8
        | (b[off + 2] & 0xffL) << 16
        | (b[off + 3] & 0xffL) << 24
        | (b[off + 4] & 0xffL) << 32
        | (b[off + 5] & 0xffL) << 40
        | (b[off + 6] & 0xffL) << 48
        | (b[off + 7] & 0xffL) << 56;
  }
}
