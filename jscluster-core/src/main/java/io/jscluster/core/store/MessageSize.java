package io.jscluster.core.store;

/**
 * Per-record sizes as nats-server accounts them in {@code StreamState.Bytes} and for {@code MaxBytes}. The two
 * store kinds use different formulas, exactly as the Go stores do, so a stream's byte count depends on its
 * storage type.
 */
public final class MessageSize {
    private MessageSize() {
    }

    /**
     * File store record size: 4 (length) + 8 (seq) + 8 (ts) + 2 (subject length) + subject + message + 8 (hash),
     * plus 4 + header when a header is present.
     */
    public static long fileStore(int subjectLen, int headerLen, int msgLen) {
        if (headerLen == 0) {
            return 22L + subjectLen + msgLen + 8;
        }
        return 22L + subjectLen + 4 + headerLen + msgLen + 8;
    }

    /** Memory store record size: subject + header + message + 16 (sequence and timestamp). */
    public static long memoryStore(int subjectLen, int headerLen, int msgLen) {
        return (long) subjectLen + headerLen + msgLen + 16;
    }
}
