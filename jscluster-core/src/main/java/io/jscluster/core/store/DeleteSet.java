package io.jscluster.core.store;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongPredicate;

/**
 * A set of deleted sequences, paged in 2,048-sequence bitmaps so memory follows the number of touched pages,
 * not the sequence span. Not thread-safe: guarded by the owning store's lock.
 */
final class DeleteSet {
    private static final int PAGE_BITS = 11;
    private static final long PAGE_MASK = (1L << PAGE_BITS) - 1;
    private final TreeMap<Long, long[]> pages = new TreeMap<>();
    private long size;

    boolean insert(long seq) {
        long base = seq >>> PAGE_BITS;
        long[] words = pages.computeIfAbsent(base, k -> new long[32]);
        int off = (int) (seq & PAGE_MASK);
        long bit = 1L << (off & 63);
        if ((words[off >>> 6] & bit) != 0) {
            return false;
        }
        words[off >>> 6] |= bit;
        size++;
        return true;
    }

    boolean delete(long seq) {
        long base = seq >>> PAGE_BITS;
        long[] words = pages.get(base);
        if (words == null) {
            return false;
        }
        int off = (int) (seq & PAGE_MASK);
        long bit = 1L << (off & 63);
        if ((words[off >>> 6] & bit) == 0) {
            return false;
        }
        words[off >>> 6] &= ~bit;
        size--;
        for (long w : words) {
            if (w != 0) {
                return true;
            }
        }
        pages.remove(base);
        return true;
    }

    boolean exists(long seq) {
        long[] words = pages.get(seq >>> PAGE_BITS);
        if (words == null) {
            return false;
        }
        int off = (int) (seq & PAGE_MASK);
        return (words[off >>> 6] & (1L << (off & 63))) != 0;
    }

    long size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        pages.clear();
        size = 0;
    }

    /** Visits members in ascending order until {@code visitor} returns false. */
    boolean forEach(LongPredicate visitor) {
        for (Map.Entry<Long, long[]> e : pages.entrySet()) {
            long base = e.getKey() << PAGE_BITS;
            long[] words = e.getValue();
            for (int i = 0; i < words.length; i++) {
                long w = words[i];
                while (w != 0) {
                    int b = Long.numberOfTrailingZeros(w);
                    w &= w - 1;
                    if (!visitor.test(base + 64L * i + b)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Removes every member below {@code seq}. */
    void deleteBelow(long seq) {
        while (!pages.isEmpty()) {
            long first = min();
            if (first >= seq) {
                return;
            }
            delete(first);
        }
    }

    /** Removes every member above {@code seq}. */
    void deleteAbove(long seq) {
        while (!pages.isEmpty()) {
            long last = max();
            if (last <= seq) {
                return;
            }
            delete(last);
        }
    }

    long min() {
        Map.Entry<Long, long[]> e = pages.firstEntry();
        long[] words = e.getValue();
        for (int i = 0; i < words.length; i++) {
            if (words[i] != 0) {
                return (e.getKey() << PAGE_BITS) + 64L * i + Long.numberOfTrailingZeros(words[i]);
            }
        }
        throw new IllegalStateException("empty page");
    }

    long max() {
        Map.Entry<Long, long[]> e = pages.lastEntry();
        long[] words = e.getValue();
        for (int i = words.length - 1; i >= 0; i--) {
            if (words[i] != 0) {
                return (e.getKey() << PAGE_BITS) + 64L * i + 63 - Long.numberOfLeadingZeros(words[i]);
            }
        }
        throw new IllegalStateException("empty page");
    }
}
