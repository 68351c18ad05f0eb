package io.jscluster.core.store;

import io.jscluster.codec.state.DeleteBlock;
import io.jscluster.codec.state.DeleteRange;
import io.jscluster.codec.state.StreamReplicatedState;
import io.jscluster.codec.state.StreamSourceState;
import io.jscluster.codec.state.StreamStateCodec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The stream-level rules both stores share: sequence checks, first/last bookkeeping, per-subject counts, limits,
 * purge variants. Subclasses supply the storage primitives. Every method runs under this object's monitor.
 */
abstract class AbstractStreamStore implements StreamStore {

    /**
     * Per-subject bookkeeping: count, a sequence at or below the subject's oldest message, the newest message's
     * sequence (exact unless {@code lastStale}), and a small integer id stores may keep per message instead of a
     * reference to the subject string.
     */
    static final class SubjectInfo {
        final String subject;
        /** UTF-8 length of {@link #subject}. */
        final int length;
        final int id;
        long msgs;
        long firstHint;
        long last;
        /** True when the newest message was removed and {@code last} is an upper bound to search down from. */
        boolean lastStale;
        private byte[] utf8;
        /**
         * The first 16 UTF-8 bytes as two little-endian words (zero-padded), valid once {@link #utf8()} was
         * called: stores copy a short subject with two word writes instead of a copy call.
         */
        long utf8Word0;
        long utf8Word1;

        /** The subject's UTF-8 bytes, encoded once. */
        byte[] utf8() {
            byte[] u = utf8;
            if (u == null) {
                u = subject.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                byte[] padded = java.util.Arrays.copyOf(u, Math.max(16, u.length));
                utf8Word0 = BlockFormat.getLong(padded, 0);
                utf8Word1 = BlockFormat.getLong(padded, 8);
                utf8 = u;
            }
            return u;
        }

        SubjectInfo(String subject, int id, long firstHint) {
            this.subject = subject;
            this.length = StoredMessage.utf8Length(subject);
            this.id = id;
            this.firstHint = firstHint;
            this.last = firstHint;
        }
    }

    /** Receives each message a bulk primitive removed. */
    interface RemovedSink {
        void removed(String subject, long seq, long size);
    }

    protected final LongSupplier clock;
    protected StreamLimits limits;
    protected long msgs;
    protected long bytes;
    protected long firstSeq;
    protected long firstTs;
    protected long lastSeq;
    protected long lastTs;
    protected final HashMap<String, SubjectInfo> subjects = new HashMap<>();
    /** Subjects by id; ids of subjects with no message left are reused. */
    private SubjectInfo[] subjectById = new SubjectInfo[16];
    private int[] freeIds = new int[16];
    private int freeCount;
    private int nextId;
    /**
     * The subject string of the last store call and its bookkeeping: publishers reuse one subject string, so an
     * identity hit skips hashing the subject. Cleared whenever the bookkeeping it points to is released.
     */
    private String lastSubject;
    private SubjectInfo lastSubjectInfo;
    /** Set by {@link #removeRecord} to the removed record's size. */
    long removedSize;
    protected final LinkedHashMap<String, SourceState> sourceStates = new LinkedHashMap<>();
    /** Set only through {@link #markClosed()}. */
    protected boolean closed;
    /**
     * The store is open and no limit can refuse or discard a stored message (no message, byte or per-subject
     * cap; age is enforced only by {@link #expire}), so {@link #store} need not look at limits.
     */
    private boolean appendOnly;

    AbstractStreamStore(StreamLimits limits, LongSupplier clock) {
        this.limits = limits == null ? StreamLimits.NONE : limits;
        this.clock = clock;
        limitsChanged();
    }

    private void limitsChanged() {
        StreamLimits l = limits;
        appendOnly = !closed && l.maxMsgs() <= 0 && l.maxBytes() <= 0 && l.maxMsgsPerSubject() <= 0;
    }

    /** Marks the store closed: every later call fails with {@link StoreClosedException}. */
    final void markClosed() {
        closed = true;
        appendOnly = false;
    }

    // ---- primitives -------------------------------------------------------------------------------------

    /** Record size under this store's formula. */
    abstract long recordSize(int subjectLen, int headerLen, int dataLen);

    /**
     * Persists a message at {@code seq == lastSeq + 1}; state counters (including {@code si}'s) are updated by
     * the caller afterwards. {@code si} is registered already and names the message's subject. The header and
     * payload are the given ranges (length 0: none; the array may then be null), copied before returning.
     */
    abstract void appendMessage(long seq, long ts, SubjectInfo si, int subjectLen, byte[] header, int headerOff,
                                int headerLen, byte[] data, int dataOff, int dataLen, long size);

    /** Records that {@code [first, last]} were skipped; called before counters change ({@code msgs} is current). */
    abstract void appendSkip(long first, long last, long ts);

    /** The message at {@code seq} (within first..last), or null; throws corruption for damaged sequences. */
    abstract StoredMessage read(long seq);

    /**
     * Points {@code into} at the message at {@code seq} (within first..last) without copying; false when there is
     * none. Throws corruption for damaged sequences, like {@link #read}.
     */
    abstract boolean readInto(long seq, MessageView into);

    /**
     * Removes the message at {@code seq} if present and returns its subject's bookkeeping, with its record size
     * in {@link #removedSize}; null when there is no message. Interior-delete tracking is the subclass's;
     * {@link #firstSeq} is still the old value during the call.
     */
    abstract SubjectInfo removeRecord(long seq, boolean erase);

    /** Timestamp of the message at {@code seq} (which holds one), without materialising it where possible. */
    long timestampOf(long seq) {
        StoredMessage m = read(seq);
        return m == null ? 0 : m.tsNanos();
    }

    /**
     * The smallest sequence in {@code [from, lastSeq]} holding a message of {@code si}'s subject, or 0. Stores that
     * keep subject ids per message override this to avoid materialising messages.
     */
    long nextOfSubject(SubjectInfo si, long from) {
        StoredMessage m = scanNextSlow(si.subject, from, true);
        return m == null ? 0 : m.seq();
    }

    /**
     * The largest sequence in {@code [max(firstSeq, floor), from]} holding a message of {@code si}'s subject, or 0.
     */
    long prevOfSubject(SubjectInfo si, long from, long floor) {
        for (long seq = Math.min(from, lastSeq); seq >= Math.max(firstSeq, Math.max(floor, 1)); seq--) {
            StoredMessage m = read(seq);
            if (m != null && m.subject().equals(si.subject)) {
                return seq;
            }
        }
        return 0;
    }

    /**
     * The smallest sequence {@code >= from} and {@code <= lastSeq} that holds a message or is damaged, or 0. Used
     * to advance the first sequence.
     */
    abstract long nextPresent(long from);

    /** Called after the first sequence moved from {@code oldFirst} to {@link #firstSeq}. */
    abstract void firstAdvanced(long oldFirst);

    /** Removes everything; the next sequence will be {@code nextSeq}. */
    abstract void clearAll(long nextSeq);

    /** Removes every message in {@code [from, to]} (within first..last), reporting each to {@code sink}. */
    abstract void dropRange(long from, long to, RemovedSink sink);

    /** Removes every sequence above {@code seq}, reporting removed messages; {@link #lastSeq} is still old. */
    abstract void truncateAbove(long seq, RemovedSink sink);

    /** Visits every interior delete in ascending order. */
    abstract void forEachDeleted(java.util.function.LongConsumer visitor);

    /** Makes pending writes durable when the sync policy asks for it at the end of an operation. */
    abstract void afterMutation();

    /** Begins / ends a group commit. */
    abstract void beginBatch();

    abstract void endBatch();

    // ---- shared rules -----------------------------------------------------------------------------------

    final void checkOpen() {
        if (closed) {
            throw new StoreClosedException();
        }
    }

    private static long orEmpty(byte[] b) {
        return b == null ? 0 : b.length;
    }

    @Override
    public synchronized long store(String subject, byte[] header, byte[] data) {
        if (subject == lastSubject && appendOnly) {
            // The previous call's subject string, which has messages, and no limit to check or enforce: what
            // remains of the general path below is the append and the counters (same order, same effects).
            long seq = lastSeq + 1;
            appendFast(seq, clock.getAsLong(), header, 0, header == null ? 0 : header.length, data, 0,
                    data == null ? 0 : data.length);
            return seq;
        }
        return storeChecked(subject, header, data);
    }

    /**
     * The replica's apply path when the subject string is the previous call's (so its bookkeeping exists and has
     * messages), no limit can refuse or discard (so the store is open) and {@code seq} is the next sequence: what
     * {@link #storeAt} does then is the append and the counters, in the same order as the general path.
     */
    private void appendFast(long seq, long ts, byte[] header, int headerOff, int headerLen, byte[] data,
                            int dataOff, int dataLen) {
        SubjectInfo si = lastSubjectInfo;
        int slen = si.length;
        long size = recordSize(slen, headerLen, dataLen);
        appendMessage(seq, ts, si, slen, header, headerOff, headerLen, data, dataOff, dataLen, size);
        countAppended(seq, ts, size, si);
        afterMutation();
    }

    /** {@link #store} in general: new or changed subject strings, limits, a closed store. */
    private long storeChecked(String subject, byte[] header, byte[] data) {
        checkOpen();
        requireSubject(subject);
        long seq = lastSeq + 1;
        long ts = clock.getAsLong();
        SubjectInfo si = lookupSubject(subject);
        int slen = si != null ? si.length : StoredMessage.utf8Length(subject);
        long size = recordSize(slen, (int) orEmpty(header), (int) orEmpty(data));
        checkDiscardNew(si, size);
        doStore(seq, ts, subject, si, slen, header, data, size);
        afterMutation();
        return seq;
    }

    @Override
    public synchronized void storeAt(long seq, long tsNanos, String subject, byte[] header, byte[] data) {
        if (subject == lastSubject && appendOnly && seq == lastSeq + 1) {
            appendFast(seq, tsNanos, header, 0, header == null ? 0 : header.length, data, 0,
                    data == null ? 0 : data.length);
            return;
        }
        checkOpen();
        requireSubject(subject);
        if (seq != lastSeq + 1) {
            throw new SequenceMismatchException(lastSeq + 1, seq);
        }
        SubjectInfo si = lookupSubject(subject);
        int slen = si != null ? si.length : StoredMessage.utf8Length(subject);
        long size = recordSize(slen, (int) orEmpty(header), (int) orEmpty(data));
        doStore(seq, tsNanos, subject, si, slen, header, data, size);
        afterMutation();
    }

    @Override
    public synchronized void storeAt(long seq, long tsNanos, String subject, byte[] buf, int headerOff,
                                     int headerLen, int dataOff, int dataLen) {
        if (subject == lastSubject && appendOnly && seq == lastSeq + 1 && buf != null
                && (headerOff | headerLen | dataOff | dataLen) >= 0
                && headerOff <= buf.length - headerLen && dataOff <= buf.length - dataLen) {
            appendFast(seq, tsNanos, buf, headerOff, headerLen, buf, dataOff, dataLen);
            return;
        }
        checkOpen();
        requireSubject(subject);
        StreamStore.checkRange(buf, headerOff, headerLen, "header");
        StreamStore.checkRange(buf, dataOff, dataLen, "data");
        if (seq != lastSeq + 1) {
            throw new SequenceMismatchException(lastSeq + 1, seq);
        }
        SubjectInfo si = lookupSubject(subject);
        int slen = si != null ? si.length : StoredMessage.utf8Length(subject);
        long size = recordSize(slen, headerLen, dataLen);
        doStore(seq, tsNanos, subject, si, slen, buf, headerOff, headerLen, buf, dataOff, dataLen, size);
        afterMutation();
    }

    /** The bookkeeping of {@code subject}, or null when it has no message; remembers the last string asked for. */
    private SubjectInfo lookupSubject(String subject) {
        if (subject == lastSubject) {
            return lastSubjectInfo;
        }
        SubjectInfo si = subjects.get(subject);
        if (si != null) {
            lastSubject = subject;
            lastSubjectInfo = si;
        }
        return si;
    }

    private static void requireSubject(String subject) {
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("subject is required");
        }
    }

    private void checkDiscardNew(SubjectInfo si, long size) {
        StreamLimits l = limits;
        if (l.discard() != DiscardPolicy.NEW) {
            return;
        }
        boolean atSubjectLimit = l.maxMsgsPerSubject() > 0 && si != null && si.msgs >= l.maxMsgsPerSubject();
        if (atSubjectLimit && l.discardNewPerSubject()) {
            throw new LimitExceededException(LimitExceededException.Limit.MAX_MSGS_PER_SUBJECT);
        }
        if (l.maxMsgs() > 0 && msgs >= l.maxMsgs() && !atSubjectLimit) {
            throw new LimitExceededException(LimitExceededException.Limit.MAX_MSGS);
        }
        if (l.maxBytes() > 0 && bytes + size > l.maxBytes()) {
            if (!atSubjectLimit) {
                throw new LimitExceededException(LimitExceededException.Limit.MAX_BYTES);
            }
            // At the subject limit the oldest message of the subject will be replaced: enough room only if it
            // is at least as large as the new one.
            long oldestSeq = firstSeqOfSubject(si);
            StoredMessage oldest = oldestSeq == 0 ? null : read(oldestSeq);
            if (oldest == null || sizeOf(oldest) < size) {
                throw new LimitExceededException(LimitExceededException.Limit.MAX_BYTES);
            }
        }
    }

    final long sizeOf(StoredMessage m) {
        return recordSize(m.subjectLength(), m.header().length, m.data().length);
    }

    /** The stream's and the subject's counters after message {@code seq} was appended. */
    private void countAppended(long seq, long ts, long size, SubjectInfo si) {
        if (msgs++ == 0) {
            firstSeq = seq;
            firstTs = ts;
        }
        bytes += size;
        lastSeq = seq;
        lastTs = ts;
        if (++si.msgs == 1) {
            si.firstHint = seq;
        }
        si.last = seq;
        si.lastStale = false;
    }

    private void doStore(long seq, long ts, String subject, SubjectInfo si, int slen, byte[] header, byte[] data,
                         long size) {
        doStore(seq, ts, subject, si, slen, header, 0, (int) orEmpty(header), data, 0, (int) orEmpty(data), size);
    }

    private void doStore(long seq, long ts, String subject, SubjectInfo si, int slen, byte[] header, int headerOff,
                         int headerLen, byte[] data, int dataOff, int dataLen, long size) {
        boolean fresh = si == null;
        if (fresh) {
            si = registerSubject(subject, seq);
        }
        try {
            appendMessage(seq, ts, si, slen, header, headerOff, headerLen, data, dataOff, dataLen, size);
        } catch (RuntimeException e) {
            if (fresh) {
                releaseSubject(si);
            }
            throw e;
        }
        countAppended(seq, ts, size, si);
        if (!fresh) {
            enforceSubjectLimit(si);
        }
        enforceMsgAndByteLimits();
    }

    /** Registers a subject with no messages yet (the caller counts them), giving it a free id. */
    final SubjectInfo registerSubject(String subject, long firstHint) {
        int id = freeCount > 0 ? freeIds[--freeCount] : nextId++;
        if (id == subjectById.length) {
            subjectById = java.util.Arrays.copyOf(subjectById, id * 2);
        }
        SubjectInfo si = new SubjectInfo(subject, id, firstHint);
        subjectById[id] = si;
        subjects.put(subject, si);
        return si;
    }

    final void releaseSubject(SubjectInfo si) {
        if (lastSubjectInfo == si) {
            lastSubject = null;
            lastSubjectInfo = null;
        }
        subjects.remove(si.subject);
        subjectById[si.id] = null;
        if (freeCount == freeIds.length) {
            freeIds = java.util.Arrays.copyOf(freeIds, freeCount * 2);
        }
        freeIds[freeCount++] = si.id;
    }

    /** The subject registered under {@code id}; only valid while a message of it exists. */
    final SubjectInfo subjectById(int id) {
        return subjectById[id];
    }

    private void clearSubjects() {
        lastSubject = null;
        lastSubjectInfo = null;
        subjects.clear();
        java.util.Arrays.fill(subjectById, null);
        freeCount = 0;
        nextId = 0;
    }

    /** Counts a message found by recovery or repair at {@code seq} (any order) under its subject. */
    final SubjectInfo countSubject(String subject, long seq) {
        SubjectInfo si = subjects.get(subject);
        if (si == null) {
            si = registerSubject(subject, seq);
        }
        si.msgs++;
        si.firstHint = Math.min(si.firstHint, seq);
        si.last = Math.max(si.last, seq);
        return si;
    }

    private void enforceSubjectLimit(SubjectInfo si) {
        long max = limits.maxMsgsPerSubject();
        if (max <= 0) {
            return;
        }
        try {
            while (si.msgs > max) {
                long oldest = firstSeqOfSubject(si);
                if (oldest == 0) {
                    return;
                }
                removeInternal(oldest, false);
            }
        } catch (StoreCorruptionException e) {
            // The subject's oldest messages lie in a damaged range; enforcement resumes after repair.
        }
    }

    private void enforceMsgAndByteLimits() {
        if (limits.discard() != DiscardPolicy.OLD) {
            return;
        }
        while (limits.maxMsgs() > 0 && msgs > limits.maxMsgs()) {
            if (!removeFirst()) {
                break;
            }
        }
        while (limits.maxBytes() > 0 && bytes > limits.maxBytes() && msgs > 0) {
            if (!removeFirst()) {
                break;
            }
        }
    }

    private boolean removeFirst() {
        long seq = firstSeq;
        try {
            while (seq != 0 && seq <= lastSeq) {
                if (removeInternal(seq, false)) {
                    return true;
                }
                seq = nextPresent(seq + 1);
            }
        } catch (StoreCorruptionException e) {
            // A damaged first range cannot be discarded by limits; repair will restore it.
            return false;
        }
        return false;
    }

    /** Sequence of the oldest message of {@code si}'s subject, or 0; tightens the hint to it. */
    final long firstSeqOfSubject(SubjectInfo si) {
        if (si == null || si.msgs == 0) {
            return 0;
        }
        long seq = nextOfSubject(si, Math.max(Math.max(si.firstHint, firstSeq), 1));
        if (seq != 0) {
            si.firstHint = seq;
        }
        return seq;
    }

    /** Sequence of the newest message of {@code si}'s subject, or 0; resolves a stale value once. */
    final long lastSeqOfSubject(SubjectInfo si) {
        if (si == null || si.msgs == 0) {
            return 0;
        }
        if (si.lastStale) {
            long seq = prevOfSubject(si, si.last, si.firstHint);
            si.last = seq;
            si.lastStale = seq == 0;
        }
        return si.last;
    }

    @Override
    public synchronized void skip(long seq) {
        skip(seq, 1);
    }

    @Override
    public synchronized void skip(long seq, long num) {
        checkOpen();
        if (seq != lastSeq + 1) {
            throw new SequenceMismatchException(lastSeq + 1, seq);
        }
        if (num == 0) {
            return;
        }
        if (num < 0) {
            throw new IllegalArgumentException("negative skip count " + num);
        }
        long last = seq + num - 1;
        long ts = lastTs == 0 ? clock.getAsLong() : lastTs;
        appendSkip(seq, last, ts);
        lastSeq = last;
        lastTs = ts;
        if (msgs == 0) {
            firstSeq = last + 1;
            firstTs = 0;
        }
        afterMutation();
    }

    @Override
    public synchronized StoredMessage load(long seq) {
        checkOpen();
        if (seq == 0 || seq < firstSeq || seq > lastSeq) {
            return null;
        }
        return read(seq);
    }

    @Override
    public synchronized boolean loadInto(long seq, MessageView into) {
        checkOpen();
        if (seq != 0 && seq >= firstSeq && seq <= lastSeq && readInto(seq, into)) {
            return true;
        }
        into.clear();
        return false;
    }

    @Override
    public synchronized boolean loadNextInto(String filter, long start, MessageView into) {
        checkOpen();
        if (SubjectFilter.isAll(filter)) {
            long seq = Math.max(Math.max(start, firstSeq), 1);
            while (seq <= lastSeq) {
                seq = nextPresent(seq);
                if (seq == 0) {
                    break;
                }
                if (readInto(seq, into)) {
                    return true;
                }
                seq++;
            }
            into.clear();
            return false;
        }
        StoredMessage m = scanNext(filter, Math.max(start, firstSeq), SubjectFilter.isLiteral(filter));
        if (m == null) {
            into.clear();
            return false;
        }
        into.set(m);
        return true;
    }

    @Override
    public synchronized StoredMessage loadNext(String filter, long start) {
        checkOpen();
        return scanNext(filter, Math.max(start, firstSeq), SubjectFilter.isLiteral(filter));
    }

    /** First message at or after {@code from} matching {@code filter}; uses subject bookkeeping for literals. */
    StoredMessage scanNext(String filter, long from, boolean literal) {
        if (literal) {
            SubjectInfo si = subjects.get(filter);
            if (si == null || si.msgs == 0 || !si.lastStale && from > si.last) {
                return null;
            }
            long seq = nextOfSubject(si, Math.max(Math.max(from, si.firstHint), 1));
            return seq == 0 ? null : read(seq);
        }
        return scanNextSlow(filter, from, false);
    }

    /** First message at or after {@code from} matching {@code filter}, reading every candidate. */
    final StoredMessage scanNextSlow(String filter, long from, boolean literal) {
        long seq = from == 0 ? 1 : from;
        while (seq <= lastSeq) {
            seq = nextPresent(seq);
            if (seq == 0) {
                return null;
            }
            StoredMessage m = read(seq);
            if (m != null && (literal ? m.subject().equals(filter) : SubjectFilter.matches(filter, m.subject()))) {
                return m;
            }
            seq++;
        }
        return null;
    }

    @Override
    public synchronized StoredMessage loadLast(String filter) {
        checkOpen();
        if (msgs == 0) {
            return null;
        }
        long best = 0;
        if (SubjectFilter.isLiteral(filter)) {
            best = lastSeqOfSubject(subjects.get(filter));
        } else {
            boolean all = SubjectFilter.isAll(filter);
            for (SubjectInfo si : subjects.values()) {
                if (all || SubjectFilter.matches(filter, si.subject)) {
                    best = Math.max(best, lastSeqOfSubject(si));
                }
            }
        }
        return best == 0 ? null : read(best);
    }

    @Override
    public synchronized SubjectState subjectState(String subject) {
        checkOpen();
        SubjectInfo si = subjects.get(subject);
        if (si == null || si.msgs == 0) {
            return SubjectState.EMPTY;
        }
        return new SubjectState(si.msgs, firstSeqOfSubject(si), lastSeqOfSubject(si));
    }

    @Override
    public synchronized boolean remove(long seq) {
        checkOpen();
        boolean removed = removeInternal(seq, false);
        afterMutation();
        return removed;
    }

    @Override
    public synchronized boolean erase(long seq) {
        checkOpen();
        boolean removed = removeInternal(seq, true);
        afterMutation();
        return removed;
    }

    final boolean removeInternal(long seq, boolean erase) {
        if (seq == 0 || seq < firstSeq || seq > lastSeq) {
            return false;
        }
        SubjectInfo si = removeRecord(seq, erase);
        if (si == null) {
            return false;
        }
        accountRemoved(si, seq, removedSize);
        if (seq == firstSeq) {
            advanceFirst(seq + 1);
        }
        return true;
    }

    private void accountRemoved(String subject, long seq, long size) {
        SubjectInfo si = subjects.get(subject);
        if (si != null) {
            accountRemoved(si, seq, size);
        } else {
            msgs--;
            bytes = Math.max(0, bytes - size);
        }
    }

    private void accountRemoved(SubjectInfo si, long seq, long size) {
        msgs--;
        bytes = Math.max(0, bytes - size);
        if (--si.msgs == 0) {
            releaseSubject(si);
            return;
        }
        if (si.firstHint == seq) {
            si.firstHint = seq + 1;
        }
        if (si.last == seq) {
            si.lastStale = true;
        }
    }

    /** Moves the first sequence to the next present sequence at or after {@code from}. */
    final void advanceFirst(long from) {
        long old = firstSeq;
        long next = msgs == 0 ? 0 : nextPresent(from);
        if (next == 0) {
            firstSeq = lastSeq + 1;
            firstTs = 0;
        } else {
            firstSeq = next;
            long ts;
            try {
                ts = timestampOf(next);
            } catch (StoreCorruptionException e) {
                ts = 0;
            }
            firstTs = ts;
        }
        firstAdvanced(old);
    }

    @Override
    public synchronized long purge() {
        checkOpen();
        long purged = msgs;
        resetTo(lastSeq + 1);
        afterMutation();
        return purged;
    }

    private void resetTo(long nextSeq) {
        clearAll(nextSeq);
        msgs = 0;
        bytes = 0;
        clearSubjects();
        // A store that never used a sequence reports first = last = 0, as a fresh nats-server store does.
        firstSeq = nextSeq == 1 ? 0 : nextSeq;
        firstTs = 0;
        lastSeq = nextSeq - 1;
    }

    @Override
    public synchronized long purge(String subject, long upToSeq, long keep) {
        checkOpen();
        if (upToSeq == 1) {
            return 0;
        }
        boolean all = SubjectFilter.isAll(subject);
        if (all) {
            if (keep == 0 && upToSeq == 0) {
                return purge();
            }
            if (upToSeq > 1) {
                return compact(upToSeq);
            }
        }
        String filter = all ? ">" : subject;
        long matching = 0;
        long last = 0;
        for (Map.Entry<String, SubjectInfo> e : subjects.entrySet()) {
            if (SubjectFilter.matches(filter, e.getKey())) {
                matching += e.getValue().msgs;
            }
        }
        if (matching == 0) {
            return 0;
        }
        long max = Long.MAX_VALUE;
        if (keep > 0) {
            if (keep >= matching) {
                return 0;
            }
            max = matching - keep;
        }
        last = upToSeq >= 1 ? upToSeq - 1 : lastSeq;
        boolean literal = SubjectFilter.isLiteral(filter);
        long purged = 0;
        long seq = firstSeq;
        while (purged < max) {
            StoredMessage m = scanNext(filter, seq, literal);
            if (m == null || m.seq() > last) {
                break;
            }
            if (removeInternal(m.seq(), false)) {
                purged++;
            }
            seq = m.seq() + 1;
        }
        afterMutation();
        return purged;
    }

    @Override
    public synchronized long compact(long seq) {
        checkOpen();
        if (seq == 0) {
            return purge();
        }
        if (firstSeq > seq) {
            return 0;
        }
        long before = msgs;
        if (seq <= lastSeq) {
            if (msgs > 0) {
                dropRange(firstSeq, seq - 1, this::accountRemoved);
            }
            advanceFirst(seq);
        } else {
            resetTo(seq);
        }
        afterMutation();
        return before - msgs;
    }

    @Override
    public synchronized void truncate(long seq) {
        checkOpen();
        if (seq == 0) {
            resetTo(1);
            lastTs = 0;
            afterMutation();
            return;
        }
        if (seq > lastSeq) {
            throw new SequenceMismatchException(lastSeq, seq);
        }
        StoredMessage at = null;
        try {
            at = seq >= firstSeq ? read(seq) : null;
        } catch (StoreCorruptionException e) {
            at = null;
        }
        truncateAbove(seq, this::accountRemoved);
        lastSeq = seq;
        if (at != null) {
            lastTs = at.tsNanos();
        }
        if (msgs == 0) {
            firstSeq = seq + 1;
            firstTs = 0;
        }
        afterMutation();
    }

    @Override
    public synchronized StreamState state() {
        checkOpen();
        long deleted = msgs > 0 ? lastSeq - firstSeq + 1 - msgs : 0;
        return new StreamState(msgs, bytes, firstSeq, firstTs, lastSeq, lastTs, subjects.size(), deleted);
    }

    @Override
    public synchronized long lastSeq() {
        checkOpen();
        return lastSeq;
    }

    @Override
    public synchronized long[] deletedSequences() {
        checkOpen();
        long n = msgs > 0 ? lastSeq - firstSeq + 1 - msgs : 0;
        // Sized from the counters but filled by walking the deletes, so a count that disagrees can
        // only shorten the answer, never fail the allocation.
        long[] out = new long[(int) Math.max(0, Math.min(n, Integer.MAX_VALUE - 8))];
        int[] i = {0};
        forEachDeleted(s -> {
            if (i[0] < out.length) {
                out[i[0]++] = s;
            }
        });
        return i[0] == out.length ? out : java.util.Arrays.copyOf(out, i[0]);
    }

    @Override
    public synchronized StreamLimits limits() {
        return limits;
    }

    @Override
    public synchronized void updateLimits(StreamLimits newLimits) {
        checkOpen();
        this.limits = newLimits == null ? StreamLimits.NONE : newLimits;
        limitsChanged();
        if (limits.maxMsgsPerSubject() > 0) {
            for (SubjectInfo si : new ArrayList<>(subjects.values())) {
                if (si.msgs > 0) {
                    enforceSubjectLimit(si);
                }
            }
        }
        enforceMsgAndByteLimits();
        afterMutation();
    }

    @Override
    public synchronized long expire(long nowNanos) {
        checkOpen();
        long maxAge = limits.maxAgeNanos();
        if (maxAge <= 0) {
            return 0;
        }
        long cutoff = nowNanos - maxAge;
        long removed = 0;
        while (msgs > 0) {
            StoredMessage first;
            try {
                first = read(firstSeq);
            } catch (StoreCorruptionException e) {
                break;
            }
            if (first == null || first.tsNanos() > cutoff) {
                break;
            }
            removeInternal(first.seq(), false);
            removed++;
        }
        afterMutation();
        return removed;
    }

    @Override
    public synchronized Map<String, Long> subjectTotals(String filter) {
        checkOpen();
        TreeMap<String, Long> out = new TreeMap<>();
        for (Map.Entry<String, SubjectInfo> e : subjects.entrySet()) {
            if (SubjectFilter.matches(filter, e.getKey())) {
                out.put(e.getKey(), e.getValue().msgs);
            }
        }
        return out;
    }

    @Override
    public synchronized Map<String, SourceState> sources() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(sourceStates));
    }

    @Override
    public synchronized void applySources(Map<String, SourceState> sources) {
        checkOpen();
        if (sources == null || sources.isEmpty()) {
            return;
        }
        sourceStates.clear();
        sourceStates.putAll(sources);
        sourcesChanged();
    }

    /** Persists the sources state where the store is durable. */
    void sourcesChanged() {
    }

    @Override
    public synchronized void batch(Runnable body) {
        checkOpen();
        beginBatch();
        try {
            body.run();
        } finally {
            endBatch();
        }
    }

    /** Every sequence of {@code deleted} not above the last sequence is removed when it holds a message. */
    final void removeAll(long first, long last) {
        long to = Math.min(last, lastSeq);
        long from = Math.max(first, firstSeq);
        if (from > to || msgs == 0) {
            return;
        }
        if (from == firstSeq) {
            dropRange(from, to, this::accountRemoved);
            advanceFirst(to + 1);
        } else {
            dropRange(from, to, this::accountRemoved);
        }
    }

    @Override
    public synchronized void syncDeleted(List<DeleteBlock> deleted) {
        checkOpen();
        if (deleted == null || deleted.isEmpty()) {
            return;
        }
        for (DeleteBlock b : deleted) {
            if (msgs == 0 || Long.compareUnsigned(b.first(), lastSeq) > 0) {
                continue;
            }
            if (b instanceof DeleteRange r) {
                if (r.num() > 0) {
                    removeAll(r.first(), r.last());
                }
            } else {
                b.forEach(seq -> {
                    if (Long.compareUnsigned(seq, lastSeq) > 0) {
                        return false;
                    }
                    removeInternal(seq, false);
                    return true;
                });
            }
        }
        afterMutation();
    }

    /** The stream state with {@code blocks} as delete blocks, encoded with the codec. */
    final byte[] encode(long failed, boolean withSources, long numDeleted, List<DeleteBlock> blocks) {
        LinkedHashMap<String, StreamSourceState> src = new LinkedHashMap<>();
        for (Map.Entry<String, SourceState> e : sourceStates.entrySet()) {
            src.put(e.getKey(), new StreamSourceState(e.getValue().seq(), e.getValue().ident()));
        }
        StreamReplicatedState st = new StreamReplicatedState(msgs, bytes, firstSeq, lastSeq, failed, blocks, src);
        return StreamStateCodec.encode(st, numDeleted, withSources);
    }

    static List<Damage> noDamage() {
        return List.of();
    }
}
