package io.jscluster.core.sync;

import io.jscluster.codec.EntryOp;
import io.jscluster.codec.msg.StreamMsg;
import io.jscluster.codec.msg.StreamMsgCodec;
import io.jscluster.core.store.MessageView;
import io.jscluster.core.store.StoredMessage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the leader's catch-up messages straight from stored messages: the bytes are exactly
 * {@link StreamMsgCodec#encode(StreamMsg)} of the message with an empty reply, written into one
 * array of exact size (the transport takes ownership of it) without an intermediate
 * {@link StreamMsg}. From a {@link MessageView} the header and payload are copied once, from the
 * store's memory into that array. The subject's UTF-8 bytes are kept while consecutive messages share the
 * subject. Messages the codec would clip or try to compress (fields above 64 KiB, or more than
 * {@link StreamMsgCodec#COMPRESS_THRESHOLD} bytes together) go through the codec itself.
 *
 * <p>Not thread-safe: one per catch-up run.
 */
final class CatchupEncoder {

  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int MAX_U16 = 0xffff;
  /** Op, lseq, ts, three u16 lengths, the u32 message length and the flags byte. */
  private static final int FIXED = 1 + 8 + 8 + 2 + 2 + 2 + 4 + 1;

  private String subject;
  private byte[] subjectBytes;

  /** The catch-up message for {@code sm}: op 4 (or op 14 when the codec compresses it). */
  byte[] encode(StoredMessage sm) {
    byte[] sb = subjectBytes(sm.subject());
    byte[] hdr = sm.header();
    byte[] data = sm.data();
    if (viaCodec(sb.length, hdr.length, data.length)) {
      return StreamMsgCodec.encode(
          new StreamMsg(sm.subject(), "", hdr, data, sm.seq(), sm.tsNanos(), false));
    }
    byte[] out = new byte[FIXED + sb.length + hdr.length + data.length];
    int p = putFixed(out, sm.seq(), sm.tsNanos(), sb, hdr.length);
    System.arraycopy(hdr, 0, out, p, hdr.length);
    p = putDataLength(out, p + hdr.length, data.length);
    System.arraycopy(data, 0, out, p, data.length);
    // Flags: not sourced.
    out[p + data.length] = 0;
    return out;
  }

  /**
   * The catch-up message for the message {@code v} points at (same bytes as for its
   * {@link MessageView#toStoredMessage() copy}); the view is only read during the call.
   */
  byte[] encode(MessageView v) {
    byte[] sb = subjectBytes(v.subject());
    int hl = v.headerLength();
    int dl = v.dataLength();
    if (viaCodec(sb.length, hl, dl)) {
      return encode(v.toStoredMessage());
    }
    byte[] out = new byte[FIXED + sb.length + hl + dl];
    int p = putFixed(out, v.seq(), v.tsNanos(), sb, hl);
    v.copyHeader(out, p);
    p = putDataLength(out, p + hl, dl);
    v.copyData(out, p);
    out[p + dl] = 0;
    return out;
  }

  /** The subject's UTF-8 bytes, kept while consecutive messages share the subject. */
  private byte[] subjectBytes(String s) {
    if (s != subject && !s.equals(subject)) {
      subjectBytes = s.getBytes(StandardCharsets.UTF_8);
    }
    subject = s;
    return subjectBytes;
  }

  /** Whether the codec must encode it: it would clip a field or try compression. */
  private static boolean viaCodec(int subjectLen, int headerLen, int dataLen) {
    return subjectLen > MAX_U16
        || headerLen > MAX_U16
        || (long) subjectLen + headerLen + dataLen > StreamMsgCodec.COMPRESS_THRESHOLD;
  }

  /** Writes op, sequence, timestamp, subject, the empty reply and the header length. */
  private static int putFixed(byte[] out, long seq, long ts, byte[] sb, int headerLen) {
    out[0] = EntryOp.STREAM_MSG.asByte();
    LONG_LE.set(out, 1, seq);
    LONG_LE.set(out, 9, ts);
    int p = 17;
    putShort(out, p, sb.length);
    System.arraycopy(sb, 0, out, p + 2, sb.length);
    p += 2 + sb.length;
    // Empty reply.
    putShort(out, p, 0);
    p += 2;
    putShort(out, p, headerLen);
    return p + 2;
  }

  /** Writes the u32 payload length at {@code p}; returns where the payload goes. */
  private static int putDataLength(byte[] out, int p, int dataLen) {
    INT_LE.set(out, p, dataLen);
    return p + 4;
  }

  private static void putShort(byte[] b, int p, int v) {
    b[p] = (byte) v;
    b[p + 1] = (byte) (v >>> 8);
  }
}
