package io.jscluster.core.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Byte layout of block files and delete logs (little-endian).
 *
 * <pre>
 * record := magic u8 (0xA7) | type u8 | length u32 (whole record) | seq u64 | ts u64 | body | crc32c u32
 *   MSG    body: subjectLen u16 | headerLen u32 | subject | header | data
 *   ERASED body: as MSG with subjectLen = headerLen = 0 and zeroed bytes (same length as the record it replaced)
 *   SKIP   body: last u64 (the record covers seq..last)
 * delete-log entry := magic u8 (0xD5) | first u64 | last u64 | crc32c u32
 * </pre>
 * The checksum covers every byte of the record before it.
 */
final class BlockFormat {
    static final byte REC_MAGIC = (byte) 0xA7;
    static final byte TYPE_MSG = 1;
    static final byte TYPE_SKIP = 2;
    static final byte TYPE_ERASED = 3;
    static final int HEADER = 22;
    static final int MSG_FIXED = HEADER + 6 + 4;
    static final int SKIP_LEN = HEADER + 8 + 4;
    static final int MIN_RECORD = Math.min(MSG_FIXED, SKIP_LEN);
    /** Largest record accepted when reading (payload limit plus slack); anything larger is corruption. */
    static final int MAX_RECORD = (64 << 20) + 65_536 + 1024;
    static final byte DEL_MAGIC = (byte) 0xD5;
    static final int DEL_ENTRY = 1 + 8 + 8 + 4;

    private static final VarHandle LE_SHORT =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private BlockFormat() {
    }

    static int msgRecordLength(int subjectLen, int headerLen, int dataLen) {
        return MSG_FIXED + subjectLen + headerLen + dataLen;
    }

    /** Writes a MSG record at the buffer's position (heap buffer) and advances it. */
    static void putMsg(ByteBuffer b, CRC32C crc, long seq, long ts, String subject, int subjectLen, byte[] header,
                       byte[] data) {
        putMsg(b, crc, seq, ts, subject, subjectLen, header, 0, header == null ? 0 : header.length, data, 0,
                data == null ? 0 : data.length);
    }

    /** As {@link #putMsg(ByteBuffer, CRC32C, long, long, String, int, byte[], byte[])} from array ranges. */
    static void putMsg(ByteBuffer b, CRC32C crc, long seq, long ts, String subject, int subjectLen, byte[] header,
                       int headerOff, int headerLen, byte[] data, int dataOff, int dataLen) {
        byte[] subj = subjectLen == subject.length() && subjectLen < 64 ? null
                : subject.getBytes(StandardCharsets.UTF_8);
        int len = putMsg(b.array(), b.arrayOffset() + b.position(), crc, seq, ts, subject, subj, subjectLen, header,
                headerOff, headerLen, data, dataOff, dataLen);
        b.position(b.position() + len);
    }

    /**
     * Writes a MSG record into {@code a} at {@code p} with plain array stores and returns its length. The subject
     * is copied from {@code subjectUtf8} when given, else from the (ASCII) string.
     */
    static int putMsg(byte[] a, int p, CRC32C crc, long seq, long ts, String subject, byte[] subjectUtf8,
                      int subjectLen, byte[] header, byte[] data) {
        return putMsg(a, p, crc, seq, ts, subject, subjectUtf8, subjectLen, header, 0,
                header == null ? 0 : header.length, data, 0, data == null ? 0 : data.length);
    }

    /**
     * As {@link #putMsg(byte[], int, CRC32C, long, long, String, byte[], int, byte[], byte[])} with the header and
     * payload taken from array ranges (length 0: none).
     */
    static int putMsg(byte[] a, int p, CRC32C crc, long seq, long ts, String subject, byte[] subjectUtf8,
                      int subjectLen, byte[] header, int headerOff, int headerLen, byte[] data, int dataOff,
                      int dataLen) {
        int hl = headerLen;
        int dl = dataLen;
        int len = msgRecordLength(subjectLen, hl, dl);
        a[p] = REC_MAGIC;
        a[p + 1] = TYPE_MSG;
        LE_INT.set(a, p + 2, len);
        LE_LONG.set(a, p + 6, seq);
        LE_LONG.set(a, p + 14, ts);
        LE_SHORT.set(a, p + HEADER, (short) subjectLen);
        LE_INT.set(a, p + HEADER + 2, hl);
        int q = p + HEADER + 6;
        if (subjectUtf8 != null) {
            System.arraycopy(subjectUtf8, 0, a, q, subjectLen);
        } else {
            for (int i = 0; i < subjectLen; i++) {
                a[q + i] = (byte) subject.charAt(i);
            }
        }
        q += subjectLen;
        putBodyAndChecksum(a, p, q, crc, header, headerOff, hl, data, dataOff, dl, len);
        return len;
    }

    /**
     * The leader path's MSG record: writes the {@code len}-byte record into {@code a} at {@code p}. A subject of at
     * most 16 bytes in a record of at least 44 is written as the two words {@code w0, w1} (its UTF-8 bytes, zero
     * padded): the up to 16 bytes they write lie inside the record, and those past the subject are overwritten by
     * the header, data and checksum that follow. Header and data are the given ranges of their arrays. The bytes
     * are those of {@link #putMsg(byte[], int, CRC32C, long, long, String, byte[], int, byte[], byte[])}.
     */
    static void putMsg(byte[] a, int p, CRC32C crc, long seq, long ts, byte[] subject, long w0, long w1,
                       byte[] header, int headerOff, int hl, byte[] data, int dataOff, int dl, int len) {
        int sl = subject.length;
        LE_SHORT.set(a, p, (short) ((REC_MAGIC & 0xFF) | TYPE_MSG << 8));
        LE_INT.set(a, p + 2, len);
        LE_LONG.set(a, p + 6, seq);
        LE_LONG.set(a, p + 14, ts);
        LE_SHORT.set(a, p + HEADER, (short) sl);
        LE_INT.set(a, p + HEADER + 2, hl);
        int q = p + HEADER + 6;
        if (sl <= 16 && len >= MSG_FIXED + 12) {
            LE_LONG.set(a, q, w0);
            LE_LONG.set(a, q + 8, w1);
        } else {
            System.arraycopy(subject, 0, a, q, sl);
        }
        q += sl;
        putBodyAndChecksum(a, p, q, crc, header, headerOff, hl, data, dataOff, dl, len);
    }

    /**
     * Finishes a MSG record whose fixed fields and subject are written: copies the header and data ranges at
     * {@code q} and writes the CRC-32C of the record's first {@code len - 4} bytes after them.
     */
    private static void putBodyAndChecksum(byte[] a, int p, int q, CRC32C crc, byte[] header, int headerOff, int hl,
                                           byte[] data, int dataOff, int dl, int len) {
        if (hl > 0) {
            System.arraycopy(header, headerOff, a, q, hl);
            q += hl;
        }
        if (dl > 0) {
            System.arraycopy(data, dataOff, a, q, dl);
            q += dl;
        }
        crc.reset();
        crc.update(a, p, len - 4);
        LE_INT.set(a, q, (int) crc.getValue());
    }

    /** Writes a SKIP record into {@code a} at {@code p}. */
    static void putSkip(byte[] a, int p, CRC32C crc, long first, long last, long ts) {
        a[p] = REC_MAGIC;
        a[p + 1] = TYPE_SKIP;
        LE_INT.set(a, p + 2, SKIP_LEN);
        LE_LONG.set(a, p + 6, first);
        LE_LONG.set(a, p + 14, ts);
        LE_LONG.set(a, p + HEADER, last);
        crc.reset();
        crc.update(a, p, SKIP_LEN - 4);
        LE_INT.set(a, p + SKIP_LEN - 4, (int) crc.getValue());
    }

    /** Writes a SKIP record. */
    static void putSkip(ByteBuffer b, CRC32C crc, long first, long last, long ts) {
        int start = b.position();
        b.put(REC_MAGIC).put(TYPE_SKIP).putInt(SKIP_LEN).putLong(first).putLong(ts).putLong(last);
        crc.reset();
        crc.update(b.array(), b.arrayOffset() + start, SKIP_LEN - 4);
        b.putInt((int) crc.getValue());
    }

    /** An ERASED record of {@code len} bytes for {@code seq}. */
    static ByteBuffer erased(CRC32C crc, long seq, int len) {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        b.put(REC_MAGIC).put(TYPE_ERASED).putInt(len).putLong(seq).putLong(0).putShort((short) 0).putInt(0);
        crc.reset();
        crc.update(b.array(), 0, len - 4);
        b.position(len - 4);
        b.putInt((int) crc.getValue());
        b.flip();
        return b;
    }

    /** A delete-log entry. */
    static ByteBuffer delEntry(CRC32C crc, long first, long last) {
        ByteBuffer b = ByteBuffer.allocate(DEL_ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        b.put(DEL_MAGIC).putLong(first).putLong(last);
        crc.reset();
        crc.update(b.array(), 0, DEL_ENTRY - 4);
        b.putInt((int) crc.getValue());
        b.flip();
        return b;
    }

    /**
     * Validates a record starting at {@code off} in {@code buf[0, limit)}; returns its length, or -1 when the bytes
     * there are not a whole valid record.
     */
    static int validRecord(byte[] buf, int off, int limit, CRC32C crc) {
        if (limit - off < MIN_RECORD || buf[off] != REC_MAGIC) {
            return -1;
        }
        byte type = buf[off + 1];
        int len = getInt(buf, off + 2);
        if (len < MIN_RECORD || len > MAX_RECORD || len > limit - off) {
            return -1;
        }
        if (type == TYPE_SKIP) {
            if (len != SKIP_LEN) {
                return -1;
            }
        } else if (type == TYPE_MSG || type == TYPE_ERASED) {
            if (len < MSG_FIXED) {
                return -1;
            }
            int sl = getShort(buf, off + HEADER) & 0xFFFF;
            int hl = getInt(buf, off + HEADER + 2);
            if (hl < 0 || (long) sl + hl > len - MSG_FIXED) {
                return -1;
            }
        } else {
            return -1;
        }
        crc.reset();
        crc.update(buf, off, len - 4);
        if ((int) crc.getValue() != getInt(buf, off + len - 4)) {
            return -1;
        }
        return len;
    }

    static int getInt(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24;
    }

    static short getShort(byte[] b, int off) {
        return (short) ((b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8);
    }

    static long getLong(byte[] b, int off) {
        return (getInt(b, off) & 0xFFFFFFFFL) | ((long) getInt(b, off + 4)) << 32;
    }

    /** Decodes a validated MSG record into a message. */
    static StoredMessage decodeMsg(byte[] b, int off) {
        long seq = getLong(b, off + 6);
        long ts = getLong(b, off + 14);
        int sl = getShort(b, off + HEADER) & 0xFFFF;
        int hl = getInt(b, off + HEADER + 2);
        int len = getInt(b, off + 2);
        int p = off + HEADER + 6;
        String subject = new String(b, p, sl, StandardCharsets.UTF_8);
        p += sl;
        byte[] hdr = java.util.Arrays.copyOfRange(b, p, p + hl);
        p += hl;
        int dl = len - MSG_FIXED - sl - hl;
        byte[] data = java.util.Arrays.copyOfRange(b, p, p + dl);
        return new StoredMessage(seq, ts, subject, hdr, data);
    }
}
