package io.jscluster.raft.snapshot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The NRG snapshot file format, bound to one group's checksum key.
 *
 * <pre>
 * lastTerm u64 | lastIndex u64 | psLen u32 | peer state (psLen) | data | checksum (8)
 * </pre>
 *
 * <p>All little-endian. The checksum is HighwayHash-64 of every preceding byte, keyed with the
 * SHA-256 of the group name, stored as the little-endian bytes of the hash. A file shorter than
 * {@value #MIN_LENGTH} bytes, with a bad checksum or with a peer-state length that overruns the
 * data is corrupt. Instances are not thread-safe (they reuse one hasher).
 */
public final class SnapshotCodec {

  /** The smallest valid file: the header plus the checksum. */
  public static final int MIN_LENGTH = 28;

  private static final int HEADER = 20;
  private static final int CHECKSUM = 8;

  private final byte[] key;
  private final HighwayHash64 hasher;

  /** A codec for group {@code groupName}, keyed with SHA-256 of its UTF-8 name. */
  public SnapshotCodec(String groupName) {
    this.key = keyFor(groupName);
    this.hasher = new HighwayHash64(key);
  }

  /** The 32-byte checksum key of {@code groupName}: SHA-256 of its UTF-8 bytes. */
  public static byte[] keyFor(String groupName) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(groupName.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  /** The checksum key this codec uses (a copy). */
  public byte[] key() {
    return key.clone();
  }

  /**
   * Encodes {@code snap} with its checksum.
   *
   * @throws IllegalArgumentException if the result would not fit in one Java array
   */
  public byte[] encode(Snapshot snap) {
    long total = (long) MIN_LENGTH + snap.peerState().length + snap.data().length;
    if (total > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("snapshot of " + total + " bytes is too large");
    }
    byte[] out = new byte[(int) total];
    ByteBuffer bb = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    bb.putLong(snap.lastTerm()).putLong(snap.lastIndex()).putInt(snap.peerState().length);
    bb.put(snap.peerState()).put(snap.data());
    bb.putLong(checksum(out, out.length - CHECKSUM));
    return out;
  }

  /**
   * Verifies and decodes a whole file.
   *
   * @throws SnapshotCorruptException if the file is short, fails its checksum, or its peer-state
   *     length overruns the data
   */
  public Snapshot decode(byte[] file) {
    if (file.length < MIN_LENGTH) {
      throw new SnapshotCorruptException("snapshot", file.length,
          "file of " + file.length + " bytes is shorter than " + MIN_LENGTH);
    }
    int hashOffset = file.length - CHECKSUM;
    ByteBuffer bb = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    if (bb.getLong(hashOffset) != checksum(file, hashOffset)) {
      throw new SnapshotCorruptException("snapshot.checksum", hashOffset,
          "HighwayHash-64 mismatch (corrupt file or another group's snapshot)");
    }
    long psLen = Integer.toUnsignedLong(bb.getInt(16));
    // A valid checksum over a lying length is still refused rather than read out of bounds.
    if (psLen > hashOffset - HEADER) {
      throw new SnapshotCorruptException("snapshot.peerStateLength", 16,
          "peer state of " + psLen + " bytes overruns the " + (hashOffset - HEADER)
              + " bytes available");
    }
    byte[] peerState = new byte[(int) psLen];
    System.arraycopy(file, HEADER, peerState, 0, peerState.length);
    byte[] data = new byte[hashOffset - HEADER - peerState.length];
    System.arraycopy(file, HEADER + peerState.length, data, 0, data.length);
    return new Snapshot(bb.getLong(0), bb.getLong(8), peerState, data);
  }

  private long checksum(byte[] bytes, int length) {
    hasher.reset(key);
    hasher.update(bytes, 0, length);
    return hasher.finish();
  }
}
