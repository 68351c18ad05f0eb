package io.jscluster.core.store;

/**
 * Base of every exception a {@link StreamStore} throws. Callers may rely on a store never letting any other
 * exception type escape from its public methods (programming errors such as a {@code null} argument excepted).
 */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message. */
    public StoreException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the cause it wraps. */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
