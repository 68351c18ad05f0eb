package io.jscluster.core.store;

import java.util.Arrays;

/** Sequence to file offset of a block's MSG/ERASED records, ascending by sequence. */
final class RecordIndex {
    private long[] seqs = new long[64];
    private int[] offs = new int[64];
    private int n;

    void add(long seq, int off) {
        if (n == seqs.length) {
            seqs = Arrays.copyOf(seqs, n * 2);
            offs = Arrays.copyOf(offs, n * 2);
        }
        seqs[n] = seq;
        offs[n] = off;
        n++;
    }

    /** Offset of the record for {@code seq}, or -1. */
    int find(long seq) {
        if (n == 0) {
            return -1;
        }
        long d = seq - seqs[0];
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
        return seqs[i];
    }

    int offsetAt(int i) {
        return offs[i];
    }
}
