package io.jscluster.core.store;

import java.util.Objects;

/**
 * A contiguous range of sequences whose content a store could not read back: a checksum mismatch, a length
 * that does not fit, a truncated file. Every sequence in {@code [firstSeq, lastSeq]} is unknown — it may have
 * held a message or not — and must be repaired from a peer (see {@link StreamStore#repair}) before this store
 * can serve it or produce a snapshot.
 *
 * @param firstSeq first affected sequence (inclusive)
 * @param lastSeq  last affected sequence (inclusive), {@code >= firstSeq}
 * @param file     the file the damage was found in
 * @param reason   what was wrong, for operators
 */
public record Damage(long firstSeq, long lastSeq, String file, String reason) {
    /** Validates the range. */
    public Damage {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(reason, "reason");
        if (Long.compareUnsigned(firstSeq, lastSeq) > 0 || firstSeq == 0) {
            throw new IllegalArgumentException("bad damage range " + firstSeq + ".." + lastSeq);
        }
    }

    /** True when {@code seq} lies in this range. */
    public boolean contains(long seq) {
        return Long.compareUnsigned(seq, firstSeq) >= 0 && Long.compareUnsigned(seq, lastSeq) <= 0;
    }

    /** Number of sequences covered. */
    public long count() {
        return lastSeq - firstSeq + 1;
    }
}
