package io.jscluster.codec.ops;

import io.jscluster.codec.meta.ClientInfo;

/**
 * A replicated message delete (Go {@code streamMsgDelete}, op 6).
 *
 * @param client requesting client, or null
 * @param stream stream name
 * @param seq sequence to delete (uint64 bits)
 * @param noErase true for a plain remove, false to overwrite the message
 * @param subject API subject of the request
 * @param reply reply subject of the request
 */
public record MsgDelete(
    ClientInfo client, String stream, long seq, boolean noErase, String subject, String reply) {

  /** Normalises null strings to "". */
  public MsgDelete {
    stream = stream == null ? "" : stream;
    subject = subject == null ? "" : subject;
    reply = reply == null ? "" : reply;
  }
}
