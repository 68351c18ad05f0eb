package io.jscluster.codec.msg;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.EntryOp;
import io.jscluster.codec.s2.S2Block;
import io.netty.buffer.ByteBuf;

/**
 * Codec of stream-message entries: op 4 (plain) and op 14 (body as an S2 block).
 *
 * <p>Body layout after the op byte, little-endian: {@code lseq u64, ts u64, subjectLen u16,
 * subject, replyLen u16, reply, hdrLen u16, hdr, msgLen u32, msg, flags uvarint} (flags bit 0 =
 * sourced). Encoders clip subject, reply and header to 65,535 bytes and compress with S2 when the
 * four lengths together exceed {@link #COMPRESS_THRESHOLD} and the compressed entry comes out
 * strictly shorter. All methods are thread-safe.
 */
public final class StreamMsgCodec {

  /** Compression is tried when subject+reply+hdr+msg lengths exceed this (strictly). */
  public static final int COMPRESS_THRESHOLD = 8192;
  /** The shortest body: every fixed field with empty strings. */
  public static final int MIN_BODY_LENGTH = 26;
  /**
   * Default cap on a decompressed body: the 64 MiB payload limit of NATS plus room for three
   * 64 KiB strings and the fixed fields.
   */
  public static final int DEFAULT_MAX_BODY = (64 << 20) + (1 << 18);

  private StreamMsgCodec() {}

  // ---------------------------------------------------------------------------------------------
  // Encoding

  /**
   * Encodes the entry as nats-server does: op 4, or op 14 with an S2 body when compression
   * applies and pays.
   */
  public static byte[] encode(StreamMsg m) {
    return EntryWriter.get().message(m).toArray();
  }

  /** Encodes the entry as op 4, never compressing (the form nats-server compresses from). */
  public static byte[] encodeUncompressed(StreamMsg m) {
    return EntryWriter.get().message(m).toPlainArray();
  }

  /**
   * Appends the entry, compressed under the same rule as {@link #encode(StreamMsg)}, to
   * {@code out}. Only the writer index of {@code out} moves; the caller keeps ownership.
   */
  public static void encode(StreamMsg m, ByteBuf out) {
    EntryWriter.get().message(m).writeTo(out);
  }

  /** Whether nats-server would try to compress {@code m}: clipped lengths sum above 8 KiB. */
  public static boolean compressionCandidate(StreamMsg m) {
    EntryWriter w = EntryWriter.get().message(m);
    try {
      return w.compressCandidate();
    } finally {
      w.release();
    }
  }

  /** The length of the uncompressed entry (op byte included). */
  public static int uncompressedLength(StreamMsg m) {
    EntryWriter w = EntryWriter.get().message(m);
    try {
      return w.prefixLength() + w.bodyLength();
    } finally {
      w.release();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Decoding

  /** As {@link #decode(byte[], int, int)} over the whole array. */
  public static StreamMsg decode(byte[] entry) {
    return decode(entry, 0, entry.length);
  }

  /**
   * Decodes a whole entry (op 4 or 14) into a self-contained message.
   *
   * @throws CodecException on another op, a corrupt S2 block, a body above
   *     {@link #DEFAULT_MAX_BODY} or a malformed body
   */
  public static StreamMsg decode(byte[] entry, int off, int len) {
    return decodeView(entry, off, len).toStreamMsg();
  }

  /** Decodes the readable bytes of {@code entry} without moving its reader index. */
  public static StreamMsg decode(ByteBuf entry) {
    return decodeView(entry).toStreamMsg();
  }

  /** As {@link #decodeView(byte[], int, int, int)} with {@link #DEFAULT_MAX_BODY}. */
  public static StreamMsgView decodeView(byte[] entry, int off, int len) {
    return decodeView(entry, off, len, DEFAULT_MAX_BODY);
  }

  /**
   * Decodes a whole entry (op 4 or 14) into a view. For op 4 the view shares {@code entry}; for
   * op 14 it shares the freshly decompressed body.
   *
   * @param maxBody the largest decompressed body accepted for op 14
   * @throws CodecException on another op, a corrupt S2 block, an oversized or malformed body
   */
  public static StreamMsgView decodeView(byte[] entry, int off, int len, int maxBody) {
    if (len < 1) {
      throw new CodecException("streamMsg.op", 0, "empty entry");
    }
    int op = entry[off] & 0xff;
    if (op == EntryOp.STREAM_MSG.code()) {
      return decodeBodyView(entry, off + 1, len - 1, off);
    }
    if (op == EntryOp.COMPRESSED_STREAM_MSG.code()) {
      byte[] body = S2Block.decode(entry, off + 1, len - 1, maxBody);
      return decodeBodyView(body, 0, body.length, -1);
    }
    throw new CodecException("streamMsg.op", 0, "not a stream message op: " + op);
  }

  /**
   * Decodes the readable bytes of {@code entry} (op 4 or 14) without moving its reader index.
   * A heap buffer is read in place (the view shares its backing array); any other buffer is
   * copied once.
   */
  public static StreamMsgView decodeView(ByteBuf entry) {
    int len = entry.readableBytes();
    if (entry.hasArray()) {
      return decodeView(entry.array(), entry.arrayOffset() + entry.readerIndex(), len);
    }
    byte[] copy = new byte[len];
    entry.getBytes(entry.readerIndex(), copy);
    return decodeView(copy, 0, len);
  }

  /** Decodes an op 4 body (the bytes after the op byte) into a self-contained message. */
  public static StreamMsg decodeBody(byte[] body, int off, int len) {
    return decodeBodyView(body, off, len, off).toStreamMsg();
  }

  /**
   * Decodes an op 4 body into a view over {@code body}.
   *
   * @param base the array index reported as offset 0 in errors, or -1 for a decompressed body
   *     (offsets are then relative to the body)
   */
  static StreamMsgView decodeBodyView(byte[] b, int off, int len, int base) {
    int origin = base < 0 ? off : base;
    String field = base < 0 ? "streamMsg(decompressed)." : "streamMsg.";
    if (len < MIN_BODY_LENGTH) {
      throw new CodecException(
          field + "body", off - origin, "body of " + len + " bytes, need " + MIN_BODY_LENGTH);
    }
    int end = off + len;
    int p = off;
    long lseq = Le.getLong(b, p);
    long ts = Le.getLong(b, p + 8);
    p += 16;
    int sl = Le.getShort(b, p) & 0xffff;
    p += 2;
    if (sl > end - p) {
      throw new CodecException(field + "subject", p - origin, "length " + sl + " past end");
    }
    int so = p;
    p += sl;
    if (end - p < 2) {
      throw new CodecException(field + "reply.length", p - origin, "truncated");
    }
    int rl = Le.getShort(b, p) & 0xffff;
    p += 2;
    if (rl > end - p) {
      throw new CodecException(field + "reply", p - origin, "length " + rl + " past end");
    }
    int ro = p;
    p += rl;
    if (end - p < 2) {
      throw new CodecException(field + "hdr.length", p - origin, "truncated");
    }
    int hl = Le.getShort(b, p) & 0xffff;
    p += 2;
    if (hl > end - p) {
      throw new CodecException(field + "hdr", p - origin, "length " + hl + " past end");
    }
    int ho = p;
    p += hl;
    if (end - p < 4) {
      throw new CodecException(field + "msg.length", p - origin, "truncated");
    }
    long ml = Le.getInt(b, p) & 0xffff_ffffL;
    p += 4;
    if (ml > end - p) {
      throw new CodecException(field + "msg", p - origin, "length " + ml + " past end");
    }
    int mo = p;
    p += (int) ml;
    boolean sourced = p < end && (lenientUvarint(b, p, end) & 1) != 0;
    return new StreamMsgView(b, so, sl, ro, rl, ho, hl, mo, (int) ml, lseq, ts, sourced);
  }

  /** Go's {@code Uvarint} where a malformed value counts as 0, as the flags reader treats it. */
  static long lenientUvarint(byte[] b, int p, int end) {
    long v = 0;
    int shift = 0;
    for (int i = 0; i < 10 && p < end; i++, p++) {
      int x = b[p] & 0xff;
      if (x < 0x80) {
        if (i == 9 && x > 1) {
          return 0;
        }
        return v | (long) x << shift;
      }
      v |= (long) (x & 0x7f) << shift;
      shift += 7;
    }
    return 0;
  }
}
