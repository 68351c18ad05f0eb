package io.jscluster.core.store;

/**
 * Retention limits of a stream, as nats-server's StreamConfig has them. Zero or a negative value means
 * "unlimited" for every numeric limit.
 *
 * @param maxMsgs              maximum number of messages
 * @param maxBytes             maximum of the summed per-record sizes (see {@link MessageSize})
 * @param maxAgeNanos          maximum message age in nanoseconds, enforced by {@link StreamStore#expire}
 * @param maxMsgsPerSubject    maximum messages kept per subject; older ones of the subject are removed
 * @param discard              policy when {@code maxMsgs} / {@code maxBytes} is reached
 * @param discardNewPerSubject with {@link DiscardPolicy#NEW}: refuse a message whose subject is at its limit
 */
public record StreamLimits(long maxMsgs, long maxBytes, long maxAgeNanos, long maxMsgsPerSubject,
                           DiscardPolicy discard, boolean discardNewPerSubject) {
    /** No limits, discard old. */
    public static final StreamLimits NONE = new StreamLimits(0, 0, 0, 0, DiscardPolicy.OLD, false);

    /** Validates the policy. */
    public StreamLimits {
        if (discard == null) {
            throw new IllegalArgumentException("discard policy is required");
        }
    }
}
