package io.jscluster.raft.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The on-disk layout of the file WAL (documented in docs/wire-formats.md, "WAL record"). All
 * integers little-endian; every checksum is CRC-32C.
 *
 * <pre>
 * segment header (32 bytes)
 *   0  magic   8  "JSCLWAL1"
 *   8  version u32 = 1
 *  12  crc     u32 over bytes 0..12 and 16..32
 *  16  base    u64 index of the segment's first record
 *  24  epoch   u64 incremented by every reset of the log
 * record (24-byte header + payload)
 *   0  length  u32 payload length
 *   4  crc     u32 over bytes 0..4, 8..24 and the payload
 *   8  index   u64
 *  16  term    u64 (positive)
 *  24  payload
 * end marker (24 bytes, only with spare segments on; overwritten by the next write)
 *   a record header with length 0, term 0, the index the next record will have and its crc;
 *   recovery ends the segment there, whatever follows (old contents of a reused file)
 * wal.meta (20 bytes, replaced atomically)
 *   0  first   u64 first index served
 *   8  epoch   u64 current epoch
 *  16  crc     u32 over bytes 0..16
 * </pre>
 */
final class WalFormat {

  static final int SEGMENT_HEADER = 32;
  static final int RECORD_HEADER = 24;
  static final int META_LENGTH = 20;
  static final int VERSION = 1;
  static final byte[] MAGIC = "JSCLWAL1".getBytes(StandardCharsets.US_ASCII);
  static final String META_FILE = "wal.meta";
  static final String SEGMENT_SUFFIX = ".seg";

  private static final Pattern SEGMENT_NAME = Pattern.compile("(\\d{20})\\.seg");

  private WalFormat() {}

  /** {@code <base, 20 digits>.seg}; bases are positive longs, so the names sort by base. */
  static String segmentName(long base) {
    return String.format("%020d%s", base, SEGMENT_SUFFIX);
  }

  /** The base encoded in a segment file name, if it is one. */
  static Optional<Long> parseSegmentName(String name) {
    Matcher m = SEGMENT_NAME.matcher(name);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      long base = Long.parseLong(m.group(1));
      return base > 0 ? Optional.of(base) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  static ByteBuffer encodeSegmentHeader(long base, long epoch, CRC32C crc) {
    ByteBuffer b = ByteBuffer.allocate(SEGMENT_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(VERSION).putInt(0).putLong(base).putLong(epoch);
    b.putInt(12, segmentHeaderCrc(b.array(), crc));
    return b.flip();
  }

  static int segmentHeaderCrc(byte[] h, CRC32C crc) {
    crc.reset();
    crc.update(h, 0, 12);
    crc.update(h, 16, SEGMENT_HEADER - 16);
    return (int) crc.getValue();
  }

  /** Fills {@code header} (24 bytes) for a record and returns the checksum written into it. */
  static void encodeRecordHeader(byte[] header, int length, long index, long term, byte[] payload,
      CRC32C crc) {
    putInt(header, 0, length);
    putLong(header, 8, index);
    putLong(header, 16, term);
    crc.reset();
    crc.update(header, 0, 4);
    crc.update(header, 8, 16);
    crc.update(payload, 0, length);
    putInt(header, 4, (int) crc.getValue());
  }

  /** Fills {@code marker} (24 bytes) with the end marker standing where record {@code next} goes. */
  static void encodeEndMarker(byte[] marker, long next, CRC32C crc) {
    putInt(marker, 0, 0);
    putLong(marker, 8, next);
    putLong(marker, 16, 0);
    crc.reset();
    crc.update(marker, 0, 4);
    crc.update(marker, 8, 16);
    putInt(marker, 4, (int) crc.getValue());
  }

  static byte[] encodeMeta(long first, long epoch, CRC32C crc) {
    byte[] m = new byte[META_LENGTH];
    putLong(m, 0, first);
    putLong(m, 8, epoch);
    crc.reset();
    crc.update(m, 0, 16);
    putInt(m, 16, (int) crc.getValue());
    return m;
  }

  /** The {@code [first, epoch]} of a meta file, or empty when it fails its checksum. */
  static Optional<long[]> decodeMeta(byte[] m, CRC32C crc) {
    if (m.length != META_LENGTH) {
      return Optional.empty();
    }
    crc.reset();
    crc.update(m, 0, 16);
    if ((int) crc.getValue() != getInt(m, 16) || getLong(m, 0) <= 0) {
      return Optional.empty();
    }
    return Optional.of(new long[] {getLong(m, 0), getLong(m, 8)});
  }

  static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
    b[off + 2] = (byte) (v >>> 16);
    b[off + 3] = (byte) (v >>> 24);
  }

  static void putLong(byte[] b, int off, long v) {
    for (int i = 0; i < 8; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
  }

  static int getInt(byte[] b, int off) {
    return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16
        | (b[off + 3] & 0xff) << 24;
  }

  static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }
}
