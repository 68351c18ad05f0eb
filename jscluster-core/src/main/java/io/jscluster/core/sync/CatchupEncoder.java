package io.jscluster.core.sync;

import io.jscluster.codec.EntryOp;
import io.jscluster.codec.msg.StreamMsg;
import io.jscluster.codec.msg.StreamMsgCodec;
import io.jscluster.core.store.StoredMessage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the leader's catch-up messages straight from stored messages: the bytes are exactly
 * {@link StreamMsgCodec#encode(StreamMsg)} of the message with an empty reply, written into one
 * array of exact size (the transport takes ownership of it) without an intermediate
 * {@link StreamMsg}. The subject's UTF-8 bytes are kept while consecutive messages share the
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
    String s = sm.subject();
    if (!s.equals(subject)) {
      subjectBytes = s.getBytes(StandardCharsets.UTF_8);
    }
    subject = s;
    byte[] sb = subjectBytes;
    byte[] hdr = sm.header();
    byte[] data = sm.data();
    if (sb.length > MAX_U16
        || hdr.length > MAX_U16
        || (long) sb.length + hdr.length + data.length > StreamMsgCodec.COMPRESS_THRESHOLD) {
      return StreamMsgCodec.encode(
          new StreamMsg(s, "", hdr, data, sm.seq(), sm.tsNanos(), false));
    }
    byte[] out = new byte[FIXED + sb.length + hdr.length + data.length];
    out[0] = EntryOp.STREAM_MSG.asByte();
    LONG_LE.set(out, 1, sm.seq());
    LONG_LE.set(out, 9, sm.tsNanos());
    int p = 17;
    putShort(out, p, sb.length);
    System.arraycopy(sb, 0, out, p + 2, sb.length);
    p += 2 + sb.length;
    // Empty reply.
    putShort(out, p, 0);
    p += 2;
    putShort(out, p, hdr.length);
    System.arraycopy(hdr, 0, out, p + 2, hdr.length);
    p += 2 + hdr.length;
    INT_LE.set(out, p, data.length);
    System.arraycopy(data, 0, out, p + 4, data.length);
    p += 4 + data.length;
    // Flags: not sourced.
    out[p] = 0;
    return out;
  }

  private static void putShort(byte[] b, int p, int v) {
    b[p] = (byte) v;
    b[p + 1] = (byte) (v >>> 8);
  }
}
