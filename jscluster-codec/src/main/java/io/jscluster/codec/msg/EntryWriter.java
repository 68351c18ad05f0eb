package io.jscluster.codec.msg;

import io.jscluster.codec.EntryOp;
import io.jscluster.codec.s2.S2Block;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds stream-message entries, with or without a batch prefix, applying nats-server's clipping
 * and compression rules. One instance per thread (see {@link #get()}); it keeps the scratch
 * buffers so that encoding allocates only the returned array, or nothing when writing into a
 * heap {@link ByteBuf} below the compression threshold.
 */
final class EntryWriter {

  static final int MAX_U16 = 0xffff;
  /** Scratch buffers above this size are dropped after use instead of kept. */
  private static final int MAX_RETAINED = 1 << 20;

  private static final ThreadLocal<EntryWriter> WRITERS = ThreadLocal.withInitial(EntryWriter::new);

  static EntryWriter get() {
    return WRITERS.get();
  }

  // The message being written, after clipping. Byte arrays are null for pure-ASCII strings,
  // which are written straight from the String.
  private String subject;
  private byte[] subjectBytes;
  private int slen;
  private String reply;
  private byte[] replyBytes;
  private int rlen;
  private byte[] hdr;
  private int hlen;
  private byte[] msg;
  private int mlen;
  private long lseq;
  private long ts;
  private boolean sourced;

  // Batch prefix; batchOp < 0 means a plain entry.
  private int batchOp = -1;
  private byte[] batchId;
  private int blen;
  private long batchSeq;

  private byte[] plainScratch = new byte[0];
  private byte[] packedScratch = new byte[0];

  private EntryWriter() {}

  EntryWriter message(StreamMsg m) {
    subject = m.subject();
    subjectBytes = nonAscii(subject);
    slen = clip(subjectBytes == null ? subject.length() : subjectBytes.length, MAX_U16);
    reply = m.reply();
    replyBytes = nonAscii(reply);
    rlen = clip(replyBytes == null ? reply.length() : replyBytes.length, MAX_U16);
    hdr = m.hdr();
    hlen = clip(m.hdrLength(), MAX_U16);
    msg = m.msg();
    mlen = m.msgLength();
    lseq = m.lseq();
    ts = m.ts();
    sourced = m.sourced();
    batchOp = -1;
    return this;
  }

  EntryWriter batch(boolean commit, String id, long seq) {
    batchOp = (commit ? EntryOp.BATCH_COMMIT_MSG : EntryOp.BATCH_MSG).code();
    batchId = id.getBytes(StandardCharsets.UTF_8);
    blen = clip(batchId.length, MAX_U16);
    batchSeq = seq;
    return this;
  }

  /** Drops references to the caller's data so the thread-local does not pin it. */
  void release() {
    subject = null;
    subjectBytes = null;
    reply = null;
    replyBytes = null;
    hdr = null;
    msg = null;
    batchId = null;
  }

  private static int clip(int n, int max) {
    return Math.min(n, max);
  }

  /** Null when every char is ASCII (1 byte each), otherwise the UTF-8 bytes. */
  private static byte[] nonAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return s.getBytes(StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** Whether nats-server would try S2 on this message: clipped field lengths above 8 KiB. */
  boolean compressCandidate() {
    return (long) slen + rlen + hlen + mlen > StreamMsgCodec.COMPRESS_THRESHOLD;
  }

  int prefixLength() {
    return batchOp < 0 ? 1 : 1 + 2 + blen + uvarintLength(batchSeq) + 1;
  }

  int bodyLength() {
    long n = 8L + 8 + 2 + slen + 2 + rlen + 2 + hlen + 4 + mlen + 1;
    if (n > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("stream message too large to encode: " + n);
    }
    return (int) n;
  }

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

  /** Writes the uncompressed entry (prefix, inner op 4, body) at {@code p}; returns the end. */
  int writePlain(byte[] dst, int p) {
    if (batchOp >= 0) {
      dst[p++] = (byte) batchOp;
      Le.putShort(dst, p, blen);
      p += 2;
      System.arraycopy(batchId, 0, dst, p, blen);
      p += blen;
      p = putUvarint(dst, p, batchSeq);
    }
    dst[p++] = EntryOp.STREAM_MSG.asByte();
    Le.putLong(dst, p, lseq);
    Le.putLong(dst, p + 8, ts);
    p += 16;
    Le.putShort(dst, p, slen);
    p = writeString(dst, p + 2, subject, subjectBytes, slen);
    Le.putShort(dst, p, rlen);
    p = writeString(dst, p + 2, reply, replyBytes, rlen);
    Le.putShort(dst, p, hlen);
    p += 2;
    if (hlen > 0) {
      System.arraycopy(hdr, 0, dst, p, hlen);
      p += hlen;
    }
    Le.putInt(dst, p, mlen);
    p += 4;
    if (mlen > 0) {
      System.arraycopy(msg, 0, dst, p, mlen);
      p += mlen;
    }
    dst[p++] = (byte) (sourced ? 1 : 0);
    return p;
  }

  private static int writeString(byte[] dst, int p, String s, byte[] utf8, int len) {
    if (utf8 != null) {
      System.arraycopy(utf8, 0, dst, p, len);
    } else {
      for (int i = 0; i < len; i++) {
        dst[p + i] = (byte) s.charAt(i);
      }
    }
    return p + len;
  }

  /** The entry without compression, in a new array of exact size. */
  byte[] toPlainArray() {
    try {
      byte[] out = new byte[prefixLength() + bodyLength()];
      writePlain(out, 0);
      return out;
    } finally {
      release();
    }
  }

  /**
   * The entry as nats-server emits it: plain, or with the inner op 14 and the body as an S2
   * block when the message is a compression candidate and the block is shorter than the whole
   * plain entry.
   */
  byte[] toArray() {
    if (!compressCandidate()) {
      return toPlainArray();
    }
    try {
      int n = compressIntoScratch();
      return Arrays.copyOf(n < 0 ? plainScratch : packedScratch, Math.abs(n));
    } finally {
      trimScratch();
      release();
    }
  }

  /** Appends the entry to {@code out}, compressing under the same rule as {@link #toArray()}. */
  void writeTo(ByteBuf out) {
    try {
      if (!compressCandidate()) {
        int len = prefixLength() + bodyLength();
        out.ensureWritable(len);
        int w = out.writerIndex();
        if (out.hasArray()) {
          writePlain(out.array(), out.arrayOffset() + w);
        } else {
          byte[] tmp = scratchPlain(len);
          writePlain(tmp, 0);
          out.setBytes(w, tmp, 0, len);
        }
        out.writerIndex(w + len);
        return;
      }
      int n = compressIntoScratch();
      out.writeBytes(n < 0 ? plainScratch : packedScratch, 0, Math.abs(n));
    } finally {
      trimScratch();
      release();
    }
  }

  /**
   * Writes the plain entry into the plain scratch and tries S2 into the packed scratch.
   *
   * @return the packed length when compression is kept, else minus the plain length
   */
  private int compressIntoScratch() {
    int prefix = prefixLength();
    int body = bodyLength();
    int plainLen = prefix + body;
    byte[] plain = scratchPlain(plainLen);
    writePlain(plain, 0);
    int bound = prefix + S2Block.maxEncodedLength(body);
    if (packedScratch.length < bound) {
      packedScratch = new byte[bound];
    }
    int c = S2Block.encode(plain, prefix, body, packedScratch, prefix);
    if (c < plainLen) {
      System.arraycopy(plain, 0, packedScratch, 0, prefix);
      packedScratch[prefix - 1] = EntryOp.COMPRESSED_STREAM_MSG.asByte();
      return prefix + c;
    }
    return -plainLen;
  }

  private byte[] scratchPlain(int len) {
    if (plainScratch.length < len) {
      plainScratch = new byte[len];
    }
    return plainScratch;
  }

  private void trimScratch() {
    if (plainScratch.length > MAX_RETAINED) {
      plainScratch = new byte[0];
    }
    if (packedScratch.length > MAX_RETAINED) {
      packedScratch = new byte[0];
    }
  }
}
