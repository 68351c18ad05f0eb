package io.jscluster.core.store;

import java.util.Arrays;

/**
 * Sequence to file offset of a block's MSG/ERASED records, ascending by sequence. While the sequences are
 * consecutive (the common case: no skip inside the block) only the offsets are kept, 4 bytes per record; the
 * first gap switches to explicit sequences.
 */
final class RecordIndex {
    private long first;
    /** Null while the sequences are {@code first, first + 1, ...}. */
    private long[] seqs;
    private int[] offs;
    private int n;

    RecordIndex() {
        this(64);
    }

    /** An index with room for {@code capacity} records before it grows. */
    RecordIndex(int capacity) {
        offs = new int[Math.max(16, capacity)];
    }

    /**
     * This index emptied for reuse with room for {@code capacity} records: its offset array is kept when large
     * enough (a new active block's index then costs no allocation, no zeroing and no fresh pages), else replaced.
     * The caller must hold the only reference to this index.
     */
    RecordIndex recycle(int capacity) {
        if (offs.length < capacity) {
            offs = new int[Math.max(16, capacity)];
        }
        seqs = null;
        first = 0;
        n = 0;
        return this;
    }

    void add(long seq, int off) {
        if (n == 0) {
            first = seq;
        } else if (seqs == null && seq != first + n) {
            seqs = new long[offs.length];
            for (int i = 0; i < n; i++) {
                seqs[i] = first + i;
            }
        }
        if (n == offs.length) {
            offs = Arrays.copyOf(offs, n * 2);
            if (seqs != null) {
                seqs = Arrays.copyOf(seqs, n * 2);
            }
        }
        if (seqs != null) {
            seqs[n] = seq;
        }
        offs[n] = off;
        n++;
    }

    /** Offset of the record for {@code seq}, or -1. */
    int find(long seq) {
        if (n == 0) {
            return -1;
        }
        long d = seq - first;
        if (seqs == null) {
            return d >= 0 && d < n ? offs[(int) d] : -1;
        }
        if (d >= 0 && d < n && seqs[(int) d] == seq) {
            return offs[(int) d];
        }
        int i = Arrays.binarySearch(seqs, 0, n, seq);
        return i >= 0 ? offs[i] : -1;
    }

    int size() {
        return n;
    }

    long seqAt(int i) {
        return seqs == null ? first + i : seqs[i];
    }

    int offsetAt(int i) {
        return offs[i];
    }
}
