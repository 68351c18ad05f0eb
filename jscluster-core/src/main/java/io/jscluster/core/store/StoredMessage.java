package io.jscluster.core.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A message as a store holds it. The arrays are owned by this value: a store hands out fresh copies, and a caller
 * must not modify them. {@code header} and {@code data} are never null (empty when absent).
 *
 * @param seq     stream sequence
 * @param tsNanos Unix timestamp in nanoseconds
 * @param subject subject the message was published to (non-empty)
 * @param header  NATS header block, empty when none
 * @param data    payload, possibly empty
 */
public record StoredMessage(long seq, long tsNanos, String subject, byte[] header, byte[] data) {
    private static final byte[] EMPTY = new byte[0];

    /** Normalises null arrays to empty ones. */
    public StoredMessage {
        Objects.requireNonNull(subject, "subject");
        header = header == null ? EMPTY : header;
        data = data == null ? EMPTY : data;
    }

    /** UTF-8 length of the subject, the length the size formulas use. */
    public int subjectLength() {
        return utf8Length(subject);
    }

    /** UTF-8 length of a string without encoding it. */
    static int utf8Length(String s) {
        int n = s.length();
        int len = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return s.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return len;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredMessage m && m.seq == seq && m.tsNanos == tsNanos && m.subject.equals(subject)
                && Arrays.equals(m.header, header) && Arrays.equals(m.data, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(seq) * 31 + subject.hashCode();
    }

    @Override
    public String toString() {
        return "StoredMessage[seq=" + Long.toUnsignedString(seq) + ", ts=" + tsNanos + ", subject=" + subject
                + ", header=" + header.length + "B, data=" + data.length + "B]";
    }
}
