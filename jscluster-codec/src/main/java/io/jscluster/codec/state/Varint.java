package io.jscluster.codec.state;

import io.jscluster.codec.CodecException;
import java.nio.charset.StandardCharsets;

/** Go-compatible uvarint (unsigned LEB128, at most 10 bytes) helpers for the state codecs. */
final class Varint {

  private Varint() {}

  /** Bytes {@code putUvarint} writes for {@code v}. */
  static int uvarintLength(long v) {
    return (64 - Long.numberOfLeadingZeros(v | 1) + 6) / 7;
  }

  static int putUvarint(byte[] dst, int p, long v) {
    while ((v & ~0x7fL) != 0) {
      dst[p++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    dst[p++] = (byte) v;
    return p;
  }

  /** A bounded cursor that turns every shortfall into a {@link CodecException}. */
  static final class Reader {
    final byte[] buf;
    final int start;
    final int end;
    final String family;
    int pos;

    Reader(byte[] buf, int start, int end, String family) {
      this.buf = buf;
      this.start = start;
      this.end = end;
      this.family = family;
      this.pos = start;
    }

    /** Reads a uvarint; truncated or longer than Go's 10-byte / 64-bit limit is an error. */
    long uvarint(String field) {
      long v = 0;
      int shift = 0;
      int at = pos;
      for (int i = 0; i < 10; i++) {
        if (pos >= end) {
          throw new CodecException(family + "." + field, at - start, "truncated uvarint");
        }
        int b = buf[pos++] & 0xff;
        if (b < 0x80) {
          if (i == 9 && b > 1) {
            throw new CodecException(family + "." + field, at - start, "uvarint overflows 64 bits");
          }
          return v | (long) b << shift;
        }
        v |= (long) (b & 0x7f) << shift;
        shift += 7;
      }
      throw new CodecException(family + "." + field, at - start, "uvarint longer than 10 bytes");
    }

    /** Reads a uvarint length then that many bytes as a UTF-8 string. */
    String string(String field) {
      int at = pos;
      long n = uvarint(field + ".length");
      if (Long.compareUnsigned(n, end - pos) > 0) {
        throw new CodecException(
            family + "." + field, at - start, "length " + Long.toUnsignedString(n) + " exceeds remaining " + (end - pos));
      }
      String s = new String(buf, pos, (int) n, StandardCharsets.UTF_8);
      pos += (int) n;
      return s;
    }
  }
}
