package io.jscluster.core.store;

import io.jscluster.codec.state.SequenceSet;
import java.util.function.LongPredicate;

/**
 * A set of deleted sequences backed by the codec's AVL {@link SequenceSet}, so the set a store keeps is the very
 * structure it encodes into a snapshot (same node shapes as nats-server for the same operations). Not
 * thread-safe: guarded by the owning store's lock.
 */
final class DeleteSet {
    private final SequenceSet set = new SequenceSet();

    boolean insert(long seq) {
        if (set.contains(seq)) {
            return false;
        }
        set.insert(seq);
        return true;
    }

    /**
     * Inserts every sequence of {@code [first, last]}: the same tree as inserting them one by one (what nats-server's
     * memory store does for a skip), in time proportional to the 2,048-sequence nodes the range covers.
     */
    void insertRange(long first, long last) {
        set.insertRange(first, last);
    }

    boolean delete(long seq) {
        return set.delete(seq);
    }

    boolean exists(long seq) {
        return set.contains(seq);
    }

    long size() {
        return set.size();
    }

    boolean isEmpty() {
        return set.isEmpty();
    }

    void clear() {
        set.clear();
    }

    /** Visits members in ascending order until {@code visitor} returns false. */
    boolean forEach(LongPredicate visitor) {
        return set.forEach(visitor);
    }

    /** Removes every member below {@code seq}. */
    void deleteBelow(long seq) {
        if (!set.isEmpty() && set.max() < seq) {
            // Deleting every member one by one ends in the empty set whatever the order: skip the walk (a first
            // sequence moving past a skipped gap of millions).
            set.clear();
            return;
        }
        while (!set.isEmpty()) {
            long first = set.min();
            if (first >= seq) {
                return;
            }
            set.delete(first);
        }
    }

    /** Removes every member above {@code seq}. */
    void deleteAbove(long seq) {
        if (!set.isEmpty() && set.min() > seq) {
            set.clear();
            return;
        }
        while (!set.isEmpty()) {
            long last = set.max();
            if (last <= seq) {
                return;
            }
            set.delete(last);
        }
    }

    /** The underlying set, for encoding; callers must not modify it. */
    SequenceSet view() {
        return set;
    }
}
