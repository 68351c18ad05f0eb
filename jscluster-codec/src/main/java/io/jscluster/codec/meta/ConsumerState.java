package io.jscluster.codec.meta;

import java.util.Map;

/**
 * A consumer's state as JSON (Go {@code ConsumerState}), carried as {@code state}. Members:
 * {@code delivered} and {@code ack_floor} (always), {@code pending} and {@code redelivered}
 * (omitempty). Map keys are stream sequences (uint64 bits), written as decimal strings and
 * sorted as strings, as Go does.
 *
 * @param delivered last delivered pair
 * @param ackFloor ack floor pair
 * @param pending pending acks by stream sequence, or null; values may be null (Go nil)
 * @param redelivered redelivery counts by stream sequence, or null
 */
public record ConsumerState(
    SequencePair delivered, SequencePair ackFloor, Map<Long, Pending> pending, Map<Long, Long> redelivered) {

  /** Normalises null pairs to zero and copies maps. */
  public ConsumerState {
    delivered = delivered == null ? new SequencePair(0, 0) : delivered;
    ackFloor = ackFloor == null ? new SequencePair(0, 0) : ackFloor;
    pending = Values.map(pending);
    redelivered = Values.map(redelivered);
  }

  /**
   * A consumer and stream sequence pair: {@code consumer_seq}, {@code stream_seq}.
   *
   * @param consumer consumer sequence
   * @param stream stream sequence
   */
  public record SequencePair(long consumer, long stream) {}

  /**
   * A pending ack (Go {@code Pending}, no JSON tags): {@code Sequence}, {@code Timestamp}.
   *
   * @param sequence consumer sequence
   * @param timestamp delivery time in Unix nanoseconds
   */
  public record Pending(long sequence, long timestamp) {}
}
