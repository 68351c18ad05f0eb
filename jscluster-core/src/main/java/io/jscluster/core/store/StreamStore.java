package io.jscluster.core.store;

import io.jscluster.codec.state.DeleteBlock;
import io.jscluster.codec.state.StreamStateCodec;
import java.util.List;
import java.util.Map;

/**
 * Storage of one stream's messages, addressed by stream sequence: what nats-server's stream layer and the
 * cluster layer (apply, snapshots, catch-up) ask of a store.
 *
 * <h2>Model</h2>
 * Sequences are used in increasing order without reuse. Every sequence in {@code [firstSeq, lastSeq]} either
 * holds a message or is an interior delete (removed, erased, skipped, purged by subject). Sequences below
 * {@code firstSeq} are gone; the store tracks interior deletes exactly (see {@link #deletedSequences()}).
 *
 * <h2>Errors</h2>
 * Every method throws only {@link StoreException} subtypes: {@link SequenceMismatchException},
 * {@link LimitExceededException}, {@link StoreClosedException}, {@link StoreIOException} and
 * {@link StoreCorruptionException} (a request touched a {@linkplain #damage() damaged} range).
 *
 * <h2>Durability</h2>
 * For a file store under the default sync policy, a mutating method has made its effect durable (written and
 * fsynced) when it returns. {@link #batch(Runnable)} groups several mutations under one fsync (group commit):
 * nothing inside the batch is durable before the batch returns. A memory store is never durable.
 *
 * <h2>Threads</h2>
 * Implementations are thread-safe; every method is atomic with respect to the others.
 */
public interface StreamStore extends AutoCloseable {

    /**
     * Leader path: stores a message at {@code lastSeq + 1} stamped with the store's clock, after checking
     * {@link DiscardPolicy#NEW} limits, then enforces the limits by discarding old messages.
     *
     * @return the sequence assigned
     * @throws LimitExceededException the stream is at a limit under discard-new; nothing was stored
     */
    long store(String subject, byte[] header, byte[] data);

    /**
     * Follower and catch-up path: stores a message at exactly {@code seq} with the leader's timestamp. Discard-new
     * limits are not checked (replicas must not diverge from the leader's decision); discard-old and
     * per-subject limits are enforced after storing.
     *
     * @throws SequenceMismatchException {@code seq != lastSeq + 1}; nothing was stored
     */
    void storeAt(long seq, long tsNanos, String subject, byte[] header, byte[] data);

    /**
     * {@link #storeAt(long, long, String, byte[], byte[])} with the header and the payload given as ranges of one
     * array (a received message's bytes), so the caller copies nothing: the store copies the ranges into its own
     * memory before returning and keeps no reference to {@code buf}. A range of length 0 means none ({@code buf}
     * may be null when both are). This default copies the ranges out and calls the array form; the stores of this
     * package read them in place.
     *
     * @throws StoreException a range has a negative offset or length or does not lie inside {@code buf}; nothing
     *     was stored
     * @throws SequenceMismatchException {@code seq != lastSeq + 1}; nothing was stored
     */
    default void storeAt(long seq, long tsNanos, String subject, byte[] buf, int headerOff, int headerLen,
                         int dataOff, int dataLen) {
        checkRange(buf, headerOff, headerLen, "header");
        checkRange(buf, dataOff, dataLen, "data");
        storeAt(seq, tsNanos, subject,
                headerLen == 0 ? null : java.util.Arrays.copyOfRange(buf, headerOff, headerOff + headerLen),
                dataLen == 0 ? null : java.util.Arrays.copyOfRange(buf, dataOff, dataOff + dataLen));
    }

    /**
     * Checks that {@code [off, off + len)} lies inside {@code buf} (a null array holds nothing).
     *
     * @throws StoreException naming {@code what}, the offset, the length and the array's size otherwise
     */
    static void checkRange(byte[] buf, int off, int len, String what) {
        int size = buf == null ? 0 : buf.length;
        if (off < 0 || len < 0 || off > size - len) {
            throw new StoreException(what + " range at offset " + off + " of length " + len
                    + " outside an array of " + size + " bytes");
        }
    }

    /**
     * Uses sequence {@code seq} without storing a message. With no messages the first sequence moves past it;
     * otherwise it becomes an interior delete.
     *
     * @throws SequenceMismatchException {@code seq != lastSeq + 1}
     */
    void skip(long seq);

    /**
     * Uses {@code num} sequences starting at {@code seq}, as {@code num} calls to {@link #skip(long)} would.
     * {@code num == 0} changes nothing.
     *
     * @throws SequenceMismatchException {@code seq != lastSeq + 1}
     */
    void skip(long seq, long num);

    /**
     * The message at {@code seq}, or null when the sequence holds none (below first, deleted, or above last).
     *
     * @throws StoreCorruptionException {@code seq} lies in a damaged range, so whether a message exists is unknown
     */
    StoredMessage load(long seq);

    /**
     * Points {@code into} at the message at {@code seq} without copying its bytes, as {@link #load(long)} finds
     * it; false (and {@code into} emptied) when the sequence holds none. The view is valid only until the next
     * call of any method on this store — see {@link MessageView} for the contract. The stores of this package fill
     * the view from their own memory and allocate nothing per call; this default copies through
     * {@link #load(long)}.
     *
     * @throws StoreCorruptionException {@code seq} lies in a damaged range
     */
    default boolean loadInto(long seq, MessageView into) {
        StoredMessage m = load(seq);
        if (m == null) {
            into.clear();
            return false;
        }
        into.set(m);
        return true;
    }

    /**
     * {@link #loadNext(String, long)} into a reusable view (same validity contract as
     * {@link #loadInto(long, MessageView)}); false (and {@code into} emptied) when there is no match. With the
     * match-all filter ({@code ">"} or empty) the stores of this package copy nothing: the catch-up walk.
     *
     * @throws StoreCorruptionException the search crossed a damaged range before finding a match
     */
    default boolean loadNextInto(String filter, long start, MessageView into) {
        StoredMessage m = loadNext(filter, start);
        if (m == null) {
            into.clear();
            return false;
        }
        into.set(m);
        return true;
    }

    /**
     * The first message with sequence {@code >= start} whose subject matches {@code filter} (NATS wildcards
     * {@code *} and {@code >}; empty or {@code >} match all), or null when there is none.
     *
     * @throws StoreCorruptionException the search crossed a damaged range before finding a match
     */
    StoredMessage loadNext(String filter, long start);

    /**
     * The newest message whose subject matches {@code filter} (NATS wildcards; empty or {@code >} match all), or
     * null when there is none (nats-server {@code LoadLastMsg}). Used to check an expected last sequence per
     * subject on publish.
     *
     * @throws StoreCorruptionException the newest match cannot be determined because of a damaged range
     */
    default StoredMessage loadLast(String filter) {
        StreamState st = state();
        if (st.msgs() == 0) {
            return null;
        }
        for (long seq = st.lastSeq(); seq >= st.firstSeq() && seq > 0; seq--) {
            StoredMessage m = load(seq);
            if (m != null && SubjectFilter.matches(filter, m.subject())) {
                return m;
            }
        }
        return null;
    }

    /**
     * Count, oldest and newest sequence of the literal subject {@code subject}; {@link SubjectState#EMPTY} when
     * it has no message. Stores answer from per-subject bookkeeping, without scanning the stream in the common
     * case.
     *
     * @throws StoreCorruptionException the bounds cannot be determined because of a damaged range
     */
    default SubjectState subjectState(String subject) {
        Long n = subjectTotals(subject).get(subject);
        if (n == null || n == 0) {
            return SubjectState.EMPTY;
        }
        StoredMessage first = loadNext(subject, 0);
        StoredMessage last = loadLast(subject);
        return new SubjectState(n, first == null ? 0 : first.seq(), last == null ? 0 : last.seq());
    }

    /**
     * Removes the message at {@code seq}.
     *
     * @return false when there was no message at {@code seq}
     */
    boolean remove(long seq);

    /** As {@link #remove(long)}, and also overwrites the message's bytes wherever the store keeps them. */
    boolean erase(long seq);

    /**
     * Removes every message; {@code firstSeq} becomes {@code lastSeq + 1}.
     *
     * @return the number of messages removed
     */
    long purge();

    /**
     * nats-server's {@code PurgeEx}: removes messages matching {@code subject} (empty or {@code >} for all) with
     * sequence below {@code upToSeq} (0: no bound), keeping the newest {@code keep} matching messages (0: keep
     * none). {@code upToSeq == 1} removes nothing; an all-subjects purge with {@code upToSeq > 1} is a
     * {@link #compact(long)}.
     *
     * @return the number of messages removed
     */
    long purge(String subject, long upToSeq, long keep);

    /**
     * Removes every message below {@code seq}; the first sequence becomes the first message at or after
     * {@code seq}. When {@code seq > lastSeq + 1} the store empties and the next sequence becomes {@code seq}.
     * {@code seq == 0} is {@link #purge()}.
     *
     * @return the number of messages removed
     */
    long compact(long seq);

    /**
     * Removes every sequence above {@code seq}; {@code lastSeq} becomes {@code seq} and the last time becomes the
     * timestamp of the message at {@code seq} when there is one. {@code seq == 0} resets the store to empty with
     * no sequence ever used.
     *
     * @throws SequenceMismatchException {@code seq > lastSeq}
     */
    void truncate(long seq);

    /** The current summary; cheap. */
    StreamState state();

    /**
     * {@link StreamState#lastSeq()} of the current {@link #state()}, without building the summary: the publish
     * and apply paths ask it for every message. This default goes through {@link #state()}; the stores of this
     * package read their counter and allocate nothing.
     */
    default long lastSeq() {
        return state().lastSeq();
    }

    /**
     * Every interior delete in ascending order. The array has {@link StreamState#numDeleted()} elements, which can
     * be large: prefer {@link #encodedState(long, boolean)} for transfer.
     */
    long[] deletedSequences();

    /**
     * The stream state in nats-server's binary {@code StreamReplicatedState} encoding (magic 42, version 1, or 2
     * when {@code withSources} and a source with a non-zero sequence exists), with this store's delete blocks.
     *
     * @param failed the cluster layer's count of failed proposals (CLFS), carried as-is
     * @throws StoreCorruptionException the store has damaged ranges; a snapshot from it would tell peers to
     *                                  delete messages this store merely cannot read
     */
    byte[] encodedState(long failed, boolean withSources);

    /**
     * Applies a snapshot's delete information (nats-server {@code SyncDeleted}): every listed sequence that is
     * not above this store's last sequence and still holds a message is removed.
     *
     * @param deleted the decoded delete blocks of a snapshot ({@link StreamStateCodec#decodeSnapshot})
     */
    void syncDeleted(List<DeleteBlock> deleted);

    /** The limits in force. */
    StreamLimits limits();

    /** Replaces the limits and enforces the new ones at once (discarding old messages as needed). */
    void updateLimits(StreamLimits limits);

    /**
     * Removes messages older than the max-age limit, measured against {@code nowNanos} (Unix ns): every message
     * with {@code ts <= nowNanos - maxAge}. The caller owns time, so expiry is deterministic.
     *
     * @return the number of messages removed
     */
    long expire(long nowNanos);

    /** Message counts per subject for subjects matching {@code filter} (empty or {@code >} for all). */
    Map<String, Long> subjectTotals(String filter);

    /** The sources state (see {@link SourceState}), a copy in insertion order. */
    Map<String, SourceState> sources();

    /**
     * Adopts a snapshot's sources state: an empty map leaves the state alone, a non-empty one replaces it
     * (nats-server {@code ApplySourcesState}).
     */
    void applySources(Map<String, SourceState> sources);

    /** The damaged ranges found when the store was opened and not yet repaired, ascending; empty if none. */
    List<Damage> damage();

    /** Whether {@link #damage()} is non-empty; cheap enough to ask on every publish. */
    default boolean hasDamage() {
        return !damage().isEmpty();
    }

    /**
     * Re-stores a damaged range from a peer's copy: {@code messages} are exactly the messages the peer holds in
     * {@code [firstSeq, lastSeq]}, ascending; every other sequence of the range is recorded as deleted. The
     * range must equal a range reported by {@link #damage()}. Durable when it returns, like any write.
     *
     * @throws StoreException the range is not a reported damaged range, or a message lies outside it
     */
    void repair(long firstSeq, long lastSeq, List<StoredMessage> messages);

    /** Makes every mutation so far durable (no-op for memory stores and under the default sync policy). */
    void sync();

    /**
     * Runs {@code body} (which calls this store's mutating methods) as one group commit: the store's lock is
     * held throughout and one fsync covers all of it before this returns. If {@code body} throws, what it did so
     * far is still synced and the exception propagates.
     */
    void batch(Runnable body);

    /** Flushes, syncs and releases resources; later calls throw {@link StoreClosedException}. Idempotent. */
    @Override
    void close();
}
