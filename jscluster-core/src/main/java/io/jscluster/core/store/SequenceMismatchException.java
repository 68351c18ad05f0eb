package io.jscluster.core.store;

/**
 * A store-at-sequence or skip did not name the next sequence ({@code lastSeq + 1}). Catch-up treats this as
 * "wrong sequence for skip" and retries; the store is unchanged.
 */
public final class SequenceMismatchException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final long expected;
    private final long actual;

    /** Creates the exception for the sequence that was expected and the one that was given. */
    public SequenceMismatchException(long expected, long actual) {
        super("sequence mismatch: expected " + Long.toUnsignedString(expected) + ", got " + Long.toUnsignedString(actual));
        this.expected = expected;
        this.actual = actual;
    }

    /** The sequence the store would have accepted. */
    public long expected() {
        return expected;
    }

    /** The sequence that was given. */
    public long actual() {
        return actual;
    }
}
