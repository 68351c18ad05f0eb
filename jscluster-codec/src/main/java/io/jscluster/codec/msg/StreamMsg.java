package io.jscluster.codec.msg;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One replicated stream message, as carried by a stream-message entry.
 *
 * <p>{@code hdr} and {@code msg} may be null; null and empty encode identically and the decoder
 * returns null for a zero length, as nats-server does. The record keeps the arrays as given
 * (no defensive copies, for speed): callers must not modify them afterwards.
 *
 * @param subject subject (clipped to 65,535 UTF-8 bytes on encode); empty for a skip record
 * @param reply reply subject, possibly empty (clipped to 65,535 bytes)
 * @param hdr NATS header block or null (clipped to 65,535 bytes)
 * @param msg payload or null
 * @param lseq in Raft entries the clustered sequence before this message; in catch-up the
 *     message's own stream sequence (unsigned)
 * @param ts Unix nanoseconds; 0 marks a skip record
 * @param sourced whether the message came from a source or mirror (flags bit 0)
 */
public record StreamMsg(
    String subject, String reply, byte[] hdr, byte[] msg, long lseq, long ts, boolean sourced) {

  /** Creates a message; subject and reply must not be null (use ""). */
  public StreamMsg {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(reply, "reply");
  }

  /** Header length in bytes (0 when null). */
  public int hdrLength() {
    return hdr == null ? 0 : hdr.length;
  }

  /** Payload length in bytes (0 when null). */
  public int msgLength() {
    return msg == null ? 0 : msg.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StreamMsg m
        && lseq == m.lseq
        && ts == m.ts
        && sourced == m.sourced
        && subject.equals(m.subject)
        && reply.equals(m.reply)
        && Arrays.equals(hdr, m.hdr)
        && Arrays.equals(msg, m.msg);
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(subject, reply, lseq, ts, sourced);
    return 31 * (31 * h + Arrays.hashCode(hdr)) + Arrays.hashCode(msg);
  }

  @Override
  public String toString() {
    return "StreamMsg[subject="
        + subject
        + ", reply="
        + reply
        + ", hdr="
        + (hdr == null ? "null" : hdr.length <= 64 ? HexFormat.of().formatHex(hdr) : hdr.length + "B")
        + ", msg="
        + (msg == null ? "null" : msg.length <= 64 ? HexFormat.of().formatHex(msg) : msg.length + "B")
        + ", lseq="
        + Long.toUnsignedString(lseq)
        + ", ts="
        + ts
        + ", sourced="
        + sourced
        + "]";
  }
}
