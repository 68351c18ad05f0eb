package io.jscluster.codec.ops;

import io.jscluster.codec.meta.ClientInfo;

/**
 * A replicated stream purge (Go {@code streamPurge}, op 5). The client is carried in full: unlike
 * assignments, its JWT and issuer key are not stripped.
 *
 * @param client requesting client, or null
 * @param stream stream name
 * @param lastSeq the stream's last sequence when proposed (uint64 bits)
 * @param subject API subject of the request
 * @param reply reply subject of the request
 * @param request the purge request, or null
 */
public record StreamPurge(
    ClientInfo client, String stream, long lastSeq, String subject, String reply, PurgeRequest request) {

  /** Normalises null strings to "". */
  public StreamPurge {
    stream = stream == null ? "" : stream;
    subject = subject == null ? "" : subject;
    reply = reply == null ? "" : reply;
  }
}
