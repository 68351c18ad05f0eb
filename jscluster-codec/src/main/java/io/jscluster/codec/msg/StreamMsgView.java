package io.jscluster.codec.msg;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A decoded stream message that still points into the bytes it was decoded from: no field is
 * copied until asked for. The view is valid only while the caller leaves that array unchanged.
 *
 * @param buf the array holding the message body (the caller's input, or a fresh array holding
 *     the decompressed body of an op 14 entry)
 * @param subjectOff offset of the subject bytes in {@code buf}
 * @param subjectLen subject length
 * @param replyOff offset of the reply bytes
 * @param replyLen reply length
 * @param hdrOff offset of the header bytes
 * @param hdrLen header length (0 means no header)
 * @param msgOff offset of the payload
 * @param msgLen payload length (0 means no payload)
 * @param lseq see {@link StreamMsg#lseq()}
 * @param ts see {@link StreamMsg#ts()}
 * @param sourced see {@link StreamMsg#sourced()}
 */
public record StreamMsgView(
    byte[] buf,
    int subjectOff,
    int subjectLen,
    int replyOff,
    int replyLen,
    int hdrOff,
    int hdrLen,
    int msgOff,
    int msgLen,
    long lseq,
    long ts,
    boolean sourced) {

  /** The subject decoded as UTF-8. */
  public String subject() {
    return new String(buf, subjectOff, subjectLen, StandardCharsets.UTF_8);
  }

  /** The reply decoded as UTF-8. */
  public String reply() {
    return new String(buf, replyOff, replyLen, StandardCharsets.UTF_8);
  }

  /** A copy of the header, or null when it is empty. */
  public byte[] hdr() {
    return hdrLen == 0 ? null : Arrays.copyOfRange(buf, hdrOff, hdrOff + hdrLen);
  }

  /** A copy of the payload, or null when it is empty. */
  public byte[] msg() {
    return msgLen == 0 ? null : Arrays.copyOfRange(buf, msgOff, msgOff + msgLen);
  }

  /** The header as a read-only buffer over the shared bytes (no copy). */
  public ByteBuffer hdrBuffer() {
    return ByteBuffer.wrap(buf, hdrOff, hdrLen).slice().asReadOnlyBuffer();
  }

  /** The payload as a read-only buffer over the shared bytes (no copy). */
  public ByteBuffer msgBuffer() {
    return ByteBuffer.wrap(buf, msgOff, msgLen).slice().asReadOnlyBuffer();
  }

  /** A self-contained copy of the message. */
  public StreamMsg toStreamMsg() {
    return new StreamMsg(subject(), reply(), hdr(), msg(), lseq, ts, sourced);
  }
}
