package io.jscluster.codec;

/**
 * The one-byte op code that starts every JetStream Raft entry and every catch-up message.
 *
 * <p>Codes are assigned in declaration order from 0 and only ever appended, exactly as
 * nats-server numbers its {@code entryOp}; the meaning of a code depends on the group (meta,
 * stream or consumer) that carries it.
 */
public enum EntryOp {
  /** Meta: stream assignment JSON. */
  ASSIGN_STREAM(0),
  /** Meta: consumer assignment JSON. */
  ASSIGN_CONSUMER(1),
  /** Meta: stream assignment JSON of a stream being removed. */
  REMOVE_STREAM(2),
  /** Meta: consumer assignment JSON of a consumer being removed. */
  REMOVE_CONSUMER(3),
  /** Stream and catch-up: a stream message. */
  STREAM_MSG(4),
  /** Stream: a purge request JSON. */
  PURGE_STREAM(5),
  /** Stream: a message-delete request JSON. */
  DELETE_MSG(6),
  /** Consumer: delivered update (uvarint dseq, uvarint sseq, uvarint count, varint ts). */
  UPDATE_DELIVERED(7),
  /** Consumer: ack update (uvarint dseq, uvarint sseq). */
  UPDATE_ACKS(8),
  /** Meta: S2 stream of a consumer assignment JSON. */
  ASSIGN_COMPRESSED_CONSUMER(9),
  /** Consumer: skip to a stream sequence (u64 little-endian). */
  UPDATE_SKIP(10),
  /** Meta: stream assignment JSON of an updated stream. */
  UPDATE_STREAM(11),
  /** Consumer: add a pending pull request (raw reply subject). */
  ADD_PENDING_REQUEST(12),
  /** Consumer: remove a pending pull request (raw reply subject). */
  REMOVE_PENDING_REQUEST(13),
  /** Stream and catch-up: an S2 block holding a stream message body. */
  COMPRESSED_STREAM_MSG(14),
  /** Stream and catch-up: a delete range JSON. */
  DELETE_RANGE(15),
  /** Stream: one message of an atomic batch. */
  BATCH_MSG(16),
  /** Stream: the message that commits an atomic batch. */
  BATCH_COMMIT_MSG(17),
  /** Consumer: reset to a sequence (u64 little-endian, then raw reply). */
  RESET_SEQ(18);

  private static final EntryOp[] BY_CODE = values();

  private final int code;

  EntryOp(int code) {
    this.code = code;
  }

  /** The wire value of this op. */
  public int code() {
    return code;
  }

  /** The wire value as the byte written first in an entry. */
  public byte asByte() {
    return (byte) code;
  }

  /**
   * Returns the op for a wire byte.
   *
   * @throws CodecException naming {@code op} at offset 0 if the byte is not a known op code
   */
  public static EntryOp of(byte b) {
    int v = b & 0xff;
    if (v >= BY_CODE.length) {
      throw new CodecException("op", 0, "unknown entry op code " + v);
    }
    return BY_CODE[v];
  }
}
