package io.jscluster.core.store;

/**
 * A {@link DiscardPolicy#NEW} stream refused a message because storing it would exceed a limit. Only the
 * leader's {@link StreamStore#store} path checks these; the store is unchanged.
 */
public final class LimitExceededException extends StoreException {
    private static final long serialVersionUID = 1L;

    /** Which limit refused the message. */
    public enum Limit {
        /** {@link StreamLimits#maxMsgs()}. */
        MAX_MSGS,
        /** {@link StreamLimits#maxBytes()}. */
        MAX_BYTES,
        /** {@link StreamLimits#maxMsgsPerSubject()} with {@link StreamLimits#discardNewPerSubject()}. */
        MAX_MSGS_PER_SUBJECT
    }

    private final Limit limit;

    /** Creates the exception for a limit. */
    public LimitExceededException(Limit limit) {
        super("message refused: " + limit + " reached");
        this.limit = limit;
    }

    /** The limit that refused the message. */
    public Limit limit() {
        return limit;
    }
}
