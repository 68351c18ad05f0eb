package io.jscluster.core.store;

/** The store was closed; no further operations are possible on this instance. */
public final class StoreClosedException extends StoreException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public StoreClosedException() {
        super("stream store is closed");
    }
}
