package io.jscluster.codec.msg;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.EntryOp;
import io.jscluster.codec.s2.S2Block;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Codec of atomic-batch entries, ops 16 (message) and 17 (commit):
 * {@code [op][idLen u16 LE][id][batchSeq uvarint][inner op 4 | 14][stream message body or its S2
 * block]}.
 *
 * <p>Compression applies to the body after the inner op only, under the stream-message rule, but
 * with nats-server's quirk that the compressed body is compared with the length of the whole
 * plain entry, batch prefix included: an incompressible body can still be sent compressed.
 * Thread-safe.
 */
public final class BatchMsgCodec {

  private BatchMsgCodec() {}

  /**
   * The batch prefix of an entry, as nats-server's {@code decodeBatchMsg} returns it.
   *
   * @param commit whether the outer op is 17
   * @param batchId the batch id
   * @param batchSeq position in the batch (unsigned)
   * @param innerOp the op byte before the body (4 or 14 in valid entries; not checked here)
   * @param bodyOffset where the body starts in the decoded array
   * @param bodyLength the body length
   */
  public record Frame(
      boolean commit, String batchId, long batchSeq, int innerOp, int bodyOffset, int bodyLength) {}

  /**
   * A batch message whose stream message is a view.
   *
   * @param batchId the batch id
   * @param batchSeq position in the batch
   * @param commit whether the outer op is 17
   * @param innerOp 4 or 14
   * @param msg the message view
   */
  public record View(
      String batchId, long batchSeq, boolean commit, int innerOp, StreamMsgView msg) {

    /** A self-contained copy. */
    public BatchMsg toBatchMsg() {
      return new BatchMsg(batchId, batchSeq, commit, msg.toStreamMsg());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Encoding

  /**
   * Encodes the entry as nats-server does; with an empty batch id this is a plain stream message
   * entry.
   */
  public static byte[] encode(BatchMsg b) {
    if (b.batchId().isEmpty()) {
      return StreamMsgCodec.encode(b.msg());
    }
    return EntryWriter.get().message(b.msg()).batch(b.commit(), b.batchId(), b.batchSeq()).toArray();
  }

  /** Encodes without compression (the form nats-server compresses from). */
  public static byte[] encodeUncompressed(BatchMsg b) {
    if (b.batchId().isEmpty()) {
      return StreamMsgCodec.encodeUncompressed(b.msg());
    }
    return EntryWriter.get()
        .message(b.msg())
        .batch(b.commit(), b.batchId(), b.batchSeq())
        .toPlainArray();
  }

  /**
   * Appends the entry to {@code out} under the same rules as {@link #encode(BatchMsg)}. Only the
   * writer index moves; the caller keeps ownership of {@code out}.
   */
  public static void encode(BatchMsg b, ByteBuf out) {
    if (b.batchId().isEmpty()) {
      StreamMsgCodec.encode(b.msg(), out);
      return;
    }
    EntryWriter.get().message(b.msg()).batch(b.commit(), b.batchId(), b.batchSeq()).writeTo(out);
  }

  // ---------------------------------------------------------------------------------------------
  // Decoding

  /**
   * Reads the batch prefix of a whole entry (outer op 16 or 17 included), like
   * {@code decodeBatchMsg}: the body is not examined.
   *
   * @throws CodecException on another outer op, fewer than 2 bytes after it, an id past the end,
   *     a bad uvarint, or a missing inner op byte
   */
  public static Frame decodeFrame(byte[] entry, int off, int len) {
    if (len < 1) {
      throw new CodecException("batchMsg.op", 0, "empty entry");
    }
    int op = entry[off] & 0xff;
    boolean commit;
    if (op == EntryOp.BATCH_MSG.code()) {
      commit = false;
    } else if (op == EntryOp.BATCH_COMMIT_MSG.code()) {
      commit = true;
    } else {
      throw new CodecException("batchMsg.op", 0, "not a batch op: " + op);
    }
    int end = off + len;
    int p = off + 1;
    if (end - p < 2) {
      throw new CodecException("batchMsg.idLength", p - off, "truncated");
    }
    int bl = Le.getShort(entry, p) & 0xffff;
    p += 2;
    if (bl > end - p) {
      throw new CodecException("batchMsg.id", p - off, "length " + bl + " past end");
    }
    String id = new String(entry, p, bl, StandardCharsets.UTF_8);
    p += bl;
    long seq = 0;
    int shift = 0;
    int seqAt = p;
    for (int i = 0; ; i++) {
      if (i == 10 || p >= end) {
        throw new CodecException("batchMsg.batchSeq", seqAt - off, "truncated or overlong uvarint");
      }
      int x = entry[p++] & 0xff;
      if (x < 0x80) {
        if (i == 9 && x > 1) {
          throw new CodecException("batchMsg.batchSeq", seqAt - off, "uvarint overflows 64 bits");
        }
        seq |= (long) x << shift;
        break;
      }
      seq |= (long) (x & 0x7f) << shift;
      shift += 7;
    }
    if (end - p < 1) {
      throw new CodecException("batchMsg.innerOp", p - off, "missing inner op");
    }
    int inner = entry[p++] & 0xff;
    return new Frame(commit, id, seq, inner, p, end - p);
  }

  /** As {@link #decode(byte[], int, int)} over the whole array. */
  public static BatchMsg decode(byte[] entry) {
    return decode(entry, 0, entry.length);
  }

  /**
   * Decodes a whole batch entry into a self-contained message.
   *
   * @throws CodecException on a bad prefix, an inner op other than 4 or 14, a corrupt S2 block
   *     or a malformed body
   */
  public static BatchMsg decode(byte[] entry, int off, int len) {
    return decodeView(entry, off, len, StreamMsgCodec.DEFAULT_MAX_BODY).toBatchMsg();
  }

  /** Decodes the readable bytes of {@code entry} without moving its reader index. */
  public static BatchMsg decode(ByteBuf entry) {
    int len = entry.readableBytes();
    if (entry.hasArray()) {
      return decode(entry.array(), entry.arrayOffset() + entry.readerIndex(), len);
    }
    byte[] copy = new byte[len];
    entry.getBytes(entry.readerIndex(), copy);
    return decode(copy, 0, len);
  }

  /**
   * Decodes a whole batch entry into a view sharing {@code entry} (or the decompressed body).
   *
   * @param maxBody the largest decompressed body accepted when the inner op is 14
   */
  public static View decodeView(byte[] entry, int off, int len, int maxBody) {
    Frame f = decodeFrame(entry, off, len);
    StreamMsgView msg;
    if (f.innerOp() == EntryOp.STREAM_MSG.code()) {
      msg = StreamMsgCodec.decodeBodyView(entry, f.bodyOffset(), f.bodyLength(), off);
    } else if (f.innerOp() == EntryOp.COMPRESSED_STREAM_MSG.code()) {
      byte[] body = S2Block.decode(entry, f.bodyOffset(), f.bodyLength(), maxBody);
      msg = StreamMsgCodec.decodeBodyView(body, 0, body.length, -1);
    } else {
      throw new CodecException(
          "batchMsg.innerOp", f.bodyOffset() - 1 - off, "not a stream message op: " + f.innerOp());
    }
    return new View(f.batchId(), f.batchSeq(), f.commit(), f.innerOp(), msg);
  }
}
