package io.jscluster.codec.meta;

import java.time.OffsetDateTime;

/**
 * The meta layer's assignment of a stream to a Raft group (Go {@code streamAssignment}; ops 0, 2
 * and 11). Members: {@code client} (omitempty), {@code created}, {@code stream} (the config,
 * {@code null} when absent), {@code group} (null when absent), {@code sync} (always),
 * {@code subject}, {@code reply}, {@code restore_state} (omitempty).
 *
 * @param client requesting client, or null
 * @param created creation time
 * @param config stream config, or null
 * @param group the Raft group, or null
 * @param sync catch-up subject
 * @param subject API subject
 * @param reply API reply subject
 * @param restore state to restore, or null
 */
public record StreamAssignment(
    ClientInfo client,
    OffsetDateTime created,
    StreamConfig config,
    RaftGroup group,
    String sync,
    String subject,
    String reply,
    StreamState restore) {

  /** Normalises nulls. */
  public StreamAssignment {
    created = created == null ? io.jscluster.codec.json.GoTime.ZERO : created;
    sync = Values.str(sync);
    subject = Values.str(subject);
    reply = Values.str(reply);
  }
}
