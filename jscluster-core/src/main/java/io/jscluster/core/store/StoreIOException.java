package io.jscluster.core.store;

import java.io.IOException;

/**
 * An I/O operation of a file store failed. After a failed write or sync the store refuses further writes
 * (every mutation rethrows the first failure) because what is durable is no longer known; reads keep working.
 */
public final class StoreIOException extends StoreException {
    private static final long serialVersionUID = 1L;

    /** Wraps an I/O failure with what was being done. */
    public StoreIOException(String what, IOException cause) {
        super(what + ": " + cause, cause);
    }
}
