package io.jscluster.core.store;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A reusable, read-only window onto one stored message, filled by {@link StreamStore#loadInto(long, MessageView)}
 * without copying the message's bytes.
 *
 * <p><b>Validity.</b> After a successful {@code loadInto}, the view reads the store's own memory (a memory
 * store's page, a file store's read buffer). It stays valid only until the next call of <em>any</em> method on
 * the same store (a later read may refill the buffer the view points into, a mutation may move or drop the
 * message) — and, for a store shared between threads, only while the caller excludes other callers. Read what is
 * needed, or {@link #toStoredMessage() copy} it, before calling the store again. A view is not thread-safe; use
 * one per reader and reuse it across loads, which is the point: loading into a view allocates nothing (the
 * subject string is the store's own).
 *
 * <p>The bytes cannot be modified through the view: it hands out copies or read-only buffers.
 */
public final class MessageView {
    private static final byte[] EMPTY = new byte[0];

    private long seq;
    private long tsNanos;
    private String subject;
    private byte[] buf = EMPTY;
    private int headerOffset;
    private int headerLength;
    private int dataOffset;
    private int dataLength;

    /** An empty view, ready to be filled by a store. */
    public MessageView() {
    }

    /** Points the view at a message; {@code buf} is store memory the view must never write. */
    void set(long seq, long tsNanos, String subject, byte[] buf, int headerOffset, int headerLength, int dataOffset,
             int dataLength) {
        this.seq = seq;
        this.tsNanos = tsNanos;
        this.subject = subject;
        this.buf = buf;
        this.headerOffset = headerOffset;
        this.headerLength = headerLength;
        this.dataOffset = dataOffset;
        this.dataLength = dataLength;
    }

    /** Points the view at a message a store materialised as a value (its arrays are then the view's). */
    void set(StoredMessage m) {
        byte[] h = m.header();
        byte[] d = m.data();
        if (h.length == 0) {
            set(m.seq(), m.tsNanos(), m.subject(), d, 0, 0, 0, d.length);
        } else {
            byte[] both = Arrays.copyOf(h, h.length + d.length);
            System.arraycopy(d, 0, both, h.length, d.length);
            set(m.seq(), m.tsNanos(), m.subject(), both, 0, h.length, h.length, d.length);
        }
    }

    /** Forgets the message (and the reference to store memory). */
    void clear() {
        set(0, 0, null, EMPTY, 0, 0, 0, 0);
    }

    /** Stream sequence of the message, or 0 when the view holds none. */
    public long seq() {
        return seq;
    }

    /** Unix timestamp in nanoseconds. */
    public long tsNanos() {
        return tsNanos;
    }

    /** Subject the message was published to; null when the view holds none. */
    public String subject() {
        return subject;
    }

    /** Length of the NATS header block (0 when none). */
    public int headerLength() {
        return headerLength;
    }

    /** Length of the payload. */
    public int dataLength() {
        return dataLength;
    }

    /** A read-only buffer over the header bytes (position 0, limit {@link #headerLength()}); no copy. */
    public ByteBuffer header() {
        return ByteBuffer.wrap(buf, headerOffset, headerLength).slice().asReadOnlyBuffer();
    }

    /** A read-only buffer over the payload (position 0, limit {@link #dataLength()}); no copy. */
    public ByteBuffer data() {
        return ByteBuffer.wrap(buf, dataOffset, dataLength).slice().asReadOnlyBuffer();
    }

    /** Copies the header into {@code dst} at {@code off}; {@code dst} needs {@link #headerLength()} bytes there. */
    public void copyHeader(byte[] dst, int off) {
        System.arraycopy(buf, headerOffset, dst, off, headerLength);
    }

    /** Copies the payload into {@code dst} at {@code off}; {@code dst} needs {@link #dataLength()} bytes there. */
    public void copyData(byte[] dst, int off) {
        System.arraycopy(buf, dataOffset, dst, off, dataLength);
    }

    /** Appends the header to {@code dst} (advancing its position). */
    public void putHeader(ByteBuffer dst) {
        dst.put(buf, headerOffset, headerLength);
    }

    /** Appends the payload to {@code dst} (advancing its position). */
    public void putData(ByteBuffer dst) {
        dst.put(buf, dataOffset, dataLength);
    }

    /** True when the payload equals {@code other}, compared in place. */
    public boolean dataEquals(byte[] other) {
        return Arrays.equals(buf, dataOffset, dataOffset + dataLength, other, 0, other.length);
    }

    /** A copy of the message as a value that stays valid after the view moves on. */
    public StoredMessage toStoredMessage() {
        if (subject == null) {
            throw new IllegalStateException("the view holds no message");
        }
        return new StoredMessage(seq, tsNanos, subject,
                Arrays.copyOfRange(buf, headerOffset, headerOffset + headerLength),
                Arrays.copyOfRange(buf, dataOffset, dataOffset + dataLength));
    }

    @Override
    public String toString() {
        return subject == null ? "MessageView[empty]"
                : "MessageView[seq=" + Long.toUnsignedString(seq) + ", subject=" + subject + ", header="
                + headerLength + "B, data=" + dataLength + "B]";
    }
}
