package io.jscluster.codec.msg;

import java.util.Objects;

/**
 * One message of an atomic batch: the stream message plus its batch id, its 1-based position and
 * whether it commits the batch.
 *
 * @param batchId batch identifier (clipped to 65,535 UTF-8 bytes on encode); an empty id encodes
 *     as a plain stream message, as nats-server does
 * @param batchSeq position in the batch (unsigned)
 * @param commit true for the last, committing message (op 17), false otherwise (op 16)
 * @param msg the stream message
 */
public record BatchMsg(String batchId, long batchSeq, boolean commit, StreamMsg msg) {

  /** Creates a batch message; id and message must not be null. */
  public BatchMsg {
    Objects.requireNonNull(batchId, "batchId");
    Objects.requireNonNull(msg, "msg");
  }
}
