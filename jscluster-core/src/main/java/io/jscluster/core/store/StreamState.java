package io.jscluster.core.store;

/**
 * A consistent summary of a store, as nats-server's {@code FastState} gives it.
 *
 * <p>Invariants: with no messages, {@code firstSeq == lastSeq + 1} (or both 0 for a store that never held a
 * sequence) and {@code firstTimeNanos == 0}; otherwise {@code firstSeq} is the sequence of the oldest message and
 * {@code lastSeq} the newest sequence used (which may be a skip). {@code numDeleted} counts the
 * interior sequences in {@code [firstSeq, lastSeq]} that hold no message, exactly.
 *
 * @param msgs           number of messages
 * @param bytes          sum of per-record sizes ({@link MessageSize})
 * @param firstSeq       sequence of the first message, see above
 * @param firstTimeNanos timestamp of the first message, 0 when there is none
 * @param lastSeq        last sequence used (stored or skipped)
 * @param lastTimeNanos  timestamp of the last stored message, or of the clock at the first skip
 * @param numSubjects    number of distinct subjects among the messages
 * @param numDeleted     interior deletes, {@code lastSeq - firstSeq + 1 - msgs} when messages exist, else 0
 */
public record StreamState(long msgs, long bytes, long firstSeq, long firstTimeNanos, long lastSeq,
                          long lastTimeNanos, long numSubjects, long numDeleted) {
}
