package io.jscluster.core.store;

/**
 * What a store knows about one subject (nats-server's {@code SimpleState}): how many messages it has and the
 * sequences of its oldest and newest. All zero when the subject has no message.
 *
 * @param msgs     messages stored under the subject
 * @param firstSeq sequence of the oldest of them, 0 when none
 * @param lastSeq  sequence of the newest of them, 0 when none
 */
public record SubjectState(long msgs, long firstSeq, long lastSeq) {
    /** The state of a subject without messages. */
    public static final SubjectState EMPTY = new SubjectState(0, 0, 0);
}
