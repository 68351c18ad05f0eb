package io.jscluster.codec.meta;

import java.time.OffsetDateTime;

/**
 * The meta layer's assignment of a consumer (Go {@code consumerAssignment}; ops 1, 3 and 9).
 * Members: {@code client} (omitempty), {@code created}, {@code name}, {@code stream},
 * {@code consumer} (the config), {@code group}, {@code subject}, {@code reply}, {@code state}
 * (omitempty).
 *
 * @param client requesting client, or null
 * @param created creation time
 * @param name consumer name
 * @param stream stream name
 * @param config consumer config, or null
 * @param group the Raft group, or null
 * @param subject API subject
 * @param reply API reply subject
 * @param state consumer state, or null
 */
public record ConsumerAssignment(
    ClientInfo client,
    OffsetDateTime created,
    String name,
    String stream,
    ConsumerConfig config,
    RaftGroup group,
    String subject,
    String reply,
    ConsumerState state) {

  /** Normalises nulls. */
  public ConsumerAssignment {
    created = created == null ? io.jscluster.codec.json.GoTime.ZERO : created;
    name = Values.str(name);
    stream = Values.str(stream);
    subject = Values.str(subject);
    reply = Values.str(reply);
  }
}
